package dev.kiln.server.currents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.kiln.server.currents.CurrentsFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The files sink over a real SQLite store: layout, globs, rolling, gzip, cursor, restart, failure. */
class CurrentsExporterTest {
    static final long T = 1_700_000_123_456L; // 2023-11-14T22:15:23Z
    static final CurrentsConfig FAST = CurrentsConfig.defaults().withPoll(Duration.ofMillis(20)).withRetryMax(Duration.ofMillis(200));

    @TempDir Path dir;
    JdbcStore store;
    Path out;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @BeforeEach void open() {
        store = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + dir.resolve("kiln.db")));
        out = dir.resolve("currents");
    }

    @AfterEach void close() { store.close(); }

    CurrentsConnector connector(String id, List<String> events, long rollSeconds, int rollEvents) {
        return new CurrentsConnector(id, events, new CurrentsConnector.Files(out.toString(), "ndjson_gzip", rollSeconds, rollEvents));
    }

    Currents start(CurrentsConnector... c) {
        return Currents.start(store, List.of(c), registry, FAST);
    }

    static List<EventLogRow> customEvents(String prefix, int n) {
        List<EventLogRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++)
            rows.add(row(prefix + i, "users.behaviors.CustomEvent", T, "{\"name\":\"e\",\"properties\":{\"i\":" + i + "},\"source\":\"s\"}"));
        return rows;
    }

    @Test
    void files_are_laid_out_by_event_type_and_hour_and_named_by_connector_and_seq_range() {
        append(store, List.of(row("a", "users.behaviors.CustomEvent", T, "{\"name\":\"x\",\"properties\":{},\"source\":\"s\"}"),
                row("b", "users.canvas.Entry", T + 3_600_000, "{\"canvas_id\":\"c\"}")));
        try (Currents c = start(connector("w", List.of("users.*"), 300, 15_000))) {
            // a long roll_seconds: the clean stop completes the files being written
            await(() -> files(out).size() == 2, 5_000, "two files being written");
            assertThat(files(out)).allSatisfy(p -> assertThat(p.toString()).endsWith(".tmp"));
        }
        assertThat(files(out)).extracting(p -> out.relativize(p).toString().replace('\\', '/')).containsExactly(
                "event_type=users.behaviors.CustomEvent/date=2023-11-14-22/w.1-1.json.gz",
                "event_type=users.canvas.Entry/date=2023-11-14-23/w.2-2.json.gz");
        assertThat(store.meta("currents:w")).contains("2");
    }

    @Test
    void only_types_matching_a_glob_are_exported_and_the_cursor_passes_the_others() {
        append(store, List.of(row("a", "users.behaviors.CustomEvent", T, "{\"name\":\"x\",\"properties\":{},\"source\":\"s\"}"),
                row("b", "users.canvas.Exit", T, "{\"canvas_id\":\"c\"}"),
                row("c", "users.messages.webhook.Send", T, "{\"dispatch_id\":\"m\"}"),
                row("d", "users.attributes.Change", T, "{\"name\":\"lead score\"}")));
        try (Currents c = start(connector("w", List.of("users.behaviors.*", "users.messages.webhook.*"), 1, 15_000))) {
            await(() -> c.prunableThroughSeq() == 4, 5_000, "cursor at 4");
        }
        assertThat(readAll(out)).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void files_roll_by_count_are_gzip_json_lines_never_empty_and_no_tmp_is_left_after_a_clean_stop() {
        append(store, customEvents("e", 25));
        try (Currents c = start(connector("w", List.of("users.behaviors.CustomEvent"), 300, 10))) {
            await(() -> c.prunableThroughSeq() == 20, 5_000, "two files of 10");
            assertThat(files(out)).filteredOn(p -> p.toString().endsWith(".json.gz")).hasSize(2);
        }
        List<Path> files = files(out);
        assertThat(files).hasSize(3).allSatisfy(p -> assertThat(p.toString()).endsWith(".json.gz"));
        List<Integer> sizes = files.stream().map(f -> read(f).size()).toList();
        assertThat(sizes).containsExactly(10, 10, 5);
        JsonNode first = read(files.get(0)).get(0);
        assertThat(first.get("id").asText()).isEqualTo("e0");
        assertThat(first.get("time").asLong()).isEqualTo(T / 1000);
        assertThat(first.get("properties").asText()).isEqualTo("{\"i\":0}");
        assertThat(store.meta("currents:w")).contains("25");
    }

    @Test
    void a_backlog_read_in_small_batches_with_prefetch_exports_every_event_exactly_once() {
        // 7 rows per read: the next read runs ahead while a batch is written; interleaved types are skipped.
        List<EventLogRow> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(row("e" + i, "users.behaviors.CustomEvent", T, "{\"name\":\"e\",\"properties\":{\"i\":" + i + "},\"source\":\"s\"}"));
            if (i % 3 == 0) rows.add(row("x" + i, "users.canvas.Exit", T, "{\"canvas_id\":\"c\"}"));
        }
        append(store, rows);
        long last = store.lastEventSeq();
        try (Currents c = Currents.start(store, List.of(connector("w", List.of("users.behaviors.*"), 1, 40)), registry, FAST.withBatch(7))) {
            await(() -> c.prunableThroughSeq() == last, 10_000, "cursor at the last seq");
        }
        List<String> ids = files(out).stream().flatMap(f -> read(f).stream()).map(n -> n.get("id").asText()).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) expected.add("e" + i);
        assertThat(ids).as("every matching event exactly once").containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void files_roll_by_time_and_the_cursor_follows() {
        try (Currents c = start(connector("w", List.of("users.behaviors.*"), 1, 15_000))) {
            append(store, customEvents("e", 3));
            await(() -> c.prunableThroughSeq() == 3, 5_000, "a roll after 1 s");
            assertThat(readAll(out)).hasSize(3);
            assertThat(c.status().get(0)).containsEntry("lag_events", 0L).containsEntry("exported_events", 3L);
        }
        assertThat(registry.scrape()).contains("kiln_currents_lag_events{connector=\"w\"} 0.0")
                .contains("kiln_currents_exported_events_total{connector=\"w\"} 3.0");
    }

    @Test
    void a_restart_resumes_after_the_cursor_and_deletes_incomplete_files() throws Exception {
        append(store, customEvents("a", 5));
        try (Currents c = start(connector("w", List.of("users.behaviors.*"), 300, 15_000))) {
            await(() -> files(out).size() == 1, 5_000, "a file being written");
        }
        assertThat(store.meta("currents:w")).contains("5");
        // a crash left a .tmp behind
        Path stale = out.resolve("event_type=users.behaviors.CustomEvent/date=2023-11-14-22/w.99.tmp");
        Files.writeString(stale, "partial");
        Path otherConnector = stale.resolveSibling("other.99.tmp");
        Files.writeString(otherConnector, "not ours");
        append(store, customEvents("b", 5));
        try (Currents c = start(connector("w", List.of("users.behaviors.*"), 300, 15_000))) {
            // The exporter's thread opens its sink, which deletes the connector's incomplete files: wait for it.
            await(() -> !Files.exists(stale), 5_000, "the incomplete file deleted");
            assertThat(otherConnector).exists();
        }
        Files.delete(otherConnector);
        List<String> ids = readAll(out).stream().map(n -> n.get("id").asText()).toList();
        assertThat(ids).hasSize(10).doesNotHaveDuplicates();
        assertThat(store.meta("currents:w")).contains("10");
    }

    @Test
    void a_failing_sink_is_retried_and_loses_nothing() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(out, "a file where the directory should be");
        append(store, customEvents("e", 4));
        try (Currents c = start(connector("w", List.of("users.behaviors.*"), 1, 15_000))) {
            await(() -> c.status().get(0).get("last_error") != null, 5_000, "an error");
            assertThat(c.prunableThroughSeq()).isZero();
            assertThat(c.status().get(0)).containsEntry("lag_events", 4L);
            Files.delete(out); // the sink recovers
            await(() -> c.prunableThroughSeq() == 4, 10_000, "recovery");
        }
        assertThat(readAll(out)).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder("e0", "e1", "e2", "e3");
    }

    @Test
    void the_slowest_connector_bounds_what_may_be_pruned() {
        append(store, customEvents("e", 6));
        Path other = dir.resolve("other");
        CurrentsConnector slow = new CurrentsConnector("slow", List.of("users.*"), new CurrentsConnector.Files(other.toString(), "ndjson_gzip", 300, 15_000));
        store.putMeta("currents:slow", "2");
        try (Currents c = Currents.start(store, List.of(connector("fast", List.of("users.*"), 1, 15_000), slow), registry, FAST)) {
            await(() -> c.status().get(0).get("cursor").equals(6L), 5_000, "the fast connector done");
            assertThat(c.prunableThroughSeq()).isEqualTo(2);
        }
        try (Currents none = Currents.start(store, List.of(), registry, FAST)) {
            assertThat(none.prunableThroughSeq()).isEqualTo(Long.MAX_VALUE);
        }
    }
}
