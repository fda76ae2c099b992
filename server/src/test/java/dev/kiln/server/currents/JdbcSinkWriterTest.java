package dev.kiln.server.currents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.server.currents.JdbcTargets.Kind;
import dev.kiln.server.currents.JdbcTargets.Target;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.kiln.server.currents.CurrentsFiles.JSON;
import static dev.kiln.server.currents.JdbcTargets.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The jdbc sink writer against DuckDB, SQLite, PostgreSQL and the portable mode: columns, idempotence by id
 * across a replay, discard, batching limits, schema-qualified tables, and failures that never show the password.
 */
class JdbcSinkWriterTest {
    static final long T = 1_700_000_123_456L; // 2023-11-14T22:15:23.456Z

    @TempDir Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    JdbcSinkWriter writer(Target t, int batchEvents, long flushMillis) {
        return writer(t, t.sink(batchEvents, flushMillis));
    }

    JdbcSinkWriter writer(Target t, CurrentsConnector.Jdbc sink) {
        return new JdbcSinkWriter("jdbcsink", sink, new SinkWriters.SinkContext(registry, JdbcTargets.SECRETS), t.kind().dialect);
    }

    static EventLogRow event(long seq, String id) {
        return new EventLogRow(seq, id, "u-" + id, "ext-" + id, "users.behaviors.CustomEvent", T + seq,
                "{\"name\":\"page_hit\",\"properties\":{\"n\":" + seq + "},\"source\":\"users/track:r" + seq + "\"}", T);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void each_event_is_a_row_with_its_columns_and_the_currents_record_as_json(Kind kind) throws Exception {
        List<EventLogRow> rows = List.of(
                new EventLogRow(11, "ev-custom", "uid-1", "ext-1", "users.behaviors.CustomEvent", T,
                        "{\"name\":\"webinar_signup\",\"properties\":{\"topic\":\"ai\"},\"source\":\"users/track:r1\"}", T),
                new EventLogRow(12, "ev-purchase", "uid-2", null, "users.behaviors.Purchase", T + 1_999,
                        "{\"product_id\":\"p1\",\"price\":9.99,\"currency\":\"EUR\",\"quantity\":2,\"properties\":{},\"source\":\"s\"}", T),
                new EventLogRow(15, "ev-entry", "uid-1", "ext-1", "users.canvas.Entry", T - 1,
                        "{\"canvas_id\":\"c1\",\"canvas_name\":\"Onboarding\",\"canvas_version\":3,\"canvas_step_id\":\"s1\"}", T));
        try (Target t = Target.open(kind, dir); JdbcSinkWriter w = writer(t, 100, 1_000)) {
            for (EventLogRow r : rows) w.write(r, 5_000);
            assertThat(t.kind().dialect == JdbcSinkWriter.Dialect.DUCKDB || t.count() == 0).as("nothing before confirm").isTrue();
            assertThat(w.confirm()).isEqualTo(3);
            assertThat(w.pending()).isZero();

            List<Map<String, Object>> got = t.query("SELECT id, type, time, user_id, external_user_id, payload, seq, exported_at FROM "
                    + t.table() + " ORDER BY seq");
            assertThat(got).extracting(r -> r.get("id")).containsExactly("ev-custom", "ev-purchase", "ev-entry");
            for (int i = 0; i < rows.size(); i++) {
                EventLogRow r = rows.get(i);
                Map<String, Object> g = got.get(i);
                assertThat(g.get("type")).isEqualTo(r.type());
                assertThat(((Number) g.get("time")).longValue()).isEqualTo(Math.floorDiv(r.time(), 1000L));
                assertThat(g.get("user_id")).isEqualTo(r.userId());
                assertThat(g.get("external_user_id")).isEqualTo(r.externalId());
                assertThat(((Number) g.get("seq")).longValue()).isEqualTo(r.seq());
                assertThat(g.get("exported_at")).as("exported_at").isNotNull();
                JsonNode payload = JSON.readTree(String.valueOf(g.get("payload")));
                assertThat(payload).as("payload of %s", r.id()).isEqualTo(JSON.readTree(JSON.writeValueAsString(CurrentsMapper.map(r))));
            }
            assertThat(t.query("SELECT " + t.payloadName() + " AS name FROM " + t.table() + " WHERE id = ?", "ev-custom"))
                    .extracting(r -> r.get("name")).containsExactly("webinar_signup");
            if (kind == Kind.POSTGRESQL) {
                assertThat(t.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                        t.schema(), "jdbcsink_events"))
                        .extracting(r -> r.get("column_name") + " " + r.get("data_type"))
                        .containsExactlyInAnyOrder("id text", "type text", "time bigint", "user_id text", "external_user_id text",
                                "payload jsonb", "seq bigint", "exported_at timestamp with time zone");
            }
            if (kind == Kind.DUCKDB) {
                assertThat(t.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'jdbcsink_events' AND column_name = 'payload'"))
                        .extracting(r -> r.get("data_type")).containsExactly("JSON");
            }
        }
    }

    static Stream<Arguments> replays() {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : Kind.values()) for (long seed : new long[]{1, 2}) out.add(Arguments.of(k, seed));
        return out.stream();
    }

