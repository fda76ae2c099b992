package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5 acceptance: {@code kill -9} mid-sync then restart: every row applied exactly once. A SQLite
 * warehouse holds {@value #ROWS} rows of {@code {"hits": {"inc": 1}}} (users.attributes) or {@code {"name": "hit"}}
 * (users.events: an event applied twice would count twice) over {@value #USERS} users, each row with its own
 * {@code UPDATED_AT}; a manual integration syncs them {@value #BATCH} rows per commit. The server is killed once
 * some rows are applied and before the sync ends, restarted, and synced again until a sync succeeds: the sum of
 * {@code hits} (or of {@code hit} events) equals the number of rows, and each user has exactly its rows.
 */
class CdiKill9Test {
    private static final int ROWS = 20_000;
    private static final int USERS = 2_000;
    private static final int BATCH = 200;
    private static final String ID = "hits";
    /** Kill once this many rows are applied: several batches, all inside the watermark's 1 h overlap window (rows are 1 s apart). */
    private static final int KILL_AFTER = 5 * BATCH;
    private static final DateTimeFormatter SPACE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @TempDir Path data;
    private KilnProcess started;

    @AfterEach
    void keepServerLog() { ProcessLogs.keep(started, getClass().getSimpleName()); }

    @ParameterizedTest
    @ValueSource(strings = {"users.attributes", "users.events"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kill_9_mid_sync_then_restart_applies_every_row_exactly_once(String type) throws Exception {
        boolean events = type.equals("users.events");
        Path warehouse = data.resolve("warehouse.db");
        writeWarehouse(warehouse, events);
        Path definitions = data.resolve("definitions");
        Files.createDirectories(definitions.resolve("cdi"));
        Files.writeString(definitions.resolve("cdi/" + ID + ".yaml"), """
                id: %s
                name: Hits counter
                source:
                  jdbc_url: jdbc:sqlite:%s
                  table: hit_rows
                type: %s
                schedule: { manual: true }
                batch_size: %d
                """.formatted(ID, warehouse.toAbsolutePath(), type, BATCH), StandardCharsets.UTF_8);

        try (KilnProcess kiln = started = KilnProcess.builder(data.resolve("server")).definitions(definitions)
                .args("--rate-limit", "1000000/1s").start()) {
            String firstJob;
            long syncedAtKill;
            try (KilnClient client = kiln.client()) {
                firstJob = startSync(client);
                AtomicReference<JsonNode> last = new AtomicReference<>();
                await("some rows applied, sync not finished").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            JsonNode job = job(client, firstJob);
                            last.set(job);
                            if (!job.path("job_status").asText().equals("running"))
                                throw new AssertionError("the sync ended before it could be killed (make it slower): " + job);
                            return job.path("rows_synced").asLong() >= KILL_AFTER;
                        });
                syncedAtKill = last.get().path("rows_synced").asLong();
                kiln.kill9();
            }
            System.out.printf("CdiKill9Test: killed with rows_synced=%d of %d%n", syncedAtKill, ROWS);

            kiln.restart();
            try (KilnClient client = kiln.client()) {
                JsonNode interrupted = job(client, firstJob);
                assertThat(interrupted.path("job_status").asText()).as("the killed job: %s", interrupted).isEqualTo("interrupted");
                Map<String, Long> afterKill = hits(client, events);
                long appliedBefore = afterKill.values().stream().mapToLong(Long::longValue).sum();
                System.out.printf("CdiKill9Test: after restart, sum of hits = %d%n", appliedBefore);
                assertThat(appliedBefore).as("rows applied before the kill (the kill came mid-sync)").isPositive().isLessThan(ROWS);
                assertThat(appliedBefore % BATCH).as("whole batches are committed: %d", appliedBefore).isZero();

                List<JsonNode> finished = new ArrayList<>();
                for (int attempt = 0; attempt < 5; attempt++) {
                    String job = startSync(client);
                    JsonNode done = awaitEnd(client, job, kiln);
                    finished.add(done);
                    if (done.path("job_status").asText().equals("success")) break;
                }
                JsonNode last = finished.getLast();
                long resumedApplied = finished.stream().mapToLong(j -> j.path("rows_synced").asLong()).sum();
                assertThat(resumedApplied).as("rows applied by the resumed sync(s) %s: the rest, none twice", finished)
                        .isEqualTo(ROWS - appliedBefore);
                assertThat(finished.getFirst().path("rows_already_synced").asLong())
                        .as("the resumed sync passes over the rows applied before the kill (all inside the overlap): %s", finished.getFirst())
                        .isEqualTo(appliedBefore);
                assertThat(last.path("job_status").asText()).as("the final sync: %s; all: %s", last, finished).isEqualTo("success");
                assertThat(last.path("rows_failed_with_errors").asLong()).as("%s", last).isZero();

                assertExactlyOnce(client, events, "after the resumed sync " + finished);

                // Once more: nothing new to apply, nothing applied twice.
                JsonNode again = awaitEnd(client, startSync(client), kiln);
                assertThat(again.path("job_status").asText()).as("%s", again).isEqualTo("success");
                assertThat(again.path("rows_synced").asLong()).as("a repeated sync applies nothing: %s", again).isZero();
                assertExactlyOnce(client, events, "after a repeated sync " + again);

                JsonNode newest = client.get("/cdi/integrations/" + ID + "/job_sync_status").json().path("results").get(0);
                assertThat(newest.path("job_status").asText()).as("newest job %s", newest).isEqualTo("success");
            }
        }
    }

    private void assertExactlyOnce(KilnClient client, boolean events, String context) {
        Map<String, Long> hits = hits(client, events);
        long sum = hits.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> wrong = new LinkedHashMap<>();
        hits.forEach((user, n) -> { if (n != ROWS / USERS) wrong.put(user, n); });
        assertThat(wrong).as("users whose hits differ from %d (%s)", ROWS / USERS, context).isEmpty();
        assertThat(sum).as("sum of hits over all users (%s)", context).isEqualTo(ROWS);
    }

    private static String startSync(KilnClient client) { return CdiJobs.startSync(client, ID); }

    private static JsonNode awaitEnd(KilnClient client, String jobId, KilnProcess kiln) {
        return CdiJobs.awaitEnd(client, ID, jobId, Duration.ofSeconds(180));
    }

    private static JsonNode job(KilnClient client, String jobId) { return CdiJobs.job(client, ID, jobId); }

    /** {@code hits} (or the count of {@code hit} events) of every user (0 when unset), 50 at a time through {@code /users/export/ids}. */
    private static Map<String, Long> hits(KilnClient client, boolean events) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int from = 0; from < USERS; from += 50) {
            List<String> ids = new ArrayList<>();
            for (int u = from; u < Math.min(USERS, from + 50); u++) ids.add(user(u));
            KilnClient.Response r = client.export(ids);
            assertThat(r.status()).as("export: %s", r).isEqualTo(200);
            for (String id : ids) out.put(id, 0L);
            for (JsonNode u : r.json().path("users")) {
                long n = u.path("custom_attributes").path("hits").asLong(0);
                if (events) {
                    n = 0;
                    for (JsonNode e : u.path("custom_events")) if (e.path("name").asText().equals("hit")) n = e.path("count").asLong();
                }
                out.put(u.path("external_id").asText(), n);
            }
        }
        return out;
    }

    private static String user(int u) { return "cdi-user-" + u; }

    private static void writeWarehouse(Path file, boolean events) throws Exception {
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE hit_rows (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hit_rows VALUES (?, ?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    ps.setString(1, SPACE.format(base.plusSeconds(i)));
                    ps.setString(2, user(i % USERS));
                    ps.setString(3, events ? "{\"name\": \"hit\"}" : "{\"hits\": {\"inc\": 1}}");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }
}
