package dev.kiln.definitions;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class DefinitionWatcherTest {
    // Long enough that the scheduled poll never runs; tests pump poll() by hand.
    static final Duration NEVER = Duration.ofHours(1);

    @TempDir Path dir;
    final List<LoadResult> applied = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    long clock = 1_700_000_000_000L;

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(DefinitionWatcher.class)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(DefinitionWatcher.class)).detachAppender(logs);
        executor.shutdownNow();
    }

    /** Writes a file with a modification time later than any before, whatever the file system's resolution. */
    void write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.fromMillis(clock += 1_000));
    }

    DefinitionWatcher watcher() {
        return DefinitionWatcher.start(dir, NEVER, new DefinitionLoader(), executor, applied::add);
    }

    List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void the_first_load_is_read_from_last_result_not_the_callback() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        try (var w = watcher()) {
            assertThat(w.lastResult().definitions().segments()).containsOnlyKeys("a");
            w.poll();
            assertThat(applied).isEmpty();
        }
    }

    @Test
    void a_changed_file_is_applied_once() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        try (var w = watcher()) {
            write("segments/b.yaml", "id: b\nname: B\n");
            w.poll();
            w.poll();
            assertThat(applied).hasSize(1);
            assertThat(applied.get(0).definitions().segments()).containsOnlyKeys("a", "b");
        }
    }

    @Test
    void an_invalid_change_is_logged_with_every_problem_and_not_applied() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        try (var w = watcher()) {
            write("segments/a.yaml", "id: a\n");
            write("segments/b.yaml", "id: b\nname: B\nfilters: { email: maybe }\n");
            w.poll();

            assertThat(applied).isEmpty();
            assertThat(w.lastResult().valid()).isFalse();
            assertThat(warnings()).contains(
                    "  segments/a.yaml: name: required",
                    "  segments/b.yaml: filters.email: expected present or absent, got string 'maybe'");

            write("segments/a.yaml", "id: a\nname: A again\n");
            write("segments/b.yaml", "id: b\nname: B\nfilters: { email: present }\n");
            w.poll();
            assertThat(applied).singleElement().satisfies(r -> assertThat(r.definitions().segments()).containsOnlyKeys("a", "b"));
        }
    }

    @Test
    void a_file_touched_without_a_change_in_content_is_not_applied_again() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        try (var w = watcher()) {
            write("segments/a.yaml", "id: a\nname: A   # same, with a comment\n");
            w.poll();
            assertThat(applied).isEmpty();
        }
    }

    @Test
    void a_deleted_directory_keeps_the_previous_set() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        try (var w = watcher()) {
            Files.delete(dir.resolve("segments/a.yaml"));
            Files.delete(dir.resolve("segments"));
            Files.delete(dir);
            w.poll();
            assertThat(applied).isEmpty();
            assertThat(w.lastResult().problems()).map(Problem::message).containsExactly("directory not found");
        }
    }

    @Test
    void a_failing_callback_does_not_stop_the_watcher() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        List<LoadResult> seen = new CopyOnWriteArrayList<>();
        try (var w = DefinitionWatcher.start(dir, NEVER, new DefinitionLoader(), executor, r -> {
            seen.add(r);
            throw new IllegalStateException("boom");
        })) {
            write("segments/b.yaml", "id: b\nname: B\n");
            w.poll();
            write("segments/c.yaml", "id: c\nname: C\n");
            w.poll();
            assertThat(seen).hasSize(2);
        }
    }

    @Test
    void its_own_daemon_thread_notices_a_new_file() throws IOException {
        try (var w = DefinitionWatcher.start(dir, Duration.ofMillis(20), applied::add)) {
            assertThat(w.lastResult().definitions()).isEqualTo(DefinitionSet.EMPTY);
            write("segments/a.yaml", "id: a\nname: A\n");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(applied).hasSize(1));
            assertThat(applied.get(0).definitions().segment("a")).isPresent();
        }
    }

    @Test
    void an_interval_below_the_minimum_is_refused() {
        assertThatThrownBy(() -> DefinitionWatcher.start(dir, Duration.ZERO, applied::add))
                .hasMessage("interval must be at least 10 ms, was 0 ms");
    }
}
