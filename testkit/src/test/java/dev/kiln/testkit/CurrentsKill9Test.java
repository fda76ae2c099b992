package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5 acceptance: after ingesting {@value #EVENTS} custom events and killing the server mid-export,
 * every event reaches each sink at least once — a files connector and an http connector (a collector in
 * this JVM, which outlives the kill) run side by side; the jdbc sink has its own test,
 * {@code CurrentsJdbcKill9Test}; the distinct ids in the sink equal the number of events;
 * the files are readable by a standard reader ({@link GZIPInputStream} + Jackson, one JSON object a line).
 * The server is killed right after the last {@code /users/track} answer, while the connector's last file
 * (it rolls every {@value #ROLL_EVENTS} events, which does not divide the total) is still open; the files
 * on disk at the kill are checked to be short of the total, so the kill is mid-export by observation.
 * After a restart and no more ingest, the rest arrives; a clean stop leaves no {@code .tmp} and no empty file.
 */
class CurrentsKill9Test {
    private static final int EVENTS = 5_000;
    private static final int PER_REQUEST = 75;
    private static final int ROLL_EVENTS = 64;
    private static final int USERS = 100;
    /** Does not divide {@value #EVENTS}: the last batch is pending (flushed after 5 s) when the server is killed. */
    private static final int HTTP_BATCH = 300;
    private static final String TYPE = "users.behaviors.CustomEvent";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path data;
    private KilnProcess started;

    @AfterEach
    void keepServerLog() { ProcessLogs.keep(started, getClass().getSimpleName()); }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kill_9_mid_export_then_restart_every_event_reaches_the_files_at_least_once() throws Exception {
        Path sink = data.resolve("currents");
        Path definitions = data.resolve("definitions");
        Files.createDirectories(definitions.resolve("currents"));
        Collector collector = Collector.start();
        Files.writeString(definitions.resolve("currents/collector.yaml"), """
                id: collector
                events: [%s]
                sink:
                  type: http
                  url: %s
                  batch_events: %d
                  flush: 5s
                """.formatted(TYPE, collector.url(), HTTP_BATCH), StandardCharsets.UTF_8);
        Files.writeString(definitions.resolve("currents/files.yaml"), """
                id: files
                events: [%s]
                sink:
                  type: files
                  path: %s
                  format: ndjson_gzip
                  roll_seconds: 5
                  roll_events: %d
                """.formatted(TYPE, sink.toAbsolutePath(), ROLL_EVENTS), StandardCharsets.UTF_8);

        try (KilnProcess kiln = started = KilnProcess.builder(data.resolve("server")).definitions(definitions)
                .args("--rate-limit", "1000000/1s").start()) {
            try (KilnClient client = kiln.client()) {
                for (int from = 0; from < EVENTS; from += PER_REQUEST) {
                    KilnClient.Response r = client.track(batch(from, Math.min(EVENTS, from + PER_REQUEST)));
                    assertThat(r.status()).as("track events %d..: %s", from, r).isEqualTo(201);
                }
                kiln.kill9();
            }

            // The server is dead: the files on disk now are what the kill left.
            Sink atKill = Sink.read(sink);
            System.out.printf("CurrentsKill9Test: at kill, %d complete files, %d .tmp, %d records, %d distinct ids%n",
                    atKill.files.size(), atKill.tmp.size(), atKill.records, atKill.ids.size());
            assertThat(atKill.problems).as("files at the kill").isEmpty();
            assertThat(atKill.files).as("some files were written before the kill").isNotEmpty();
            assertThat(atKill.ids.size()).as("the kill came mid-export: not every event was in a complete file").isLessThan(EVENTS);
            Set<String> collectedAtKill = Set.copyOf(collector.ids.keySet());
            System.out.printf("CurrentsKill9Test: at kill, the collector holds %d distinct ids in %d requests%n",
                    collectedAtKill.size(), collector.requests.get());
            assertThat(collectedAtKill.size()).as("the kill came mid-export for the http sink too").isLessThan(EVENTS);

            kiln.restart();
            await("every event reaches the files after the restart").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Sink.read(sink).ids.size() >= EVENTS && collector.ids.size() >= EVENTS);

            assertThat(kiln.sigterm()).as("clean stop; log:\n%s", kiln.logTail(30)).isZero();

            Sink end = Sink.read(sink);
            System.out.printf("CurrentsKill9Test: at the end, %d files, %d records, %d distinct ids (%d duplicates)%n",
                    end.files.size(), end.records, end.ids.size(), end.records - end.ids.size());
            assertThat(end.problems).as("every file readable, one JSON object a line, of type %s", TYPE).isEmpty();
            assertThat(end.tmp).as(".tmp files after a clean stop").isEmpty();
            assertThat(end.empty).as("empty files").isEmpty();
            assertThat(end.ids).as("distinct ids in the sink").hasSize(EVENTS);
            Set<Integer> missing = new TreeSet<>();
            for (int n = 0; n < EVENTS; n++) if (!end.ns.containsKey(n)) missing.add(n);
            assertThat(missing).as("events (by property n) missing from the sink").isEmpty();
            Map<Integer, Set<String>> twoIds = new LinkedHashMap<>();
            end.ns.forEach((n, ids) -> { if (ids.size() != 1) twoIds.put(n, ids); });
            assertThat(twoIds).as("events exported under more than one id").isEmpty();
            assertThat(end.ns.keySet()).as("no event the test did not send").allMatch(n -> n >= 0 && n < EVENTS);
            assertThat(atKill.ids).as("ids exported before the kill are ids exported at the end").isSubsetOf(end.ids);

            System.out.printf("CurrentsKill9Test: the collector got %d requests, %d records, %d distinct ids%n",
                    collector.requests.get(), collector.records.get(), collector.ids.size());
            assertThat(collector.problems).as("collector requests").isEmpty();
            assertThat(collector.ids.keySet()).as("the http sink delivered the same events as the files sink").isEqualTo(end.ids);
            Set<Integer> missingHttp = new TreeSet<>();
            for (int n = 0; n < EVENTS; n++) if (!collector.ids.containsValue(n)) missingHttp.add(n);
            assertThat(missingHttp).as("events (by property n) the collector never received").isEmpty();
        } finally {
            collector.stop();
        }
    }

    /** An HTTP collector answering 200 to every well-formed batch, recording each event's id and property n. */
    private static final class Collector {
        final com.sun.net.httpserver.HttpServer server;
        final Map<String, Integer> ids = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong records = new java.util.concurrent.atomic.AtomicLong();
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

        private Collector(com.sun.net.httpserver.HttpServer server) { this.server = server; }

        static Collector start() throws IOException {
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            Collector c = new Collector(server);
            server.createContext("/events", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    int status = 200;
                    try {
                        JsonNode events = JSON.readTree(body).path("events");
                        if (!events.isArray()) throw new IOException("no events array");
                        for (JsonNode e : events) {
                            int n = JSON.readTree(e.path("properties").asText("{}")).path("n").asInt(-1);
                            if (!e.path("id").isTextual() || n < 0 || !TYPE.equals(e.path("type").asText()))
                                throw new IOException("unexpected record " + e);
                            c.ids.put(e.path("id").asText(), n);
                            c.records.incrementAndGet();
                        }
                        c.requests.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        c.problems.add(e.toString());
                        status = 400;
                    }
                    exchange.sendResponseHeaders(status, -1);
                }
            });
            server.start();
            return c;
        }

        String url() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/events"; }

        void stop() { server.stop(0); }
    }

    private static String batch(int from, int to) {
        String now = Instant.now().toString();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int n = from; n < to; n++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("external_id", "currents-user-" + (n % USERS));
            e.put("name", "page_hit");
            e.put("time", now);
            e.put("properties", Map.of("n", n));
            events.add(e);
        }
        return KilnClient.toJson(Map.of("events", events));
    }

    /** What the sink directory holds: complete files read with a standard reader, and leftovers. */
    private static final class Sink {
        final List<Path> files = new ArrayList<>();
        final List<Path> tmp = new ArrayList<>();
        final List<Path> empty = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        final Map<Integer, Set<String>> ns = new HashMap<>();
        long records;

        static Sink read(Path root) {
            Sink s = new Sink();
            if (!Files.isDirectory(root)) return s;
            List<Path> all;
            try (Stream<Path> walk = Files.walk(root)) {
                all = walk.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException | UncheckedIOException e) {
                s.problems.add("walk: " + e); // a .tmp renamed under our feet while the server runs
                return s;
            }
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) { s.tmp.add(p); continue; }
                if (!name.endsWith(".json.gz")) { s.problems.add("unexpected file " + p); continue; }
                s.files.add(p);
                if (!p.getParent().getParent().getFileName().toString().equals("event_type=" + TYPE))
                    s.problems.add("file outside event_type=" + TYPE + ": " + p);
                int lines = 0;
                try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(p)), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines++;
                        JsonNode r = JSON.readTree(line);
                        if (r == null || !r.isObject() || !r.path("id").isTextual()) { s.problems.add(p + ": not a record with an id: " + line); continue; }
                        s.records++;
                        String id = r.path("id").asText();
                        s.ids.add(id);
                        JsonNode props = JSON.readTree(r.path("properties").asText("{}"));
                        if (!"page_hit".equals(r.path("name").asText()) || !props.path("n").isInt()) {
                            s.problems.add(p + ": unexpected record " + line);
                            continue;
                        }
                        s.ns.computeIfAbsent(props.path("n").asInt(), k -> new TreeSet<>()).add(id);
                    }
                } catch (IOException e) {
                    s.problems.add(p + ": unreadable: " + e);
                }
                if (lines == 0) s.empty.add(p);
            }
            return s;
        }
    }
}
