package dev.kiln.server.currents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.definitions.Connection;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.delivery.OutboundDeniedException;
import dev.kiln.delivery.OutboundPolicy;
import dev.kiln.store.EventLogRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The http sink writer alone, against a MockWebServer collector: batching, body, headers, failures. */
class HttpSinkWriterTest {
    static final String TOKEN = "Bearer s3cr3t-t0ken-4f9a2c";
    static final Connection.SecretRef AUTH = Connection.SecretRef.env("COLLECTOR_TOKEN");
    static final long T = 1_700_000_123_456L;

    final MockWebServer collector = new MockWebServer();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Connection.SecretRef> secretsAsked = new ArrayList<>();
    final Function<Connection.SecretRef, String> secrets = ref -> {
        secretsAsked.add(ref);
        if (!ref.equals(AUTH)) throw new IllegalStateException("unexpected secret " + ref);
        return TOKEN;
    };
    final List<HttpSinkWriter> writers = new ArrayList<>();

    @BeforeEach void start() throws IOException { collector.start(); }

    @AfterEach void stop() {
        writers.forEach(HttpSinkWriter::close);
        collector.close();
    }

    CurrentsConnector.Http sink(String url, Map<String, String> headers, int batch, long flushMillis, long timeoutMillis) {
        return new CurrentsConnector.Http(url, headers, AUTH, batch, flushMillis, timeoutMillis);
    }

    CurrentsConnector.Http sink(int batch, long flushMillis) {
        return sink(collector.url("/kiln/events").toString(), Map.of(), batch, flushMillis, 5_000);
    }

    HttpSinkWriter writer(CurrentsConnector.Http sink) { return writer(sink, OutboundPolicy.defaults()); }

    HttpSinkWriter writer(CurrentsConnector.Http sink, OutboundPolicy policy) {
        HttpSinkWriter w = new HttpSinkWriter("crm", sink, new SinkWriters.SinkContext(registry, secrets, policy));
        writers.add(w);
        return w;
    }

    static EventLogRow row(long seq, String id, String type, String data) {
        return new EventLogRow(seq, id, "u-" + id, "ext-" + id, type, T, data, T);
    }

    static EventLogRow custom(long seq) {
        return row(seq, "e" + seq, "users.behaviors.CustomEvent", "{\"name\":\"page_view\",\"properties\":{\"n\":" + seq + "},\"source\":\"s\"}");
    }

    static MockResponse status(int code) { return new MockResponse.Builder().code(code).build(); }

    RecordedRequest take() throws InterruptedException {
        RecordedRequest r = collector.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the collector").isNotNull();
        return r;
    }

    static JsonNode json(RecordedRequest r) throws IOException {
        return CurrentsFiles.JSON.readTree(r.getBody().utf8());
    }

