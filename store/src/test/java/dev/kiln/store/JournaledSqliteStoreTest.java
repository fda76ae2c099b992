package dev.kiln.store;

import dev.kiln.engine.UserState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract on SQLite with the write-behind journal ({@link JournaledStore}), plus what the journal adds:
 * reads see commits the materializer has not written yet, a crash before it does loses nothing, one process at a
 * time, and seeded random histories read the same as on the tables alone.
 */
class JournaledSqliteStoreTest extends StoreContractTest {

    @TempDir Path dir;

    @Override protected StoreConfig freshDatabase() { return TestDatabases.sqlite(dir); }

    @Override protected Store open(StoreConfig config) {
        return JournaledStore.open(JdbcStore.open(config), Path.of(SqliteDialect.path(config.jdbcUrl())), config);
    }

    private JournaledStore journaled() { return (JournaledStore) store; }

    @Override protected JdbcStore tables() { return journaled().tables(); }

    private static TimerRow timer(String user, int token, long due) { return new TimerRow(user, "c1", token, due); }

    private static OutboxRow message(String id, String user, long due) {
        return new OutboxRow(id, user, "camp", null, null, 1, 1, due, 0, "{}");
    }

    private static CommitBatch batch(List<UserState> users, Set<String> deletes, Map<String, String> identityPuts,
                                     Set<String> identityRemovals, List<EventLogRow> events, List<TimerRow> timerPuts,
                                     List<TimerRow> timerDeletes, List<OutboxRow> outboxPuts, Set<String> outboxDeletes) {
        return new CommitBatch(users.stream().map(UserRow::of).toList(), deletes, identityPuts, identityRemovals, events,
                timerPuts, timerDeletes, List.of(), List.of(), outboxPuts, outboxDeletes, List.of());
    }

    @Override @Test
    void two_store_instances_on_one_database_can_both_commit() {
        // With the journal, one process at a time: a second one would hand out the same event log seqs.
        assertThatThrownBy(() -> open(config)).isInstanceOf(StoreException.class).hasMessageContaining("another Kiln process");
        store.commit(events(eventRows("a", 3, 100)));
        assertThat(store.readEventLog(0, 10)).hasSize(3);
    }

