package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Currents seen from outside: {@code GET /currents} over HTTP (the connector's cursor, lag and exported events,
 * as an operator sees them), and the {@code currents/*.yaml} documents the benchmark writes.
 */
final class DataCurrents {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The events every connector of the benchmark exports (the example's globs). */
    static final String EVENTS = "[users.behaviors.*, users.messages.*, users.canvas.*, users.attributes.Change]";

    private final HttpClient http;
    private final URI uri;
    private final String authorization;

    DataCurrents(HttpClient http, URI base, String apiKey) {
        this.http = http;
        this.uri = base.resolve("/currents");
        this.authorization = "Bearer " + apiKey;
    }

    /**
     * One connector's reading; {@code atNanos} is when the answer arrived.
     *
     * @param exported events confirmed by the sink since the server started
     */
    record Status(long atNanos, long cursor, long lastSeq, long lag, long exported, String lastError) {}

    Status read(String connector) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
            long at = System.nanoTime();
            if (r.statusCode() != 200) throw new IllegalStateException("GET /currents answered " + r.statusCode() + ": " + r.body());
            for (JsonNode c : JSON.readTree(r.body()).path("connectors"))
                if (c.path("id").asText().equals(connector))
                    return new Status(at, c.path("cursor").asLong(), c.path("last_seq").asLong(), c.path("lag_events").asLong(),
                            c.path("exported_events").asLong(), c.hasNonNull("last_error") ? c.get("last_error").asText() : null);
            throw new IllegalStateException("GET /currents has no connector " + connector + ": " + r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET /currents failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * {@code currents/<id>.yaml}: the files sink, ndjson_gzip, with Kiln's default roll settings unless
     * {@code rollSeconds} / {@code rollEvents} are given.
     */
    static void writeFiles(Path definitions, String id, Path root, Integer rollSeconds, Integer rollEvents) {
        StringBuilder y = new StringBuilder()
                .append("id: ").append(id).append('\n')
                .append("events: ").append(EVENTS).append('\n')
                .append("sink:\n")
                .append("  type: files\n")
                .append("  path: '").append(root.toAbsolutePath().toString().replace("'", "''")).append("'\n")
                .append("  format: ndjson_gzip\n");
        if (rollSeconds != null) y.append("  roll_seconds: ").append(rollSeconds).append('\n');
        if (rollEvents != null) y.append("  roll_events: ").append(rollEvents).append('\n');
        write(definitions, id, y.toString());
    }

    /** {@code currents/<id>.yaml}: the jdbc sink into {@code table} at {@code jdbcUrl}, other settings Kiln's defaults. */
    static void writeJdbc(Path definitions, String id, String jdbcUrl, String table) {
        write(definitions, id, "id: " + id + "\n"
                + "events: " + EVENTS + "\n"
                + "sink:\n"
                + "  type: jdbc\n"
                + "  jdbc_url: '" + jdbcUrl.replace("'", "''") + "'\n"
                + "  table: " + table + "\n");
    }

    /** Removes every connector document, so the next start runs none of them. */
    static void clear(Path definitions) {
        Path dir = definitions.resolve("currents");
        if (!Files.isDirectory(dir)) return;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    private static void write(Path definitions, String id, String yaml) {
        try {
            Files.createDirectories(definitions.resolve("currents"));
            Files.writeString(definitions.resolve("currents").resolve(id + ".yaml"), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write currents/" + id + ".yaml", e);
        }
    }
}
