package dev.kiln.delivery;

import dev.kiln.engine.Input.MessageOutcome.Kind;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;

/**
 * What becomes of an attempt (Braze's rules): 2xx is sent; 408, 429, 5xx and network errors or timeouts are
 * retried with exponential backoff and jitter (or after {@code Retry-After}, in seconds or as an HTTP date),
 * up to {@code maxAttempts} tries and within {@code maxRetryWindow} of the message's creation, then failed;
 * other 4xx, 3xx (redirects are not followed) and 1xx fail at once. Deterministic for a seeded {@link Random}.
 */
final class RetryPolicy {
    private final int maxAttempts;
    private final long windowMillis;
    private final long baseMillis;
    private final long maxBackoffMillis;
    private final Random random;

    /** The decision: the outcome kind, when to try again (RETRY only), and the detail for the log. */
    record Verdict(Kind kind, long dueAt, String detail) {}

    RetryPolicy(int maxAttempts, Duration maxRetryWindow, Duration backoffBase, Duration maxBackoff, Random random) {
        this.maxAttempts = maxAttempts;
        this.windowMillis = maxRetryWindow.toMillis();
        this.baseMillis = backoffBase.toMillis();
        this.maxBackoffMillis = maxBackoff.toMillis();
        this.random = random;
    }

    static RetryPolicy of(DeliveryConfig c) {
        return new RetryPolicy(c.maxAttempts(), c.maxRetryWindow(), c.backoffBase(), c.maxBackoff(),
                c.jitterSeed() == null ? new Random() : new Random(c.jitterSeed()));
    }

    static boolean success(int status) { return status >= 200 && status < 300; }

    static boolean retryable(int status) { return status == 408 || status == 429 || status >= 500; }

    /** An HTTP answer to attempt number {@code attempt} (1-based). */
    Verdict onResponse(int status, String retryAfter, int attempt, long createdAt, long now) {
        if (success(status)) return new Verdict(Kind.SENT, 0, null);
        String what = "HTTP " + status;
        if (!retryable(status)) {
            return new Verdict(Kind.FAILED, 0, status >= 300 && status < 400 ? what + " (redirects are not followed)" : what);
        }
        return retry(what, retryAfterMillis(retryAfter, now), attempt, createdAt, now);
    }

    /** A network error, a timeout, or another transient failure (a token endpoint's 5xx, a {@code :retry} call). */
    Verdict onTransient(String why, int attempt, long createdAt, long now) {
        return retry(why, null, attempt, createdAt, now);
    }

    private Verdict retry(String what, Long retryAfter, int attempt, long createdAt, long now) {
        if (attempt >= maxAttempts) return new Verdict(Kind.FAILED, 0, what + "; gave up after " + attempt + " attempts");
        long delay = retryAfter != null ? retryAfter : backoff(attempt);
        long due = now + delay;
        if (due > createdAt + windowMillis)
            return new Verdict(Kind.FAILED, 0, what + "; the next try would fall outside the retry window of "
                    + Duration.ofMillis(windowMillis).toMinutes() + " min");
        return new Verdict(Kind.RETRY, due, what);
    }

    /**
     * Whether attempt {@code attempt} is the last one allowed (a {@code :retry} connected-content failure
     * then aborts the message instead of asking for a retry).
     */
    boolean lastAttempt(int attempt, long createdAt, long now) {
        return attempt >= maxAttempts || now + minBackoff(attempt) > createdAt + windowMillis;
    }

    /** Exponential: base × 2^(attempt−1), capped; "equal jitter": half fixed, half random. */
    long backoff(int attempt) {
        long d = exponential(attempt);
        long half = d / 2;
        return half + (half > 0 ? (long) (random.nextDouble() * (d - half + 1)) : 0);
    }

    private long minBackoff(int attempt) { return exponential(attempt) / 2; }

    private long exponential(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long d = baseMillis << shift;
        return d < 0 || d > maxBackoffMillis ? maxBackoffMillis : d;
    }

    /** {@code Retry-After} as a delay in ms: seconds, or an HTTP date; null when absent or unreadable. */
    static Long retryAfterMillis(String value, long now) {
        if (value == null || value.isBlank()) return null;
        String v = value.strip();
        try {
            long s = Long.parseLong(v);
            return s < 0 ? null : s * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, at - now);
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    int maxAttempts() { return maxAttempts; }
}