    /**
     * A crash leaves some rows confirmed and some written but not confirmed; the exporter then replays from its
     * cursor (somewhere at or before the last confirmed row). The table ends with every event once.
     */
    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("replays")
    void a_replay_after_a_crash_leaves_one_row_per_id(Kind kind, long seed) throws Exception {
        Random random = new Random(seed);
        int n = 100 + random.nextInt(400);
        List<EventLogRow> events = new ArrayList<>();
        for (int i = 1; i <= n; i++) events.add(event(i, "e-" + seed + "-" + i));
        int confirmed = n / 3 + random.nextInt(n / 2);
        try (Target t = Target.open(kind, dir)) {
            try (JdbcSinkWriter first = writer(t, 100_000, 60_000)) {
                int i = 0;
                while (i < confirmed) {
                    int chunk = Math.min(confirmed - i, 1 + random.nextInt(120));
                    for (int k = 0; k < chunk; k++) first.write(events.get(i++), 0);
                    assertThat(first.confirm()).isEqualTo(chunk);
                }
                for (int k = confirmed; k < Math.min(n, confirmed + 37); k++) first.write(events.get(k), 0);
                // the crash: the written rows are never confirmed
            }
            assertThat(t.count()).as("confirmed before the crash").isEqualTo(confirmed);

            int cursor = random.nextInt(confirmed + 1);
            try (JdbcSinkWriter second = writer(t, 100_000, 60_000)) {
                int i = cursor;
                while (i < n) {
                    int chunk = Math.min(n - i, 1 + random.nextInt(300));
                    for (int k = 0; k < chunk; k++) second.write(events.get(i++), 0);
                    assertThat(second.confirm()).isEqualTo(chunk);
                }
            }
            List<String> ids = t.ids();
            assertThat(ids).as("one row per id").doesNotHaveDuplicates().hasSize(n);
            assertThat(new HashSet<>(ids)).isEqualTo(new HashSet<>(events.stream().map(EventLogRow::id).toList()));
            long matching = t.query("SELECT id, seq FROM " + t.table()).stream()
                    .filter(r -> r.get("id").equals("e-" + seed + "-" + ((Number) r.get("seq")).longValue())).count();
            assertThat(matching).as("each row holds its own event's seq").isEqualTo(n);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"DUCKDB", "SQLITE", "POSTGRESQL"})
    void discard_leaves_nothing_and_the_next_batch_is_written_alone(Kind kind) throws Exception {
        try (Target t = Target.open(kind, dir); JdbcSinkWriter w = writer(t, 100, 1_000)) {
            for (int i = 1; i <= 5; i++) w.write(event(i, "d" + i), 1_000);
            w.discard();
            assertThat(w.pending()).isZero();
            assertThat(w.confirmBy()).isEqualTo(Long.MAX_VALUE);
            assertThat(w.confirm()).isZero();
            w.write(event(6, "d6"), 2_000);
            w.write(event(7, "d7"), 2_000);
            assertThat(w.confirm()).isEqualTo(2);
            assertThat(t.ids()).containsExactlyInAnyOrder("d6", "d7");
        }
    }

    @Test
    void full_at_batch_events_and_confirm_by_is_the_first_pending_write_plus_flush() throws Exception {
        try (Target t = Target.open(Kind.SQLITE, dir); JdbcSinkWriter w = writer(t, 3, 750)) {
            assertThat(w.confirmBy()).isEqualTo(Long.MAX_VALUE);
            w.write(event(1, "a"), 10_000);
            w.write(event(2, "b"), 10_400);
            assertThat(w.confirmBy()).isEqualTo(10_750);
            assertThat(w.full()).isFalse();
            w.write(event(3, "c"), 10_500);
            assertThat(w.full()).isTrue();
            assertThat(w.pending()).isEqualTo(3);
            assertThat(w.confirm()).isEqualTo(3);
            assertThat(w.full()).isFalse();
            w.write(event(4, "d"), 20_000);
            assertThat(w.confirmBy()).isEqualTo(20_750);
            assertThat(w.describe()).containsEntry("type", "jdbc").containsEntry("table", "jdbcsink_events")
                    .containsEntry("batch_events", 3).containsEntry("flush_ms", 750L)
                    .doesNotContainValue(PASSWORD).doesNotContainKey("password");
        }
    }