    @Test
    void commits_wait_while_the_pending_bytes_exceed_the_bound_and_go_on_when_the_tables_catch_up() throws Exception {
        journaled().pauseForTest(true);
        journaled().maxPendingBytesForTest(1);
        store.commit(events(eventRows("a", 2, 100))); // nothing pending yet: never waits
        assertThat(journaled().pendingRows()).isEqualTo(3); // the commit and its two event rows
        assertThat(journaled().pendingBytes()).isPositive();

        java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(
                () -> store.commit(events(eventRows("b", 1, 100))));
        org.awaitility.Awaitility.await().until(() -> journaled().pendingCommits() == 1 && !second.isDone()
                && Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getState() == Thread.State.TIMED_WAITING
                && java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitRoom"))));
        assertThat(journaled().pendingCommits()).as("the second commit waits before it is journaled").isEqualTo(1);

        journaled().pauseForTest(false);
        second.get(30, java.util.concurrent.TimeUnit.SECONDS);
        journaled().awaitMaterialized();
        assertThat(journaled().pendingRows()).isZero();
        assertThat(journaled().pendingBytes()).isZero();
        assertThat(store.readEventLog(0, 10)).extracting(EventLogRow::id).containsExactly("a0", "a1", "b0");
    }

    @Test
    void reads_see_commits_the_materializer_has_not_written_yet() {
        journaled().pauseForTest(true);
        store.commit(batch(List.of(user("u1", "Ann@Example.com", 2_000), user("u2", null, 2_000)), Set.of(),
                Map.of(IdentityKeys.externalId("crm-1"), "u1"), Set.of(), eventRows("e", 3, 100),
                List.of(timer("u1", 1, 500), timer("u2", 1, 9_000)), List.of(), List.of(message("m1", "u1", 400)), Set.of()));

        assertThat(journaled().pendingCommits()).isEqualTo(1);
        assertThat(store.loadUser("u1")).contains(user("u1", "Ann@Example.com", 2_000));
        assertThat(store.resolve(List.of(IdentityKeys.externalId("crm-1")))).containsEntry(IdentityKeys.externalId("crm-1"), "u1");
        assertThat(store.usersByEmail("ann@example.com")).containsExactly("u1");
        assertThat(store.dueTimers(1_000, 10)).containsExactly(timer("u1", 1, 500));
        assertThat(store.dueOutbox(1_000, 10)).extracting(OutboxRow::messageId).containsExactly("m1");
        assertThat(store.outboxRow("m1")).isPresent();
        assertThat(store.readEventLog(0, 10)).extracting(EventLogRow::seq).containsExactly(1L, 2L, 3L);
        assertThat(store.lastEventSeq()).isEqualTo(3);
        JdbcStore inner = journaled().tablesAsTheyAre();
        assertThat(inner.loadUser("u1")).isEmpty(); // not in the tables yet
        assertThat(inner.readEventLog(0, 10)).isEmpty();

        // A later commit replaces the timer and deletes the message, still before the tables have either.
        store.commit(batch(List.of(), Set.of(), Map.of(), Set.of(), List.of(), List.of(timer("u1", 2, 7_000)),
                List.of(timer("u1", 1, 500)), List.of(), Set.of("m1")));
        assertThat(store.dueTimers(1_000, 10)).isEmpty();
        assertThat(store.dueOutbox(1_000, 10)).isEmpty();

        journaled().pauseForTest(false);
        journaled().awaitMaterialized();
        assertThat(journaled().pendingCommits()).isZero();
        assertThat(inner.loadUser("u1")).contains(user("u1", "Ann@Example.com", 2_000));
        assertThat(inner.dueTimers(10_000, 10)).containsExactly(timer("u1", 2, 7_000), timer("u2", 1, 9_000));
        assertThat(inner.outboxRow("m1")).isEmpty();
        assertThat(inner.readEventLog(0, 10)).extracting(EventLogRow::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void journaled_events_read_from_their_pages_from_any_position_and_prunes_wait_for_the_tables() {
        // More rows than a page holds, over several commits, so reads start and stop inside pages and across commits.
        int perCommit = EventPages.PAGE_ROWS + 44;
        journaled().pauseForTest(true);
        for (int c = 0; c < 3; c++) store.commit(events(eventRows("c" + c + "-", perCommit, 100 + c * 100)));
        int total = 3 * perCommit;
        assertThat(journaled().tablesAsTheyAre().readEventLog(0, 10)).isEmpty();
        List<List<EventLogRow>> overlay = new ArrayList<>();
        long[][] reads = {{0, 10}, {0, total + 5}, {250, 20}, {EventPages.PAGE_ROWS - 1, 3}, {perCommit - 2, 5}, {total - 1, 10}, {total, 10}};
        for (long[] r : reads) overlay.add(store.readEventLog(r[0], (int) r[1]));

        // A prune that could touch journaled rows writes them first; then the same reads give the same rows from the tables.
        assertThat(store.pruneEventLog(50)).isZero();
        assertThat(journaled().pendingCommits()).isEqualTo(3);
        journaled().pauseForTest(false);
        journaled().awaitMaterialized();
        for (int i = 0; i < reads.length; i++) {
            long after = reads[i][0];
            int limit = (int) reads[i][1];
            List<EventLogRow> fromTables = tables().readEventLog(after, limit);
            assertThat(overlay.get(i)).as("after %d, limit %d", after, limit).isEqualTo(fromTables)
                    .hasSize((int) Math.max(0, Math.min(limit, total - after)));
            if (!fromTables.isEmpty()) assertThat(fromTables.getFirst().seq()).isEqualTo(after + 1);
        }

        journaled().pauseForTest(true);
        store.commit(events(eventRows("late", 2, 500)));
        assertThat(store.pruneEventLog(201)).isEqualTo(2L * perCommit); // rows recorded at 100 and 200; "late" stays journaled
        assertThat(journaled().pendingCommits()).isEqualTo(1);
        // The materializer lingers before it writes a lone commit: the prune must ask for the journaled rows to be written.
        journaled().pauseForTest(false);
        assertThat(store.pruneEventLog(600)).isEqualTo(perCommit + 2L);
        assertThat(journaled().pendingCommits()).isZero();
        assertThat(store.readEventLog(0, 10)).isEmpty();
    }

    @Test
    void a_crash_before_the_materializer_writes_loses_nothing_and_writes_nothing_twice() throws Exception {
        store.commit(events(eventRows("early", 2, 100)));
        journaled().awaitMaterialized();
        journaled().pauseForTest(true);
        store.commit(batch(List.of(user("u1", "a@example.com", 2_000)), Set.of(), Map.of(IdentityKeys.externalId("x"), "u1"),
                Set.of(), eventRows("late", 3, 100), List.of(timer("u1", 4, 600)), List.of(), List.of(), Set.of()));
        store.commit(batch(List.of(user("u1", "a@example.com", 3_000)), Set.of(), Map.of(), Set.of(), eventRows("later", 1, 100),
                List.of(), List.of(), List.of(), Set.of()));
        List<EventLogRow> before = store.readEventLog(0, 100);
        journaled().crashForTest();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(f -> f.endsWith(".journal"));
        }

        store = open(config);

        assertThat(store.loadUser("u1")).contains(user("u1", "a@example.com", 3_000));
        assertThat(store.resolve(List.of(IdentityKeys.externalId("x")))).containsValue("u1");
        assertThat(store.dueTimers(1_000, 10)).containsExactly(timer("u1", 4, 600));
        assertThat(store.readEventLog(0, 100)).isEqualTo(before).hasSize(6);
        assertThat(journaled().pendingCommits()).isZero();
        // Opening again replays nothing: the journal position moved with the rows.
        store.close();
        store = open(config);
        assertThat(store.readEventLog(0, 100)).hasSize(6);
        store.commit(events(eventRows("next", 1, 100)));
        assertThat(store.readEventLog(6, 10)).extracting(EventLogRow::seq).containsExactly(7L);
    }

    /**
     * Seeded random histories of profile upserts and deletes, identities, timers (puts, token deletes) and outbox
     * messages go into a plain store and into a journaled one whose materializer is paused and resumed at random;
     * every read must agree at every step, and the tables must agree at the end. Prints the seed on failure.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1_234_567})
    void random_histories_read_the_same_as_on_the_tables_alone(long seed) {
        Path plainDir = dir.resolve("plain");
        try (JdbcStore plain = JdbcStore.open(TestDatabases.sqlite(plainDir))) {
            Random r = new Random(seed);
            Map<String, Integer> tokens = new HashMap<>();
            for (int step = 0; step < 60; step++) {
                if (r.nextInt(4) == 0) journaled().pauseForTest(r.nextBoolean());
                CommitBatch b = randomBatch(r, tokens, step);
                plain.commit(b);
                store.commit(b);
                String context = "seed " + seed + ", step " + step;
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 12; i++) ids.add("u" + i);
                assertThat(store.loadUsers(ids)).as(context).isEqualTo(plain.loadUsers(ids));
                List<String> keys = ids.stream().map(IdentityKeys::externalId).toList();
                assertThat(store.resolve(keys)).as(context).isEqualTo(plain.resolve(keys));
                assertThat(store.dueTimers(Long.MAX_VALUE, 1_000)).as(context)
                        .containsExactlyInAnyOrderElementsOf(plain.dueTimers(Long.MAX_VALUE, 1_000));
                long now = r.nextInt(10_000), from = r.nextInt(10_000);
                assertThat(store.dueTimers(now, from, 1_000)).as(context + ", due in [" + from + ", " + now + "]")
                        .containsExactlyInAnyOrderElementsOf(plain.dueTimers(now, from, 1_000));
                assertThat(store.dueOutbox(Long.MAX_VALUE, 1_000)).as(context)
                        .containsExactlyInAnyOrderElementsOf(plain.dueOutbox(Long.MAX_VALUE, 1_000));
                assertThat(store.usersByEmail("same@example.com")).as(context)
                        .containsExactlyInAnyOrderElementsOf(plain.usersByEmail("same@example.com"));
                assertThat(store.readEventLog(0, 10_000)).as(context).extracting(EventLogRow::id)
                        .containsExactlyElementsOf(plain.readEventLog(0, 10_000).stream().map(EventLogRow::id).toList());
            }
            journaled().pauseForTest(false);
            assertThat(store.countUsers()).as("seed " + seed).isEqualTo(plain.countUsers());
            assertThat(store.countTimers()).as("seed " + seed).isEqualTo(plain.countTimers());
            JdbcStore tables = journaled().tables();
            assertThat(tables.dueTimers(Long.MAX_VALUE, 1_000)).as("seed " + seed)
                    .containsExactlyInAnyOrderElementsOf(plain.dueTimers(Long.MAX_VALUE, 1_000));
            assertThat(tables.dueOutbox(Long.MAX_VALUE, 1_000)).as("seed " + seed)
                    .containsExactlyInAnyOrderElementsOf(plain.dueOutbox(Long.MAX_VALUE, 1_000));
            // Everything is in the tables: the overlay kept nothing (no entry outlives the run that wrote it).
            assertThat(journaled().overlaySizeForTest()).as("seed " + seed).isZero();
        }
    }

    private static CommitBatch randomBatch(Random r, Map<String, Integer> tokens, int step) {
        List<UserState> users = new ArrayList<>();
        Set<String> upserted = new HashSet<>();
        Set<String> deletes = new HashSet<>();
        Map<String, String> identityPuts = new HashMap<>();
        Set<String> identityRemovals = new HashSet<>();
        List<TimerRow> timerPuts = new ArrayList<>();
        List<TimerRow> timerDeletes = new ArrayList<>();
        List<OutboxRow> outboxPuts = new ArrayList<>();
        Set<String> outboxDeletes = new HashSet<>();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            String u = "u" + r.nextInt(12);
            switch (r.nextInt(10)) {
                case 0 -> deletes.add(u);
                case 1 -> identityRemovals.add(IdentityKeys.externalId(u));
                case 2, 3 -> {
                    if (upserted.add(u)) users.add(user(u, r.nextBoolean() ? "same@example.com" : u + "@example.com", 1_000 + step));
                    identityPuts.put(IdentityKeys.externalId(u), u);
                }
                case 4, 5 -> {
                    int t = tokens.merge(u, 1, Integer::sum);
                    if (timerPuts.stream().noneMatch(x -> x.userId().equals(u))) timerPuts.add(timer(u, t, r.nextInt(10_000)));
                }
                case 6, 7 -> timerDeletes.add(timer(u, tokens.getOrDefault(u, 0) - r.nextInt(2), 0));
                case 8 -> outboxPuts.add(message("m" + r.nextInt(8), u, r.nextInt(10_000)));
                default -> outboxDeletes.add("m" + r.nextInt(8));
            }
        }
        identityRemovals.removeAll(identityPuts.keySet());
        return batch(users, deletes, identityPuts, identityRemovals, eventRows("s" + step + "-", r.nextInt(3), 100),
                timerPuts, timerDeletes, outboxPuts, outboxDeletes);
    }

    @Test
    void putMeta_is_journaled_and_read_after_the_batches_before_it() {
        store.commit(new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), Set.of(), List.of(), Map.of("k", "from a batch")));
        store.putMeta("k", "later");
        assertThat(store.meta("k")).contains("later");
    }
}
