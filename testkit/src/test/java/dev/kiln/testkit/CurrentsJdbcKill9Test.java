package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Currents jdbc sink across {@code kill -9}: a real server process with a connector to PostgreSQL (a table in a
 * fresh schema {@code jdbcsink_<random>}) takes {@value #EVENTS} custom events and is killed right after the last
 * {@code /users/track} answer and the connector's first confirmed batch, while its last batch (it confirms every {@value #BATCH_EVENTS} events,
 * which does not divide the total, or after 5 s) is still unconfirmed; the table at the kill is checked to be short
 * of the total, so the kill is mid-export by observation. After a restart every event is in the table exactly once
 * by id (the replay of unconfirmed rows is absorbed by {@code ON CONFLICT (id) DO NOTHING}). Skipped with a notice
 * when PostgreSQL is unreachable, unless {@code CI=true}.
 */
class CurrentsJdbcKill9Test {
    private static final int EVENTS = 5_000;
    private static final int PER_REQUEST = 75;
    private static final int BATCH_EVENTS = 64;
    private static final int USERS = 100;
    private static final String PASSWORD_ENV = "KILN_TEST_JDBCSINK_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path data;
    private KilnProcess started;
    private String schema;

    @BeforeEach
    void schema() throws SQLException {
        TestDatabases.requirePostgres();
        schema = "jdbcsink_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec("CREATE SCHEMA " + schema);
    }

    @AfterEach
    void cleanUp() throws SQLException {
        ProcessLogs.keep(started, getClass().getSimpleName());
        if (schema != null) exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kill_9_mid_export_then_restart_every_event_is_in_the_table_once_by_id() throws Exception {
        String table = schema + ".jdbcsink_kill9_events";
        Path definitions = data.resolve("definitions");
        Files.createDirectories(definitions.resolve("currents"));
        Files.writeString(definitions.resolve("currents/warehouse.yaml"), """
                id: warehouse
                events: [users.behaviors.CustomEvent]
                sink:
                  type: jdbc
                  jdbc_url: '%s'
                  user: %s
                  password: { env: %s }
                  table: %s
                  batch_events: %d
                  flush: 5s
                """.formatted(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), PASSWORD_ENV, table, BATCH_EVENTS),
                StandardCharsets.UTF_8);
        // PostgreSQL trusts the test user; the password still travels the secret path ({ env }) end to end.
        String password = TestDatabases.postgresPassword() != null ? TestDatabases.postgresPassword() : "jdbcsink-unused-" + UUID.randomUUID();

        try (KilnProcess kiln = started = KilnProcess.builder(data.resolve("server")).definitions(definitions)
                .env(PASSWORD_ENV, password).args("--rate-limit", "1000000/1s").start()) {
            try (KilnClient client = kiln.client()) {
                for (int from = 0; from < EVENTS; from += PER_REQUEST) {
                    KilnClient.Response r = client.track(batch(from, Math.min(EVENTS, from + PER_REQUEST)));
                    assertThat(r.status()).as("track events %d..: %s", from, r).isEqualTo(201);
                }
                // The kill waits for the first confirmed batch: killed right after the last answer, a loaded machine
                // (the whole suite on 2 cores) had once exported nothing yet. The last partial batch waits for the 5 s flush.
                await("a first batch in the table").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> Table.read(table).rows > 0);
                kiln.kill9();
            }

            Table atKill = Table.read(table);
            System.out.printf("CurrentsJdbcKill9Test: at kill, %d rows, %d distinct ids%n", atKill.rows, atKill.ids.size());
            assertThat(atKill.rows).as("some rows were exported before the kill").isPositive();
            assertThat(atKill.ids.size()).as("the kill came mid-export: not every event was confirmed").isLessThan(EVENTS);

            kiln.restart();
            await("every event reaches the table after the restart").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Table.read(table).ids.size() >= EVENTS);
            assertThat(kiln.sigterm()).as("clean stop; log:\n%s", kiln.logTail(30)).isZero();

            Table end = Table.read(table);
            System.out.printf("CurrentsJdbcKill9Test: at the end, %d rows, %d distinct ids%n", end.rows, end.ids.size());
            assertThat(end.problems).as("every row a custom event page_hit with its n").isEmpty();
            assertThat(end.ids).as("distinct ids in the table").hasSize(EVENTS);
            assertThat(end.rows).as("one row per id").isEqualTo(EVENTS);
            Set<Integer> missing = new TreeSet<>();
            for (int n = 0; n < EVENTS; n++) if (!end.ns.contains(n)) missing.add(n);
            assertThat(missing).as("events (by property n) missing from the table").isEmpty();
            assertThat(end.ns).as("no event the test did not send").allMatch(n -> n >= 0 && n < EVENTS).hasSize(EVENTS);
            assertThat(atKill.ids).as("ids exported before the kill are ids at the end").isSubsetOf(end.ids);
            assertThat(Files.readString(kiln.logFile())).as("the server log never shows the password").doesNotContain(password);
        }
    }

    private static String batch(int from, int to) {
        String now = Instant.now().toString();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int n = from; n < to; n++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("external_id", "jdbcsink-user-" + (n % USERS));
            e.put("name", "page_hit");
            e.put("time", now);
            e.put("properties", Map.of("n", n));
            events.add(e);
        }
        return KilnClient.toJson(Map.of("events", events));
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", TestDatabases.postgresUser());
        if (TestDatabases.postgresPassword() != null) p.setProperty("password", TestDatabases.postgresPassword());
        return DriverManager.getConnection(TestDatabases.postgresUrl(), p);
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** What the table holds: rows, distinct ids, the events' n (from the payload), rows that are not ours. */
    private static final class Table {
        final Set<String> ids = new HashSet<>();
        final Set<Integer> ns = new HashSet<>();
        final List<String> problems = new ArrayList<>();
        long rows;

        static Table read(String table) throws Exception {
            Table t = new Table();
            try (Connection c = connect(); Statement st = c.createStatement()) {
                boolean exists;
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
                    rs.next();
                    exists = rs.getBoolean(1);
                }
                if (!exists) return t;
                try (ResultSet rs = st.executeQuery("SELECT id, type, payload FROM " + table)) {
                    while (rs.next()) {
                        t.rows++;
                        String id = rs.getString(1);
                        t.ids.add(id);
                        JsonNode payload = JSON.readTree(rs.getString(3));
                        JsonNode props = JSON.readTree(payload.path("properties").asText("{}"));
                        if (!"users.behaviors.CustomEvent".equals(rs.getString(2)) || !id.equals(payload.path("id").asText())
                                || !"page_hit".equals(payload.path("name").asText()) || !props.path("n").isInt()) {
                            t.problems.add(id + ": unexpected row " + payload);
                            continue;
                        }
                        t.ns.add(props.path("n").asInt());
                    }
                }
            }
            return t;
        }
    }
}
