package dev.kiln.delivery;

import dev.kiln.engine.Input.MessageOutcome.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {
    private static final long NOW = TestClock.START;
    private static final long BASE = 30_000;

    private static RetryPolicy policy(long seed) {
        return new RetryPolicy(5, Duration.ofMinutes(30), Duration.ofMillis(BASE), Duration.ofMinutes(10), new Random(seed));
    }

    private final RetryPolicy policy = policy(7);

    @ParameterizedTest @ValueSource(ints = {200, 201, 202, 204, 299})
    void two_hundreds_are_sent(int status) {
        assertThat(policy.onResponse(status, null, 1, NOW, NOW).kind()).isEqualTo(Kind.SENT);
    }

    @ParameterizedTest @ValueSource(ints = {400, 401, 403, 404, 405, 409, 410, 422, 100})
    void other_client_errors_fail_without_retry(int status) {
        RetryPolicy.Verdict v = policy.onResponse(status, "1", 1, NOW, NOW);
        assertThat(v.kind()).isEqualTo(Kind.FAILED);
        assertThat(v.detail()).isEqualTo("HTTP " + status);
    }

    @ParameterizedTest @ValueSource(ints = {301, 302, 307, 308})
    void redirects_fail_without_retry(int status) {
        RetryPolicy.Verdict v = policy.onResponse(status, null, 1, NOW, NOW);
        assertThat(v.kind()).isEqualTo(Kind.FAILED);
        assertThat(v.detail()).isEqualTo("HTTP " + status + " (redirects are not followed)");
    }

    @ParameterizedTest @ValueSource(ints = {408, 429, 500, 502, 503, 504, 599})
    void timeouts_throttling_and_server_errors_are_retried_after_a_jittered_backoff(int status) {
        RetryPolicy.Verdict v = policy.onResponse(status, null, 1, NOW, NOW);
        assertThat(v.kind()).isEqualTo(Kind.RETRY);
        assertThat(v.detail()).isEqualTo("HTTP " + status);
        assertThat(v.dueAt()).isBetween(NOW + BASE / 2, NOW + BASE);
    }

    @Test void network_errors_are_retried() {
        RetryPolicy.Verdict v = policy.onTransient("connection refused", 1, NOW, NOW);
        assertThat(v.kind()).isEqualTo(Kind.RETRY);
        assertThat(v.detail()).isEqualTo("connection refused");
    }

    @Test void backoff_doubles_per_attempt_within_equal_jitter() {
        for (int attempt = 1; attempt <= 4; attempt++) {
            long d = BASE << (attempt - 1);
            for (int i = 0; i < 50; i++) assertThat(policy.backoff(attempt)).isBetween(d / 2, d);
        }
        assertThat(policy.backoff(30)).isBetween(300_000L, 600_000L); // capped at maxBackoff
    }

    @Test void the_same_seed_gives_the_same_delays() {
        RetryPolicy a = policy(42), b = policy(42);
        for (int i = 1; i <= 4; i++) assertThat(a.backoff(i)).isEqualTo(b.backoff(i));
    }

    @Test void the_fifth_attempt_is_the_last() {
        assertThat(policy.onResponse(503, null, 4, NOW, NOW).kind()).isEqualTo(Kind.RETRY);
        RetryPolicy.Verdict v = policy.onResponse(503, null, 5, NOW, NOW);
        assertThat(v.kind()).isEqualTo(Kind.FAILED);
        assertThat(v.detail()).isEqualTo("HTTP 503; gave up after 5 attempts");
        assertThat(policy.lastAttempt(5, NOW, NOW)).isTrue();
        assertThat(policy.lastAttempt(1, NOW, NOW)).isFalse();
    }

    @Test void no_retry_is_scheduled_beyond_the_window_since_creation() {
        long created = NOW - Duration.ofMinutes(29).plusSeconds(50).toMillis(); // 10 s of window left
        RetryPolicy.Verdict v = policy.onResponse(500, null, 2, created, NOW);
        assertThat(v.kind()).isEqualTo(Kind.FAILED);
        assertThat(v.detail()).isEqualTo("HTTP 500; the next try would fall outside the retry window of 30 min");
        assertThat(policy.lastAttempt(2, created, NOW)).isTrue();
    }

    @Test void retry_after_in_seconds_is_honoured() {
        RetryPolicy.Verdict v = policy.onResponse(429, "120", 1, NOW, NOW);
        assertThat(v.kind()).isEqualTo(Kind.RETRY);
        assertThat(v.dueAt()).isEqualTo(NOW + 120_000);
        assertThat(policy.onResponse(503, " 0 ", 1, NOW, NOW).dueAt()).isEqualTo(NOW);
    }

    @Test void retry_after_as_an_http_date_is_honoured() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(NOW + 90_000).atZone(ZoneOffset.UTC));
        assertThat(policy.onResponse(503, date, 1, NOW, NOW).dueAt()).isEqualTo(NOW + 90_000);
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(NOW - 90_000).atZone(ZoneOffset.UTC));
        assertThat(policy.onResponse(503, past, 1, NOW, NOW).dueAt()).isEqualTo(NOW);
    }

    @Test void retry_after_beyond_the_window_fails_the_message() {
        assertThat(policy.onResponse(429, "3600", 1, NOW, NOW).kind()).isEqualTo(Kind.FAILED);
    }

    @Test void unreadable_retry_after_falls_back_to_the_backoff() {
        assertThat(RetryPolicy.retryAfterMillis("soon", NOW)).isNull();
        assertThat(RetryPolicy.retryAfterMillis("-5", NOW)).isNull();
        assertThat(policy.onResponse(503, "soon", 1, NOW, NOW).dueAt()).isBetween(NOW + BASE / 2, NOW + BASE);
    }
}