    @Test
    void a_table_with_its_schema_on_postgresql_is_created_there_and_not_in_public() throws Exception {
        try (Target t = Target.open(Kind.POSTGRESQL, dir); JdbcSinkWriter w = writer(t, 100, 1_000)) {
            assertThat(t.table()).isEqualTo(t.schema() + ".jdbcsink_events");
            w.write(event(1, "s1"), 0);
            assertThat(w.confirm()).isEqualTo(1);
            assertThat(t.query("SELECT table_schema FROM information_schema.tables WHERE table_name = 'jdbcsink_events' AND table_schema = ANY (?)",
                    (Object) new String[]{t.schema(), "public"}))
                    .extracting(r -> r.get("table_schema")).containsExactly(t.schema());
            // The writer's connection has no currentSchema: only the qualified name finds the row.
            assertThat(t.ids()).containsExactly("s1");
        }
    }

    /** Every message in the chain (causes, next exceptions). */
    static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            if (t instanceof SQLException s && s.getNextException() != null) all.append(s.getNextException()).append('\n');
        }
        return all.toString();
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void postgresql_on_a_closed_port_fails_with_the_url_and_without_the_password() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/jdbcsink?connectTimeout=2";
        Target t = new Target(Kind.POSTGRESQL, url, "jdbcsink_events", null);
        try (JdbcSinkWriter w = writer(t, new CurrentsConnector.Jdbc(url, "kiln", JdbcTargets.PASSWORD_REF, "jdbcsink_events", 10, 1_000))) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> {
                w.write(event(1, "x"), 0);
                w.confirm();
            });
            assertThat((Throwable) e).as("the write or the confirm fails").isNotNull();
            assertThat(e.getMessage()).contains("cannot connect to " + url + " as kiln").contains("jdbcsink").doesNotContain(PASSWORD);
            assertThat(messages(e)).doesNotContain(PASSWORD);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"DUCKDB", "SQLITE"})
    void a_database_file_that_cannot_be_opened_fails_confirm_without_the_password(Kind kind) throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "a file where the directory should be");
        String url = "jdbc:" + (kind == Kind.DUCKDB ? "duckdb:" : "sqlite:") + blocker.resolve("sink.db");
        Target t = new Target(kind, url, "jdbcsink_events", null);
        try (JdbcSinkWriter w = writer(t, 10, 1_000)) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> {
                w.write(event(1, "x"), 0);
                w.confirm();
            });
            assertThat((Throwable) e).as("the write or the confirm fails").isNotNull();
            assertThat(e.getMessage()).contains("cannot connect to " + url).doesNotContain(PASSWORD);
            assertThat(messages(e)).doesNotContain(PASSWORD);
        }
    }

    @Test
    void a_database_message_that_holds_the_password_is_scrubbed_and_not_kept_as_the_cause() throws Exception {
        // The table is named like the password and has the wrong columns: SQLite's error names the table.
        String table = PASSWORD.replace('-', '_');
        JdbcTargets.Target t = new Target(Kind.SQLITE, "jdbc:sqlite:" + dir.resolve("wrong.db"), table, null);
        t.exec("CREATE TABLE " + table + " (something_else INTEGER)");
        java.util.function.Function<dev.kiln.definitions.Connection.SecretRef, String> secrets = ref -> table;
        try (JdbcSinkWriter w = new JdbcSinkWriter("jdbcsink", new CurrentsConnector.Jdbc(t.url(), null, JdbcTargets.PASSWORD_REF, table, 10, 1_000),
                new SinkWriters.SinkContext(registry, secrets))) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> {
                w.write(event(1, "x"), 0);
                w.confirm();
            });
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getMessage()).contains("***").doesNotContain(table);
            assertThat(e.getCause()).isNull();
            assertThat(t.count()).isZero();
        }
    }

    @Test
    void a_table_name_that_is_not_an_identifier_is_refused_before_any_connection() {
        Target t = new Target(Kind.SQLITE, "jdbc:sqlite:" + dir.resolve("x.db"), "events; DROP TABLE users", null);
        assertThatThrownBy(() -> writer(t, 10, 1_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table name 'events; DROP TABLE users'");
        assertThat(dir.resolve("x.db")).doesNotExist();
    }

    @Test
    void the_dialect_follows_the_url_prefix() {
        assertThat(JdbcSinkWriter.Dialect.of("jdbc:postgresql://h/db")).isEqualTo(JdbcSinkWriter.Dialect.POSTGRESQL);
        assertThat(JdbcSinkWriter.Dialect.of("JDBC:DuckDB:/tmp/x.duckdb")).isEqualTo(JdbcSinkWriter.Dialect.DUCKDB);
        assertThat(JdbcSinkWriter.Dialect.of("jdbc:sqlite:x.db")).isEqualTo(JdbcSinkWriter.Dialect.SQLITE);
        assertThat(JdbcSinkWriter.Dialect.of("jdbc:mysql://h/db")).isEqualTo(JdbcSinkWriter.Dialect.PORTABLE);
        assertThat(JdbcSinkWriter.Dialect.of(TestDatabases.DEFAULT_POSTGRES_URL)).isEqualTo(JdbcSinkWriter.Dialect.POSTGRESQL);
    }
}
