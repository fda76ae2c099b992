package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.ApiKeys;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import dev.kiln.server.currents.CurrentsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Currents over a real {@link KilnServer}: events ingested through /users/track reach the files, a restart
 * resumes from the cursor without a gap, GET /currents reports cursor and lag, and pruning waits for the slowest
 * connector.
 */
class CurrentsEndToEndTest {
    static final CurrentsConfig FAST = CurrentsConfig.defaults().withPoll(Duration.ofMillis(20)).withRetryMax(Duration.ofMillis(200));
    static final long DAY = 86_400_000L;

    @TempDir Path dir;
    Path definitions, out;
    final String key = ApiKeys.newKey();
    KilnServer server;
    Http http;

    @BeforeEach void definitions() throws IOException {
        definitions = Files.createDirectories(dir.resolve("definitions/currents"));
        out = dir.resolve("out");
        Files.writeString(definitions.resolve("files.yaml"), """
                id: files
                events: [users.behaviors.CustomEvent]
                sink: { type: files, path: %s, roll_seconds: 1, roll_events: 50 }
                """.formatted(out));
        definitions = definitions.getParent();
    }

    @AfterEach void stop() {
        if (server != null) server.close();
    }

    void start() {
        server = KilnServer.start(ServerConfig.of(0, "jdbc:sqlite:" + dir.resolve("kiln.db"), definitions).withAdminKey(key), FAST);
        http = new Http(server.port());
    }

    void track(int from, int to) { track(http, key, from, to); }

    /** Tracks {@code page_view} events {@code from} until {@code to} (exclusive, property n), 75 a request, for ten users. */
    static void track(Http http, String key, int from, int to) {
        for (int i = from; i < to; i += 75) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int j = i; j < Math.min(to, i + 75); j++)
                events.add(Map.of("external_id", "user-" + (j % 10), "name", "page_view", "time", Instant.now().toString(),
                        "properties", Map.of("n", j)));
            Http.Response r = http.post("/users/track", key, Map.of("events", events));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    List<JsonNode> exported() {
        List<JsonNode> all = new ArrayList<>();
        if (!Files.isDirectory(out)) return all;
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json.gz")).toList()) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) all.add(Http.JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    Set<Integer> exportedNumbers() {
        Set<Integer> n = new HashSet<>();
        for (JsonNode e : exported()) {
            try {
                n.add(Http.JSON.readTree(e.get("properties").asText()).get("n").asInt());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return n;
    }

    long distinctIds() {
        return exported().stream().map(e -> e.get("id").asText()).distinct().count();
    }

    static void await(BooleanSupplier condition, String what) {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void every_tracked_event_reaches_the_files_once_with_brazes_fields() {
        start();
        int n = 300;
        track(0, n);
        await(() -> distinctIds() == n, n + " distinct ids");
        assertThat(exported()).hasSize(n);
        JsonNode e = exported().get(0);
        assertThat(e.get("name").asText()).isEqualTo("page_view");
        assertThat(e.get("external_user_id").asText()).startsWith("user-");
        assertThat(e.get("user_id").asText()).isNotBlank();
        assertThat(e.get("time").asLong()).isBetween(Instant.now().getEpochSecond() - 120, Instant.now().getEpochSecond());
        assertThat(exportedNumbers()).hasSize(n);
        try (Stream<Path> files = Files.walk(out)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .allSatisfy(f -> assertThat(f).startsWith("files.").endsWith(".json.gz"));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void get_currents_reports_each_connector_with_cursor_and_lag_and_needs_its_scope() {
        start();
        track(0, 10);
        await(() -> http.get("/currents", key).json().at("/connectors/0/lag_events").asLong(-1) == 0
                && http.get("/currents", key).json().at("/connectors/0/cursor").asLong() > 0, "lag 0");
        Http.Response r = http.get("/currents", key);
        assertThat(r.status()).isEqualTo(200);
        JsonNode c = r.json().at("/connectors/0");
        assertThat(c.get("id").asText()).isEqualTo("files");
        assertThat(c.get("events").get(0).asText()).isEqualTo("users.behaviors.CustomEvent");
        assertThat(c.at("/sink/type").asText()).isEqualTo("files");
        assertThat(c.get("exported_events").asLong()).isEqualTo(10);
        assertThat(c.get("last_error").isNull()).isTrue();
        String other = ApiKeys.newKey();
        server.store().apiKeys().create(ApiKeys.newId(), "limited", ApiKeys.hash(other), Set.of(Scopes.USERS_TRACK), System.currentTimeMillis());
        assertThat(http.get("/currents", other).status()).isEqualTo(403);
        assertThat(http.get("/metrics", key).body()).contains("kiln_currents_lag_events{connector=\"files\"}");
    }

    @Test
    void a_restart_resumes_from_the_cursor_without_a_gap() {
        start();
        int n = 400;
        track(0, 200);
        server.close(); // mid-way: some files complete, some open; a clean stop completes them
        server = null;
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(Path::toString)).noneMatch(p -> p.endsWith(".tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
        track(200, n);
        await(() -> exportedNumbers().size() == n, n + " events");
        assertThat(distinctIds()).isEqualTo(n);
    }

    @Test
    void pruning_never_passes_the_slowest_cursor_until_the_maximum_retention() throws IOException {
        // a second connector whose sink cannot be written: its cursor stays at 0
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "a file where the directory should be");
        Files.writeString(definitions.resolve("currents/blocked.yaml"), """
                id: blocked
                events: [users.behaviors.*]
                sink: { type: files, path: %s, roll_seconds: 1 }
                """.formatted(blocked));
        start();
        track(0, 20);
        await(() -> exportedNumbers().size() == 20, "the healthy connector");
        long now = System.currentTimeMillis();
        assertThat(server.runtime().pruneEventLog(now + 31 * DAY)).isZero();
        assertThat(server.store().readEventLog(0, 1000)).hasSize(20);

        Files.delete(blocked); // the sink recovers and catches up
        await(() -> server.currents().prunableThroughSeq() >= 20, "the blocked connector");
        assertThat(server.runtime().pruneEventLog(now + DAY)).as("within the retention").isZero();
        assertThat(server.runtime().pruneEventLog(now + 31 * DAY)).isEqualTo(20);
    }

    @Test
    void past_the_maximum_retention_rows_are_pruned_even_for_a_stuck_connector() throws IOException {
        Files.delete(definitions.resolve("currents/files.yaml"));
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "not a directory");
        Files.writeString(definitions.resolve("currents/blocked.yaml"), """
                id: blocked
                events: [users.behaviors.*]
                sink: { type: files, path: %s }
                """.formatted(blocked));
        start();
        track(0, 5);
        long now = System.currentTimeMillis();
        assertThat(server.runtime().pruneEventLog(now + 89 * DAY)).isZero();
        assertThat(server.runtime().pruneEventLog(now + 91 * DAY)).isEqualTo(5);
    }
}
