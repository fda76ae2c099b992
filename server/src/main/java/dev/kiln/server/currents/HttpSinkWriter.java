package dev.kiln.server.currents;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.delivery.OutboundPolicy;
import dev.kiln.store.EventLogRow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code http} sink: pending rows are POSTed as one JSON document, {@code {"events": [record, ...]}}, each
 * record being {@link CurrentsMapper#map} of a row with {@code "type": "<event type>"} added after {@code id}.
 * The writer is full at {@code batch_events} rows; rows must be confirmed {@code flush} after the first was
 * written. {@link #confirm} succeeds on a 2xx only; any other answer, a timeout or a network error throws, and
 * the exporter retries from its cursor with backoff (a {@link SinkBackoff} when a 429 or 503 carries
 * {@code Retry-After}).
 *
 * <p>Headers: the configured ones, then {@code Content-Type: application/json}, {@code Idempotency-Key:
 * <connector>:<firstSeq>-<lastSeq>}, {@code Authorization} (read from its secret reference at each request, so
 * a rotated secret takes effect at the next batch) and {@code User-Agent: kiln-currents} unless configured.
 * The body is not compressed: many receivers do not decode a gzip request body, and one that cannot read the
 * body would stall the connector.
 *
 * <p>The destination is checked against the outbound policy before each request. Error messages hold the
 * status, the URL and at most {@value #BODY_SNIPPET} characters of the response body, with the Authorization
 * value (and its credential part) replaced by {@code ***}.
 */
final class HttpSinkWriter implements SinkWriter {
    static final String USER_AGENT = "kiln-currents";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Characters of a failed response's body kept in the error message. */
    static final int BODY_SNIPPET = 200;
    /** Bytes of a response body read at most (the rest is drained and dropped). */
    private static final int BODY_READ = 4096;

    private final String connectorId;
    private final CurrentsConnector.Http sink;
    private final URI uri;
    private final java.util.function.Function<dev.kiln.definitions.Connection.SecretRef, String> secrets;
    private final OutboundPolicy outbound;
    private final HttpClient client;
    private final MeterRegistry registry;

    private final ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    private int pending;
    private long firstSeq, lastSeq, firstAt;

    HttpSinkWriter(String connectorId, CurrentsConnector.Http sink, SinkWriters.SinkContext context) {
        this.connectorId = connectorId;
        this.sink = sink;
        this.uri = URI.create(sink.url());
        this.secrets = context.secrets();
        this.outbound = context.outbound();
        this.registry = context.registry();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(sink.timeoutMillis()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        for (Map.Entry<String, String> h : sink.headers().entrySet()) {
            try {
                HttpRequest.newBuilder(uri).setHeader(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                client.shutdownNow();
                throw new IllegalArgumentException("Currents " + connectorId + ": header " + h.getKey()
                        + " cannot be sent by the http sink (" + e.getMessage() + ")");
            }
        }
    }

    @Override public void write(EventLogRow row, long nowMillis) throws JsonProcessingException {
        byte[] record = CurrentsMapper.JSON.writeValueAsBytes(record(row));
        if (pending == 0) {
            body.reset();
            body.writeBytes("{\"events\":[".getBytes(StandardCharsets.US_ASCII));
            firstSeq = row.seq();
            firstAt = nowMillis;
        } else {
            body.write(',');
        }
        body.writeBytes(record);
        lastSeq = row.seq();
        pending++;
    }

    /** The record sent for a row: {@code id}, {@code type} (the event type), then the Currents fields. */
    static Map<String, Object> record(EventLogRow row) {
        Map<String, Object> mapped = CurrentsMapper.map(row);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", mapped.remove("id"));
        out.put("type", row.type());
        mapped.remove("type"); // a reserved event's property named "type": the event type wins
        out.putAll(mapped);
        return out;
    }

    @Override public int pending() { return pending; }

    @Override public boolean full() { return pending >= sink.batchEvents(); }

    @Override public long confirmBy() { return pending == 0 ? Long.MAX_VALUE : firstAt + sink.flushMillis(); }

    /** The {@code Idempotency-Key} of the pending batch: the same rows always get the same key. */
    String idempotencyKey() { return connectorId + ":" + firstSeq + "-" + lastSeq; }

    @Override public int confirm() throws IOException, InterruptedException {
        if (pending == 0) return 0;
        outbound.check(uri);
        String authorization = sink.authorization() == null ? null : secrets.apply(sink.authorization());
        byte[] payload = body.toByteArray();
        byte[] bytes = java.util.Arrays.copyOf(payload, payload.length + 2);
        bytes[payload.length] = ']';
        bytes[payload.length + 1] = '}';
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMillis(sink.timeoutMillis()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        boolean agent = false;
        for (Map.Entry<String, String> h : sink.headers().entrySet()) {
            if (h.getKey().equalsIgnoreCase(IDEMPOTENCY_KEY)) continue; // Kiln's own wins
            b.setHeader(h.getKey(), h.getValue());
            agent |= h.getKey().equalsIgnoreCase("User-Agent");
        }
        if (!agent) b.setHeader("User-Agent", USER_AGENT);
        b.setHeader("Content-Type", "application/json");
        b.setHeader(IDEMPOTENCY_KEY, idempotencyKey());
        if (authorization != null) b.setHeader("Authorization", authorization);

        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(b.build(), info -> new Capped(BODY_READ));
        HttpResponse<byte[]> response;
        try {
            response = future.get(sink.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            count("error");
            throw new HttpTimeoutException("POST " + uri + ": no complete response within " + sink.timeoutMillis() + " ms");
        } catch (ExecutionException e) {
            count("error");
            Throwable cause = e.getCause();
            String what = cause == null ? e.toString() : cause.toString();
            IOException io = new IOException("POST " + uri + " failed: " + mask(what, authorization));
            if (cause instanceof HttpTimeoutException)
                io = new HttpTimeoutException("POST " + uri + ": no response within " + sink.timeoutMillis() + " ms");
            throw io;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            count("2xx");
            int n = pending;
            discard();
            return n;
        }
        count(status / 100 + "xx");
        String text = snippet(new String(response.body(), StandardCharsets.UTF_8), authorization);
        String message = "POST " + uri + " answered HTTP " + status + (text.isEmpty() ? "" : ": " + text);
        if (status == 429 || status == 503) {
            long retryAfter = response.headers().firstValue("Retry-After")
                    .map(v -> retryAfterMillis(v, System.currentTimeMillis())).orElse(0L);
            if (retryAfter > 0) throw new SinkBackoff(message + " (Retry-After " + retryAfter + " ms)", retryAfter);
        }
        throw new IOException(message);
    }

    private void count(String outcome) {
        Counter.builder("kiln.currents.http.requests").tag("connector", connectorId).tag("outcome", outcome)
                .description("Currents http sink requests by outcome (2xx, 3xx, 4xx, 5xx, error)").register(registry).increment();
    }

    /**
     * A {@code Retry-After} value in milliseconds: delta-seconds ({@code 120}) or an HTTP date (RFC 1123, in
     * the future relative to {@code nowMillis}); 0 when absent, malformed or in the past.
     */
    static long retryAfterMillis(String value, long nowMillis) {
        if (value == null) return 0;
        String v = value.strip();
        if (v.matches("\\d{1,10}")) return Long.parseLong(v) * 1000L;
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - nowMillis);
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    /** At most {@value #BODY_SNIPPET} characters of a response body, one line, the Authorization value masked. */
    static String snippet(String body, String authorization) {
        String s = mask(body, authorization).replaceAll("\\s+", " ").strip();
        return s.length() <= BODY_SNIPPET ? s : s.substring(0, BODY_SNIPPET) + "…";
    }

    /** {@code text} with the Authorization value and its credential (the part after the scheme) replaced. */
    static String mask(String text, String authorization) {
        if (text == null || authorization == null || authorization.isBlank()) return text == null ? "" : text;
        String out = text.replace(authorization, "***");
        int space = authorization.indexOf(' ');
        if (space > 0) {
            String credential = authorization.substring(space + 1).strip();
            if (credential.length() >= 4) out = out.replace(credential, "***");
        }
        return out;
    }

    @Override public void discard() {
        body.reset();
        pending = 0;
    }

    @Override public Map<String, Object> describe() { return SinkWriters.describe(sink); }

    @Override public void close() {
        discard();
        client.shutdownNow();
    }

    /** Keeps the first {@code cap} bytes of a body and drains the rest, so the connection can be reused. */
    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int cap;

        Capped(int cap) { this.cap = cap; }

        @Override public CompletionStage<byte[]> getBody() { return result; }

        @Override public void onSubscribe(Flow.Subscription subscription) { subscription.request(Long.MAX_VALUE); }

        @Override public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer buf : items) {
                int n = Math.min(buf.remaining(), cap - kept.size());
                if (n > 0) {
                    byte[] a = new byte[n];
                    buf.get(a);
                    kept.write(a, 0, n);
                }
            }
        }

        @Override public void onError(Throwable throwable) { result.completeExceptionally(throwable); }

        @Override public void onComplete() { result.complete(kept.toByteArray()); }
    }
}
