package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.server.currents.JdbcTargets.Kind;
import dev.kiln.server.currents.JdbcTargets.Target;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.kiln.server.currents.CurrentsFiles.append;
import static dev.kiln.server.currents.CurrentsFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exporter over a real SQLite store driving a jdbc sink (DuckDB always, PostgreSQL when reachable): every
 * matching event arrives once, the cursor is committed; a sink that fails for a while blocks no ingest, and after
 * it recovers every event arrives, none twice in the table.
 */
class JdbcSinkExporterTest {
    static final long T = 1_700_000_123_456L;
    static final CurrentsConfig FAST = CurrentsConfig.defaults().withPoll(Duration.ofMillis(20)).withRetryMax(Duration.ofMillis(200));
    static final String ID = "jdbcsink";

    @TempDir Path dir;
    JdbcStore store;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @BeforeEach void open() {
        store = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + dir.resolve("kiln.db")));
    }

    @AfterEach void close() { store.close(); }

    /** DuckDB's file sits in its own directory so a test can take the directory away. */
    Target target(Kind kind) throws Exception {
        if (kind != Kind.DUCKDB) return Target.open(kind, dir);
        Files.createDirectories(dir.resolve("warehouse"));
        return new Target(kind, "jdbc:duckdb:" + dir.resolve("warehouse/sink.duckdb"), "jdbcsink_events", null);
    }

    Currents start(Target t, int batchEvents, long flushMillis) {
        CurrentsConnector c = new CurrentsConnector(ID, List.of("users.behaviors.*"), t.sink(batchEvents, flushMillis));
        return Currents.start(store, List.of(c), registry, FAST, JdbcTargets.SECRETS);
    }

    /** Custom events {@code prefix0..}, with a canvas entry (not exported) after every {@code otherEvery}-th. */
    static List<EventLogRow> events(String prefix, int n, int otherEvery) {
        List<EventLogRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(row(prefix + i, "users.behaviors.CustomEvent", T + i,
                    "{\"name\":\"page_hit\",\"properties\":{\"n\":" + i + "},\"source\":\"s\"}"));
            if (otherEvery > 0 && i % otherEvery == 0) rows.add(row(prefix + "entry" + i, "users.canvas.Entry", T, "{\"canvas_id\":\"c\"}"));
        }
        return rows;
    }

    static Set<String> customIds(List<EventLogRow> rows) {
        Set<String> ids = new HashSet<>();
        for (EventLogRow r : rows) if (r.type().equals("users.behaviors.CustomEvent")) ids.add(r.id());
        return ids;
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"DUCKDB", "POSTGRESQL"})
    void every_event_arrives_once_and_the_cursor_is_committed(Kind kind) throws Exception {
        List<EventLogRow> all = events("e", 3_000, 7);
        Random random = new Random(42);
        try (Target t = target(kind)) {
            try (Currents c = start(t, 500, 200)) {
                for (int i = 0; i < all.size(); ) { // ingest while the exporter runs, in uneven commits
                    int n = Math.min(all.size() - i, 1 + random.nextInt(400));
                    append(store, all.subList(i, i + n));
                    i += n;
                }
                long last = store.lastEventSeq();
                assertThat(last).isEqualTo(all.size());
                await("the cursor at the last seq").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> c.prunableThroughSeq() == last);
                assertThat(c.status().get(0)).containsEntry("lag_events", 0L).containsEntry("last_error", null);
            }
            assertThat(store.meta("currents:" + ID)).contains(Long.toString(all.size()));
            List<String> ids = t.ids();
            assertThat(ids).doesNotHaveDuplicates().hasSize(3_000);
            assertThat(new HashSet<>(ids)).isEqualTo(customIds(all));
            assertThat(registry.scrape()).contains("kiln_currents_exported_events_total{connector=\"" + ID + "\"} 3000.0")
                    .contains("kiln_currents_jdbc_commits_seconds_count{connector=\"" + ID + "\"}");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"DUCKDB", "POSTGRESQL"})
    void a_failing_sink_blocks_no_ingest_and_after_recovery_every_event_arrives(Kind kind) throws Exception {
        List<EventLogRow> before = events("a", 200, 0), during = events("b", 300, 10);
        try (Target t = target(kind); Currents c = start(t, 64, 100)) {
            append(store, before);
            await("the first events exported").atMost(Duration.ofSeconds(30)).until(() -> c.prunableThroughSeq() == 200);

            Runnable repair = breakSink(t);
            long from = store.lastEventSeq();
            append(store, during); // ingest goes on: the commit returns while the sink is down
            long last = store.lastEventSeq();
            assertThat(last).isEqualTo(from + during.size());
            await("a sink error").atMost(Duration.ofSeconds(30)).until(() -> c.status().get(0).get("last_error") != null);
            Map<String, Object> failing = c.status().get(0);
            assertThat(c.prunableThroughSeq()).as("the cursor waits for the sink").isEqualTo(200);
            assertThat(failing).containsEntry("lag_events", last - 200);
            assertThat(String.valueOf(failing.get("last_error"))).contains("jdbc sink").doesNotContain(JdbcTargets.PASSWORD);
            assertThat(registry.scrape()).containsPattern("kiln_currents_errors_total\\{connector=\"" + ID + "\"} [1-9]");

            repair.run();
            await("recovery").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> c.prunableThroughSeq() == last);
            List<String> ids = t.ids();
            assertThat(ids).as("one row per id").doesNotHaveDuplicates();
            Set<String> expected = customIds(before);
            expected.addAll(customIds(during));
            assertThat(new HashSet<>(ids)).as("no gap").isEqualTo(expected);
        }
    }

    /** Makes the sink fail (PostgreSQL: a trigger refuses inserts; DuckDB: its directory is gone); returns the repair. */
    Runnable breakSink(Target t) throws Exception {
        if (t.kind().postgres()) {
            String fn = t.schema() + ".jdbcsink_refuse";
            t.exec("CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'jdbcsink test: inserts refused'; END $$");
            t.exec("CREATE TRIGGER jdbcsink_refuse BEFORE INSERT ON " + t.table() + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
            return () -> t.exec("DROP TRIGGER jdbcsink_refuse ON " + t.table());
        }
        Path warehouse = dir.resolve("warehouse"), away = dir.resolve("warehouse-away");
        Files.move(warehouse, away);
        Files.writeString(warehouse, "a file where the warehouse directory should be");
        return () -> {
            try {
                Files.delete(warehouse);
                Files.move(away, warehouse);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }
}
