package dev.kiln.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small client for Kiln's HTTP API, for tests and the benchmark. Every call returns the status and the
 * body whatever the status is; a request that gets no answer at all (connection refused or reset,
 * timeout) throws {@link UncheckedIOException} whose cause says which. Requests are never retried, so
 * "no answer" really means the server may or may not have applied it.
 */
public final class KilnClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final boolean ownsHttp;
    private final URI base;
    private final String apiKey;
    private final Duration timeout;

    private KilnClient(HttpClient http, boolean ownsHttp, URI base, String apiKey, Duration timeout) {
        this.http = http;
        this.ownsHttp = ownsHttp;
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    /**
     * A client of the server at {@code baseUrl} (such as {@code http://127.0.0.1:4000}) that sends
     * {@code Authorization: Bearer apiKey}, or no such header when {@code apiKey} is null.
     */
    public static KilnClient of(String baseUrl, String apiKey) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // Kiln speaks HTTP/1.1; skip the h2c upgrade dance
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        return new KilnClient(http, true, URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl),
                apiKey, DEFAULT_TIMEOUT);
    }

    /** The same server and connections with another key (null: none). Closing the view closes nothing. */
    public KilnClient withKey(String apiKey) { return new KilnClient(http, false, base, apiKey, timeout); }

    /** The same server, key and connections, but requests without an answer after {@code timeout} fail. */
    public KilnClient withTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        return new KilnClient(http, false, base, apiKey, timeout);
    }

    public String baseUrl() { return base.toString(); }

    /** {@code POST /users/track}. */
    public Response track(String json) { return post("/users/track", json); }

    /** {@code POST /users/export/ids} with this body. */
    public Response export(String json) { return post("/users/export/ids", json); }

    /** {@code POST /users/export/ids} for these external ids (at most 50, as Braze). */
    public Response export(List<String> externalIds) {
        return export(toJson(Map.of("external_ids", externalIds)));
    }

    /** POST of a JSON body (sent as is, so malformed bodies can be sent too). */
    public Response post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response get(String path) { return send(request(path).GET()); }

    /** Any request built on {@link #request}: for methods and headers the shortcuts don't cover. */
    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), parse(r.body()), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(describe(request) + " got no answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while waiting for " + describe(request)));
        }
    }

    /** A request to {@code path} with this client's key and timeout. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    /** Serialises maps, lists and values to JSON (for building request bodies). */
    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName() + " to JSON", e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) return MissingNode.getInstance();
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance(); // not JSON: the raw body is in Response.body
        }
    }

    private static String describe(HttpRequest.Builder request) {
        HttpRequest r = request.copy().build();
        return r.method() + " " + r.uri();
    }

    @Override
    public void close() {
        if (ownsHttp) http.close();
    }

    /**
     * One answer.
     *
     * @param json the body parsed as JSON; {@link MissingNode} when empty or not JSON
     * @param body the body as text
     */
    public record Response(int status, JsonNode json, String body, HttpHeaders headers) {
        @Override public String toString() {
            return status + " " + (body.length() > 2000 ? body.substring(0, 2000) + "…" : body);
        }
    }
}