    // ---- batching ----

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 1234})
    void full_at_batch_events_and_confirm_by_the_first_pending_rows_time_plus_flush(long seed) throws Exception {
        Random random = new Random(seed);
        int batch = 1 + random.nextInt(20);
        long flush = 1 + random.nextInt(10_000);
        HttpSinkWriter w = writer(sink(batch, flush));
        collector.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override public MockResponse dispatch(RecordedRequest request) { return status(200); }
        });
        long now = T;
        long seq = 0;
        for (int round = 0; round < 3; round++) {
            assertThat(w.pending()).isZero();
            assertThat(w.full()).isFalse();
            assertThat(w.confirmBy()).isEqualTo(Long.MAX_VALUE);
            int n = 1 + random.nextInt(batch);
            long first = now;
            for (int i = 0; i < n; i++) {
                w.write(custom(++seq), now);
                assertThat(w.pending()).isEqualTo(i + 1);
                assertThat(w.full()).as("full at %d of %d", i + 1, batch).isEqualTo(i + 1 >= batch);
                assertThat(w.confirmBy()).as("later rows do not move the deadline").isEqualTo(first + flush);
                now += random.nextInt(5_000);
            }
            assertThat(w.confirm()).isEqualTo(n);
            assertThat(json(take()).get("events")).hasSize(n);
        }
    }

    @Test
    void confirm_with_nothing_pending_sends_nothing() throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000));
        assertThat(w.confirm()).isZero();
        assertThat(collector.getRequestCount()).isZero();
    }

    // ---- body and headers ----

    @Test
    void the_body_is_an_events_array_of_currents_records_each_with_its_type() throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000));
        List<EventLogRow> rows = List.of(custom(5),
                row(6, "p1", "users.behaviors.Purchase", "{\"product_id\":\"pro\",\"price\":49.5,\"currency\":\"EUR\",\"quantity\":2,\"properties\":{},\"source\":\"s\"}"),
                row(9, "c1", "users.canvas.Entry", "{\"canvas_id\":\"cv\",\"canvas_name\":\"Nurture\",\"canvas_version\":3,\"canvas_step_id\":\"s1\"}"),
                row(11, "f1", "users.behaviors.FormSubmit", "{\"properties\":{\"form\":\"demo\",\"type\":\"user-said\"},\"source\":\"s\"}"));
        for (EventLogRow r : rows) w.write(r, T);
        collector.enqueue(status(204));
        assertThat(w.confirm()).isEqualTo(4);
        assertThat(w.pending()).isZero();

        RecordedRequest req = take();
        assertThat(req.getMethod()).isEqualTo("POST");
        assertThat(req.getUrl().encodedPath()).isEqualTo("/kiln/events");
        assertThat(req.getHeaders().get("Content-Type")).isEqualTo("application/json");
        assertThat(req.getHeaders().get("Content-Encoding")).as("not compressed").isNull();
        JsonNode events = json(req).get("events");
        assertThat(events).hasSize(4);
        assertThat(events).extracting(e -> e.get("id").asText()).containsExactly("e5", "p1", "c1", "f1");
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("users.behaviors.CustomEvent",
                "users.behaviors.Purchase", "users.canvas.Entry", "users.behaviors.FormSubmit");
        for (int i = 0; i < rows.size(); i++) {
            // every Currents field, unchanged, plus the type right after the id
            Map<String, Object> expected = new LinkedHashMap<>(CurrentsMapper.map(rows.get(i)));
            expected.remove("type");
            JsonNode e = events.get(i);
            List<String> names = new ArrayList<>();
            e.fieldNames().forEachRemaining(names::add);
            assertThat(names.subList(0, 2)).containsExactly("id", "type");
            JsonNode exp = CurrentsFiles.JSON.readTree(CurrentsFiles.JSON.writeValueAsBytes(expected));
            for (String f : expected.keySet()) assertThat(e.get(f)).as(f).isEqualTo(exp.get(f));
            assertThat(names).hasSize(expected.size() + 1);
        }
        assertThat(events.get(0).get("name").asText()).isEqualTo("page_view");
        assertThat(events.get(0).get("properties").asText()).isEqualTo("{\"n\":5}");
        assertThat(events.get(1).get("price").asDouble()).isEqualTo(49.5);
        assertThat(events.get(2).get("canvas_version").asInt()).isEqualTo(3);
        assertThat(events.get(3).get("form").asText()).isEqualTo("demo");
    }

    @Test
    void headers_are_the_configured_ones_the_authorization_secret_the_user_agent_and_an_idempotency_key() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Team", "growth");
        headers.put("Idempotency-Key", "configured-is-ignored");
        HttpSinkWriter w = writer(sink(collector.url("/in").toString(), headers, 100, 1_000, 5_000));
        for (long s = 17; s <= 19; s++) w.write(custom(s), T);
        w.write(custom(23), T);
        collector.enqueue(status(200));
        w.confirm();
        RecordedRequest r = take();
        assertThat(r.getHeaders().get("Authorization")).isEqualTo(TOKEN);
        assertThat(r.getHeaders().get("User-Agent")).isEqualTo("kiln-currents");
        assertThat(r.getHeaders().get("X-Team")).isEqualTo("growth");
        assertThat(r.getHeaders().values("Idempotency-Key")).containsExactly("crm:17-23");
        assertThat(secretsAsked).containsExactly(AUTH);

        // the next batch: its own key, the secret read again (a rotated secret takes effect)
        w.write(custom(24), T);
        collector.enqueue(status(200));
        w.confirm();
        assertThat(take().getHeaders().get("Idempotency-Key")).isEqualTo("crm:24-24");
        assertThat(secretsAsked).hasSize(2);
    }

    @Test
    void no_authorization_header_without_a_secret_and_a_configured_user_agent_wins() throws Exception {
        CurrentsConnector.Http s = new CurrentsConnector.Http(collector.url("/in").toString(), Map.of("User-Agent", "acme-kiln/1"), null,
                10, 1_000, 5_000);
        HttpSinkWriter w = writer(s);
        w.write(custom(1), T);
        collector.enqueue(status(200));
        w.confirm();
        RecordedRequest r = take();
        assertThat(r.getHeaders().get("Authorization")).isNull();
        assertThat(r.getHeaders().get("User-Agent")).isEqualTo("acme-kiln/1");
        assertThat(secretsAsked).isEmpty();
    }

    @Test
    void a_header_the_client_cannot_send_is_refused_when_the_writer_is_created() {
        assertThatThrownBy(() -> writer(sink(collector.url("/in").toString(), Map.of("Connection", "close"), 10, 1_000, 5_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Currents crm: header Connection");
    }

    @Test
    void describe_shows_settings_and_header_names_never_values_or_the_secret() {
        HttpSinkWriter w = writer(sink(collector.url("/in").toString(), Map.of("X-Api-Version", "v9-private"), 250, 1_500, 7_000));
        Map<String, Object> d = w.describe();
        assertThat(d).containsEntry("type", "http").containsEntry("url", collector.url("/in").toString())
                .containsEntry("batch_events", 250).containsEntry("flush_ms", 1_500L).containsEntry("timeout_ms", 7_000L)
                .containsEntry("headers", List.of("X-Api-Version")).containsEntry("authorization", "env:COLLECTOR_TOKEN");
        assertThat(d.toString()).doesNotContain("v9-private").doesNotContain("s3cr3t");
        assertThat(secretsAsked).isEmpty();
    }

    // ---- failures ----

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 307, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504})
    void anything_but_2xx_throws_keeps_the_rows_pending_and_never_shows_the_token(int code) throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000));
        w.write(custom(1), T);
        w.write(custom(2), T);
        String echo = "you sent Authorization: " + TOKEN + " and token " + TOKEN.substring(7) + " " + "x".repeat(500);
        collector.enqueue(new MockResponse.Builder().code(code).setHeader("Location", collector.url("/elsewhere").toString())
                .body(echo).build());
        collector.enqueue(status(200)); // a redirect followed would land here
        IOException e = catchThrowableOfType(IOException.class, w::confirm);
        assertThat(e).as("HTTP %d throws", code).isNotNull().isNotInstanceOf(SinkBackoff.class);
        assertThat(e.getMessage()).contains("HTTP " + code).contains(collector.url("/kiln/events").toString())
                .contains("you sent Authorization: ***").doesNotContain(TOKEN).doesNotContain(TOKEN.substring(7));
        assertThat(e.getMessage().length()).isLessThan(collector.url("/kiln/events").toString().length() + 260);
        assertThat(w.pending()).as("nothing confirmed").isEqualTo(2);
        assertThat(collector.getRequestCount()).as("redirects are not followed").isEqualTo(1);
        assertThat(registry.find("kiln.currents.http.requests").tag("outcome", code / 100 + "xx").counter().count()).isEqualTo(1);
    }

    @Test
    void retry_after_seconds_on_a_503_becomes_a_sink_backoff() throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000));
        w.write(custom(1), T);
        collector.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "7").build());
        SinkBackoff b = catchThrowableOfType(SinkBackoff.class, w::confirm);
        assertThat(b).isNotNull();
        assertThat(b.retryAfterMillis()).isEqualTo(7_000);
        assertThat(b.getMessage()).contains("HTTP 503").contains("Retry-After 7000 ms");
    }

    @Test
    void retry_after_as_a_date_on_a_429_becomes_a_sink_backoff() throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000));
        w.write(custom(1), T);
        String in90s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(90));
        collector.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", in90s).build());
        SinkBackoff b = catchThrowableOfType(SinkBackoff.class, w::confirm);
        assertThat(b).isNotNull();
        // whole seconds in the header; the check itself ran a moment after "now" above
        assertThat(b.retryAfterMillis()).isBetween(80_000L, 90_000L);
    }

    @Test
    void retry_after_is_ignored_on_other_statuses() throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000));
        w.write(custom(1), T);
        collector.enqueue(new MockResponse.Builder().code(500).setHeader("Retry-After", "30").build());
        IOException e = catchThrowableOfType(IOException.class, w::confirm);
        assertThat(e).isNotNull().isNotInstanceOf(SinkBackoff.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "120|120000", " 3 |3000", "0|0", "-5|0", "soon|0", "1.5|0", "|0",
            "Tue, 14 Nov 2023 22:16:03 GMT|40000", "Tue, 14 Nov 2023 22:15:00 GMT|0", "Wed, 31 Feb 2023 99:00:00 GMT|0"})
    void retry_after_values_are_parsed(String value, long expected) {
        // now = 2023-11-14T22:15:23Z
        assertThat(HttpSinkWriter.retryAfterMillis(value, 1_700_000_123_000L)).isEqualTo(expected);
    }

    @Test
    void a_timeout_throws() throws Exception {
        HttpSinkWriter w = writer(sink(collector.url("/slow").toString(), Map.of(), 10, 1_000, 300));
        w.write(custom(1), T);
        collector.enqueue(new MockResponse.Builder().code(200).headersDelay(10, TimeUnit.SECONDS).build());
        assertThatThrownBy(w::confirm).isInstanceOf(HttpTimeoutException.class).hasMessageContaining("300 ms");
        assertThat(w.pending()).isEqualTo(1);
    }

    @Test
    void a_connection_refused_throws() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HttpSinkWriter w = writer(sink("http://127.0.0.1:" + port + "/in", Map.of(), 10, 1_000, 2_000));
        w.write(custom(1), T);
        assertThatThrownBy(w::confirm).isInstanceOf(IOException.class).hasMessageContaining("POST http://127.0.0.1:" + port + "/in failed")
                .message().doesNotContain(TOKEN);
    }

    @Test
    void link_local_and_metadata_addresses_are_always_refused() throws Exception {
        HttpSinkWriter w = writer(sink("http://169.254.169.254/latest/meta-data", Map.of(), 10, 1_000, 2_000));
        w.write(custom(1), T);
        assertThatThrownBy(w::confirm).isInstanceOf(OutboundDeniedException.class).hasMessageContaining("169.254.169.254");
        assertThat(secretsAsked).as("the secret is not even read").isEmpty();
    }

    @Test
    void the_configured_outbound_policy_applies() throws Exception {
        HttpSinkWriter w = writer(sink(10, 1_000), OutboundPolicy.of(List.of(), List.of("127.0.0.0/8", "::1", "localhost")));
        w.write(custom(1), T);
        assertThatThrownBy(w::confirm).isInstanceOf(OutboundDeniedException.class).hasMessageContaining("outbound policy");
        assertThat(collector.getRequestCount()).isZero();

        HttpSinkWriter allowed = writer(sink(10, 1_000), OutboundPolicy.of(List.of(collector.getHostName()), List.of()));
        allowed.write(custom(1), T);
        collector.enqueue(status(200));
        assertThat(allowed.confirm()).isEqualTo(1);
    }

    @Test
    void discard_forgets_the_pending_rows() throws Exception {
        HttpSinkWriter w = writer(sink(3, 1_000));
        w.write(custom(1), T);
        w.write(custom(2), T);
        w.discard();
        assertThat(w.pending()).isZero();
        assertThat(w.confirmBy()).isEqualTo(Long.MAX_VALUE);
        w.write(custom(3), T + 5);
        collector.enqueue(status(200));
        assertThat(w.confirm()).isEqualTo(1);
        RecordedRequest r = take();
        assertThat(json(r).get("events")).extracting(e -> e.get("id").asText()).containsExactly("e3");
        assertThat(r.getHeaders().get("Idempotency-Key")).isEqualTo("crm:3-3");
    }

    @ParameterizedTest
    @CsvSource({"0,1000,60000,1000", "2000,1000,60000,2000", "30000,4000,60000,30000", "3600000,1000,60000,60000",
            "5000,8000,60000,8000", "-1,1000,60000,1000"})
    void the_exporter_waits_the_longer_of_its_backoff_and_retry_after_capped_by_retry_max(long retryAfter, long backoff, long max, long expected) {
        Exception failure = retryAfter < 0 ? new IOException("HTTP 500") : new SinkBackoff("HTTP 503", retryAfter);
        assertThat(CurrentsExporter.retryWait(backoff, failure, max)).isEqualTo(expected);
    }
}
