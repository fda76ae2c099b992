package dev.kiln.store;

import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What every {@link Store} backend must do. One subclass per database supplies a fresh, empty database
 * per test (as db-scheduler's CompatibilityTest).
 */
public abstract class StoreContractTest {

    /** A configuration of a new, empty database (migrations not yet run). */
    protected abstract StoreConfig freshDatabase();

    protected StoreConfig config;
    protected Store store;

    /** Opens the store under test on {@code config} (the tables alone, or with the write-behind journal). */
    protected Store open(StoreConfig config) { return JdbcStore.open(config); }

    /** The tables of the store under test, with everything acknowledged written into them. */
    protected JdbcStore tables() { return (JdbcStore) store; }

    @BeforeEach
    void openStore() {
        config = freshDatabase();
        store = open(config);
    }

    @AfterEach
    void closeStore() {
        if (store != null) store.close();
    }

    // ---- helpers ----

    static UserState user(String id, String email, long updatedAt) {
        UserState u = new UserState(id, 1_000);
        u.touch(updatedAt);
        if (email != null) u.standard().put("email", Value.str(email));
        u.custom().put("lead score", new Value.Num(7));
        return u;
    }

    static EventLogRow event(String id, String userId, long recordedAt) {
        return new EventLogRow(0, id, userId, userId.hashCode() % 2 == 0 ? null : "ext-" + userId,
                "users.behaviors.CustomEvent", recordedAt - 5, "{\"name\":\"démo\",\"n\":" + id.length() + "}", recordedAt);
    }

    static CommitBatch upserts(UserState... users) {
        return CommitBatch.of(List.of(users), Set.of(), Map.of(), Set.of(), List.of());
    }

    static CommitBatch events(List<EventLogRow> rows) {
        return CommitBatch.of(List.of(), Set.of(), Map.of(), Set.of(), rows);
    }

    static List<EventLogRow> eventRows(String prefix, int n, long recordedAt) {
        return IntStream.range(0, n).mapToObj(i -> event(prefix + i, "u" + (i % 7), recordedAt)).toList();
    }

    // ---- profiles ----

    @Test
    void commit_then_load_round_trips_profiles() {
        Random r = new Random(42);
        List<UserState> users = IntStream.range(0, 50).mapToObj(i -> RandomUserStates.next(r, "u" + i)).toList();
        store.commit(CommitBatch.of(users, Set.of(), Map.of(), Set.of(), List.of()));

        Map<String, UserState> loaded = store.loadUsers(List.of("u0", "u7", "u49", "nobody"));
        assertThat(loaded).containsOnlyKeys("u0", "u7", "u49");
        assertThat(loaded.get("u7")).isEqualTo(users.get(7));
        assertThat(store.loadUser("u49")).contains(users.get(49));
        assertThat(store.loadUser("nobody")).isEmpty();
        assertThat(store.countUsers()).isEqualTo(50);
    }

    @Test
    void load_users_reads_more_ids_than_one_query_holds() {
        List<UserState> users = IntStream.range(0, 1_234).mapToObj(i -> user("u" + i, null, 2_000)).toList();
        store.commit(CommitBatch.of(users, Set.of(), Map.of(), Set.of(), List.of()));
        List<String> ids = new ArrayList<>(IntStream.range(0, 1_300).mapToObj(i -> "u" + i).toList());
        ids.add("u3"); // duplicates are harmless

        Map<String, UserState> loaded = store.loadUsers(ids);

        assertThat(loaded).hasSize(1_234);
        assertThat(loaded.get("u1233")).isEqualTo(users.get(1_233));
    }

    @Test
    void upsert_replaces_the_stored_profile() {
        store.commit(upserts(user("u1", "a@example.com", 2_000)));
        UserState changed = user("u1", "b@example.com", 3_000);
        changed.custom().put("lead score", new Value.Num(100));
        changed.externalId("crm-1");

        store.commit(upserts(changed));

        assertThat(store.loadUser("u1")).contains(changed);
        assertThat(store.countUsers()).isEqualTo(1);
        assertThat(store.usersByEmail("a@example.com")).isEmpty();
        assertThat(store.usersByEmail("b@example.com")).containsExactly("u1");
    }

    /** The users row as stored: external_id, email, updated_at (what the state-only rewrite must keep right). */
    private List<Object> row(String userId) {
        return tables().onWriter(w -> {
            java.sql.PreparedStatement ps = w.statement("SELECT external_id, email, updated_at FROM users WHERE user_id = ?");
            ps.setString(1, userId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                return java.util.Arrays.asList(rs.getString(1), rs.getString(2), rs.getLong(3));
            }
        });
    }

    @Test
    void a_state_only_rewrite_keeps_the_identity_columns_and_moves_updated_at() {
        UserState older = user("u1", "Ann@Example.com", 2_000);
        older.externalId("crm-1");
        store.commit(upserts(older, user("u2", "ann@example.com", 3_000)));
        assertThat(store.usersByEmail("ann@example.com")).containsExactly("u2", "u1");

        UserState changed = user("u1", "Ann@Example.com", 4_000);
        changed.externalId("crm-1");
        changed.custom().put("lead score", new Value.Num(12));
        store.commit(upserts(changed));

        assertThat(store.loadUser("u1")).contains(changed);
        assertThat(row("u1")).containsExactly("crm-1", "ann@example.com", 4_000L);
        // updated_at was rewritten, so u1 is now the newest profile with the address.
        assertThat(store.usersByEmail("ANN@example.com")).containsExactly("u1", "u2");
    }

    @Test
    void identity_column_changes_are_written_whichever_way_they_go() {
        UserState u = user("u1", null, 2_000);
        store.commit(upserts(u));
        assertThat(row("u1")).containsExactly(null, null, 2_000L);

        u.externalId("crm-1");
        u.standard().put("email", Value.str("a@example.com"));
        u.touch(3_000);
        store.commit(upserts(u));
        assertThat(row("u1")).containsExactly("crm-1", "a@example.com", 3_000L);
        assertThat(store.usersByEmail("a@example.com")).containsExactly("u1");

        u.standard().put("email", Value.str("B@example.com"));
        u.touch(4_000);
        store.commit(upserts(u));
        assertThat(row("u1")).containsExactly("crm-1", "b@example.com", 4_000L);
        assertThat(store.usersByEmail("a@example.com")).isEmpty();
        assertThat(store.usersByEmail("b@example.com")).containsExactly("u1");

        u.standard().remove("email");
        u.touch(5_000);
        store.commit(upserts(u));
        assertThat(row("u1")).containsExactly("crm-1", null, 5_000L);
        assertThat(store.usersByEmail("b@example.com")).isEmpty();
        assertThat(store.loadUser("u1")).contains(u);
    }

    /**
     * Seeded random histories: each commit rewrites some profiles, changing the state only, the email (case,
     * address, none) or the external id, mixed in one batch with new profiles, so the state-only UPDATE and
     * the upsert both run in one commit. After every commit each row and each email lookup must match the
     * last profile committed.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 7, 42, 1_234, 99_991})
    void rows_and_email_lookups_follow_every_profile_write(long seed) {
        Random r = new Random(seed);
        String[] emails = {null, "a@example.com", "A@Example.com", "b@example.com", "c@example.com"};
        String[] externals = {null, "crm-1", "crm-2"};
        Map<String, UserState> model = new HashMap<>();
        long clock = 10_000;
        for (int round = 0; round < 25; round++) {
            List<UserState> batch = new ArrayList<>();
            Set<String> inBatch = new HashSet<>();
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                String id = "u" + r.nextInt(10);
                if (!inBatch.add(id)) continue;
                UserState u = model.containsKey(id) ? model.get(id).copy() : new UserState(id, clock);
                switch (r.nextInt(4)) {
                    case 0 -> {
                        String e = emails[r.nextInt(emails.length)];
                        if (e == null) u.standard().remove("email");
                        else u.standard().put("email", Value.str(e));
                    }
                    case 1 -> u.externalId(externals[r.nextInt(externals.length)]);
                    default -> u.custom().put("lead score", new Value.Num(r.nextInt(100)));
                }
                u.touch(++clock);
                batch.add(u);
            }
            store.commit(CommitBatch.of(batch, Set.of(), Map.of(), Set.of(), List.of()));
            for (UserState u : batch) model.put(u.userId(), u.copy());

            for (UserState u : model.values()) {
                assertThat(store.loadUser(u.userId())).contains(u);
                assertThat(row(u.userId())).containsExactly(u.externalId(),
                        u.email().map(e -> e.toLowerCase(java.util.Locale.ROOT)).orElse(null), u.updatedAt());
            }
            for (String e : Set.of("a@example.com", "b@example.com", "c@example.com")) {
                List<String> expected = model.values().stream()
                        .filter(u -> u.email().map(x -> x.equalsIgnoreCase(e)).orElse(false))
                        .sorted(Comparator.comparingLong(UserState::updatedAt).reversed().thenComparing(UserState::userId))
                        .map(UserState::userId).toList();
                assertThat(store.usersByEmail(e)).as("round %d, %s", round, e).isEqualTo(expected);
            }
        }
    }

    @Test
    void a_user_upserted_twice_in_one_batch_keeps_the_last_state() {
        UserState first = user("u1", null, 2_000);
        UserState second = user("u1", null, 3_000);
        second.custom().put("lead score", new Value.Num(8));

        store.commit(upserts(first, second));

        assertThat(store.loadUser("u1")).contains(second);
    }

    @Test
    void delete_removes_the_profile_and_its_identities() {
        UserState u = user("u1", "a@example.com", 2_000);
        u.externalId("crm-1");
        u.aliases().add(new UserAlias("anon-1", "web"));
        String ext = IdentityKeys.externalId("crm-1");
        String alias = IdentityKeys.alias(new UserAlias("anon-1", "web"));
        store.commit(CommitBatch.of(List.of(u, user("u2", null, 2_000)), Set.of(),
                Map.of(ext, "u1", alias, "u1", IdentityKeys.externalId("crm-2"), "u2"), Set.of(), List.of()));

        store.commit(CommitBatch.of(List.of(), Set.of("u1"), Map.of(), Set.of(), List.of()));

        assertThat(store.loadUser("u1")).isEmpty();
        assertThat(store.resolve(List.of(ext, alias, IdentityKeys.externalId("crm-2"))))
                .containsExactly(Map.entry(IdentityKeys.externalId("crm-2"), "u2"));
        assertThat(store.usersByEmail("a@example.com")).isEmpty();
        assertThat(store.countUsers()).isEqualTo(1);
    }

    // ---- identities ----

    @Test
    void identity_upsert_moves_a_key_to_another_user() {
        String key = IdentityKeys.alias(new UserAlias("anon-1", "web"));
        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(key, "u1"), Set.of(), List.of()));

        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(key, "u2"), Set.of(), List.of()));

        assertThat(store.resolve(List.of(key))).containsExactly(Map.entry(key, "u2"));
    }

    @Test
    void identity_removal_forgets_the_key() {
        String keep = IdentityKeys.externalId("keep");
        String drop = IdentityKeys.externalId("drop");
        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(keep, "u1", drop, "u1"), Set.of(), List.of()));

        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(), Set.of(drop), List.of()));

        assertThat(store.resolve(List.of(keep, drop))).containsExactly(Map.entry(keep, "u1"));
    }

    @Test
    void removal_then_put_of_one_key_in_one_batch_leaves_the_put() {
        String key = IdentityKeys.externalId("crm-1");
        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(key, "u1"), Set.of(), List.of()));

        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(key, "u2"), Set.of(key), List.of()));

        assertThat(store.resolve(List.of(key))).containsExactly(Map.entry(key, "u2"));
    }

    @Test
    void resolve_answers_many_keys_and_leaves_unknown_ones_out() {
        Map<String, String> puts = new HashMap<>();
        for (int i = 0; i < 1_100; i++) puts.put(IdentityKeys.externalId("crm-" + i), "u" + i);
        store.commit(CommitBatch.of(List.of(), Set.of(), puts, Set.of(), List.of()));
        List<String> asked = new ArrayList<>(puts.keySet());
        asked.add(IdentityKeys.externalId("unknown"));

        assertThat(store.resolve(asked)).isEqualTo(puts);
        assertThat(store.resolve(List.of())).isEmpty();
    }

    // ---- event log ----

    @Test
    void event_log_seq_ascends_and_read_pages_through_it() {
        store.commit(events(eventRows("a", 10, 100)));
        store.commit(events(eventRows("b", 10, 200)));
        store.commit(events(eventRows("c", 5, 300)));

        List<EventLogRow> all = new ArrayList<>();
        long after = 0;
        List<EventLogRow> page;
        int pages = 0;
        while (!(page = store.readEventLog(after, 10)).isEmpty()) {
            assertThat(page.size()).isLessThanOrEqualTo(10);
            all.addAll(page);
            after = page.getLast().seq();
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(all).extracting(EventLogRow::seq).isSorted().doesNotHaveDuplicates();
        assertThat(all).extracting(EventLogRow::id).containsExactlyElementsOf(
                IntStream.range(0, 25).mapToObj(i -> i < 10 ? "a" + i : i < 20 ? "b" + (i - 10) : "c" + (i - 20)).toList());
        EventLogRow first = all.getFirst();
        assertThat(first).isEqualTo(event("a0", "u0", 100).withSeq(first.seq()));
        EventLogRow odd = all.get(1);
        assertThat(odd).isEqualTo(event("a1", "u1", 100).withSeq(odd.seq()));
    }

    @Test
    void events_get_seqs_in_the_order_they_were_committed() {
        int n = EventPages.PAGE_ROWS * 3 + 5; // full pages and a part page
        store.commit(events(eventRows("a", n, 100)));
        store.commit(events(eventRows("b", 3, 100)));

        List<EventLogRow> log = store.readEventLog(0, 10_000);

        List<String> expected = new ArrayList<>(IntStream.range(0, n).mapToObj(i -> "a" + i).toList());
        expected.addAll(List.of("b0", "b1", "b2"));
        assertThat(log).extracting(EventLogRow::id).containsExactlyElementsOf(expected);
        assertThat(log).extracting(EventLogRow::seq).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void prune_deletes_rows_recorded_before_the_cutoff_only() {
        store.commit(events(eventRows("old", 3, 100)));
        store.commit(events(eventRows("new", 2, 300)));

        assertThat(store.pruneEventLog(300)).isEqualTo(3);

        assertThat(store.readEventLog(0, 100)).extracting(EventLogRow::id).containsExactly("new0", "new1");
        assertThat(store.pruneEventLog(300)).isZero();
    }

    @Test
    void prune_through_a_seq_keeps_later_rows_however_old_for_currents() {
        store.commit(events(eventRows("old", 4, 100)));
        long second = store.readEventLog(0, 10).get(1).seq();

        assertThat(store.pruneEventLog(300, second)).isEqualTo(2);

        assertThat(store.readEventLog(0, 100)).extracting(EventLogRow::id).containsExactly("old2", "old3");
        assertThat(store.lastEventSeq()).isEqualTo(second + 2);
    }

    @Test
    void the_last_event_seq_is_zero_for_an_empty_log() {
        assertThat(store.lastEventSeq()).isZero();
    }

    @Test
    void prune_works_through_more_rows_than_one_chunk() {
        int n = JdbcStore.PRUNE_CHUNK * 2 + 1;
        store.commit(events(eventRows("e", n, 100)));
        store.commit(events(eventRows("keep", 1, 500)));

        assertThat(store.pruneEventLog(200)).isEqualTo(n);

        assertThat(store.readEventLog(0, 10)).extracting(EventLogRow::id).containsExactly("keep0");
    }

    /**
     * Seeded random commits (some over several pages, recorded times out of order), prunes by time and through a seq
     * (pages kept whole, dropped whole and rewritten) and reads from any seq with any limit, against a list of rows.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {7, 11, 2_024})
    void event_log_reads_and_prunes_agree_with_a_model(long seed) {
        Random r = new Random(seed);
        List<EventLogRow> model = new ArrayList<>();
        long high = 0;
        int made = 0;
        for (int step = 0; step < 40; step++) {
            String at = "seed " + seed + ", step " + step;
            int op = r.nextInt(10);
            if (op < 5) {
                int n = 1 + r.nextInt(r.nextBoolean() ? 20 : EventPages.PAGE_ROWS * 2 + 10);
                List<EventLogRow> rows = new ArrayList<>();
                for (int i = 0; i < n; i++) rows.add(event("r" + made++, "u" + r.nextInt(9), 100 + 10L * step + r.nextInt(30)));
                store.commit(events(rows));
                List<EventLogRow> added = store.readEventLog(high, n + 5);
                assertThat(added).as(at).extracting(EventLogRow::id).containsExactlyElementsOf(rows.stream().map(EventLogRow::id).toList());
                assertThat(added).as(at).extracting(EventLogRow::seq).isSorted().doesNotHaveDuplicates().allMatch(q -> q > 0);
                high = added.getLast().seq();
                model.addAll(added);
            } else if (op < 7) {
                long cutoff = 100 + r.nextInt(10 * (step + 4));
                long through = model.isEmpty() || r.nextBoolean() ? Long.MAX_VALUE : model.get(r.nextInt(model.size())).seq();
                long expected = model.stream().filter(e -> e.recordedAt() < cutoff && e.seq() <= through).count();
                assertThat(store.pruneEventLog(cutoff, through)).as(at + ": prune before " + cutoff + " through " + through).isEqualTo(expected);
                model.removeIf(e -> e.recordedAt() < cutoff && e.seq() <= through);
            } else {
                long after = model.isEmpty() || r.nextInt(4) == 0 ? r.nextLong(high + 2) : model.get(r.nextInt(model.size())).seq() - r.nextInt(2);
                int limit = 1 + r.nextInt(r.nextBoolean() ? 5 : 700);
                assertThat(store.readEventLog(after, limit)).as(at + ": read after " + after + " limit " + limit)
                        .isEqualTo(model.stream().filter(e -> e.seq() > after).limit(limit).toList());
            }
            assertThat(store.lastEventSeq()).as(at).isEqualTo(model.isEmpty() ? 0 : model.getLast().seq());
        }
        // What is left reads back whole, and a new row still gets a seq above every seq handed out.
        assertThat(store.readEventLog(0, 100_000)).isEqualTo(model);
        store.commit(events(List.of(event("last", "u1", 5_000))));
        long handedOut = high;
        assertThat(store.readEventLog(high, 10)).singleElement().satisfies(e -> assertThat(e.seq()).isGreaterThan(handedOut));
    }

    @Test
    void a_pruned_seq_is_never_handed_out_again() {
        store.commit(events(eventRows("a", 3, 100)));
        long max = store.readEventLog(0, 10).getLast().seq();
        store.pruneEventLog(Long.MAX_VALUE);

        store.commit(events(eventRows("b", 1, 200)));

        assertThat(store.readEventLog(0, 10)).singleElement().satisfies(e -> assertThat(e.seq()).isGreaterThan(max));
    }

    // ---- atomicity ----

    @Test
    void a_failed_commit_leaves_nothing_of_the_batch_behind() {
        String keyA = IdentityKeys.externalId("a");
        store.commit(CommitBatch.of(List.of(user("a", "a@example.com", 2_000)), Set.of(), Map.of(keyA, "a"),
                Set.of(), eventRows("ok", 1, 100)));
        String keyB = IdentityKeys.externalId("b");
        List<EventLogRow> rows = new ArrayList<>(eventRows("bad", 150, 200));
        // id is NOT NULL; placed inside the first multi-row insert so a whole chunk must roll back
        rows.add(10, new EventLogRow(0, null, "b", null, "users.behaviors.CustomEvent", 1, "{}", 200));
        CommitBatch failing = CommitBatch.of(List.of(user("b", "b@example.com", 2_000), user("a", "changed@example.com", 3_000)),
                Set.of("a"), Map.of(keyB, "b"), Set.of(keyA), rows);

        assertThatThrownBy(() -> store.commit(failing)).isInstanceOf(StoreException.class);

        assertThat(store.loadUser("a")).contains(user("a", "a@example.com", 2_000));
        assertThat(store.loadUser("b")).isEmpty();
        assertThat(store.resolve(List.of(keyA, keyB))).containsExactly(Map.entry(keyA, "a"));
        assertThat(store.readEventLog(0, 100)).extracting(EventLogRow::id).containsExactly("ok0");
        assertThat(store.usersByEmail("changed@example.com")).isEmpty();

        store.commit(CommitBatch.of(List.of(user("b", null, 2_000)), Set.of(), Map.of(keyB, "b"), Set.of(), eventRows("after", 1, 300)));
        assertThat(store.loadUser("b")).isPresent();
        assertThat(store.readEventLog(0, 100)).extracting(EventLogRow::id).containsExactly("ok0", "after0");
    }

    @Test
    void an_empty_commit_changes_nothing() {
        store.commit(CommitBatch.of(List.of(), Set.of(), Map.of(), Set.of(), List.of()));
        assertThat(store.countUsers()).isZero();
        assertThat(store.readEventLog(0, 10)).isEmpty();
    }

    @Test
    void concurrent_commits_from_two_threads_all_land() throws Exception {
        int perThread = 40;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> done = new ArrayList<>();
            for (String lane : List.of("x", "y")) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String id = lane + i;
                        store.commit(CommitBatch.of(List.of(user(id, id + "@example.com", 2_000)), Set.of(),
                                Map.of(IdentityKeys.externalId(id), id), Set.of(), eventRows(id + "-", 5, 100)));
                    }
                }));
            }
            for (Future<?> f : done) f.get();
        }

        assertThat(store.countUsers()).isEqualTo(2 * perThread);
        List<EventLogRow> log = store.readEventLog(0, 10_000);
        assertThat(log).hasSize(2 * perThread * 5);
        assertThat(log).extracting(EventLogRow::seq).isSorted().doesNotHaveDuplicates();
        assertThat(store.resolve(List.of(IdentityKeys.externalId("x39"), IdentityKeys.externalId("y0")))).hasSize(2);
    }

    @Test
    void two_store_instances_on_one_database_can_both_commit() throws Exception {
        // A CLI command writing while the server runs: two processes, here two stores, one database.
        try (JdbcStore other = JdbcStore.open(config); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> a = pool.submit(() -> { for (int i = 0; i < 30; i++) store.commit(events(eventRows("a" + i + "-", 20, 100))); });
            Future<?> b = pool.submit(() -> { for (int i = 0; i < 30; i++) other.commit(events(eventRows("b" + i + "-", 20, 100))); });
            a.get();
            b.get();
            assertThat(other.readEventLog(0, 10_000)).hasSize(1_200);
        }
        assertThat(store.readEventLog(0, 10_000)).extracting(EventLogRow::seq).hasSize(1_200).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void reopening_keeps_the_data() {
        store.commit(CommitBatch.of(List.of(user("u1", null, 2_000)), Set.of(), Map.of(), Set.of(), eventRows("e", 2, 100)));
        store.close();

        store = open(config);

        assertThat(store.loadUser("u1")).contains(user("u1", null, 2_000));
        assertThat(store.readEventLog(0, 10)).hasSize(2);
    }

    @Test
    void a_closed_store_refuses_commits() {
        store.close();
        assertThatThrownBy(() -> store.commit(upserts(user("u1", null, 2_000)))).isInstanceOf(StoreException.class);
        store = null;
    }

    // ---- queries ----

    @Test
    void users_by_email_ignore_case_and_list_the_newest_first() {
        store.commit(upserts(user("u1", "Ann@Example.com", 2_000), user("u2", "ann@example.COM", 4_000),
                user("u3", " ann@example.com", 3_000), user("u4", "bob@example.com", 5_000), user("u5", null, 6_000)));

        assertThat(store.usersByEmail("ANN@example.com")).containsExactly("u2", "u3", "u1");
        assertThat(store.usersByEmail("nobody@example.com")).isEmpty();
        assertThat(store.usersByEmail("")).isEmpty();
    }

    @Test
    void scan_sees_every_profile() {
        List<UserState> users = IntStream.range(0, 1_234).mapToObj(i -> user("u" + i, null, 2_000 + i)).toList();
        store.commit(CommitBatch.of(users, Set.of(), Map.of(), Set.of(), List.of()));

        Set<UserState> seen = new HashSet<>();
        store.scanUsers(seen::add);

        assertThat(seen).hasSize(1_234).containsAll(users);
        assertThat(store.countUsers()).isEqualTo(1_234);
    }

    // ---- API keys ----

    @Test
    void api_keys_can_be_created_found_listed_and_revoked() {
        ApiKeyStore keys = store.apiKeys();
        keys.create("k1", "import job", "hash-1", Set.of("users.track", "canvas.read"), 100);
        keys.create("k2", "console", "hash-2", Set.of(), 200);

        assertThat(keys.findByHash("hash-1")).contains(
                new ApiKeyStore.ApiKey("k1", "import job", Set.of("canvas.read", "users.track"), 100, null));
        assertThat(keys.findByHash("unknown")).isEmpty();
        assertThat(keys.list()).extracting(ApiKeyStore.ApiKey::id).containsExactly("k1", "k2");
        assertThat(keys.list().get(1).scopes()).isEmpty();

        assertThat(keys.revoke("k1", 300)).isTrue();
        assertThat(keys.revoke("k1", 400)).isFalse();
        assertThat(keys.revoke("nope", 400)).isFalse();
        ApiKeyStore.ApiKey revoked = keys.findByHash("hash-1").orElseThrow();
        assertThat(revoked.active()).isFalse();
        assertThat(revoked.revokedAt()).isEqualTo(300L);
    }

    @Test
    void a_duplicate_key_hash_or_id_is_refused() {
        ApiKeyStore keys = store.apiKeys();
        keys.create("k1", "first", "hash-1", Set.of("users.track"), 100);

        assertThatThrownBy(() -> keys.create("k2", "second", "hash-1", Set.of(), 200))
                .isInstanceOf(StoreException.class).hasMessageContaining("same key hash");
        assertThatThrownBy(() -> keys.create("k1", "again", "hash-3", Set.of(), 200))
                .isInstanceOf(StoreException.class).hasMessageContaining("id k1");
        assertThat(keys.list()).extracting(ApiKeyStore.ApiKey::id).containsExactly("k1");
    }

    @Test
    void api_key_upsert_replaces_the_key_with_the_same_hash_or_id() {
        ApiKeyStore keys = store.apiKeys();
        keys.create("admin", "admin", "old-hash", Set.of("admin"), 100);
        keys.revoke("admin", 150);

        keys.upsert("admin", "admin", "new-hash", Set.of("admin", "users.track"), 200);

        assertThat(keys.findByHash("old-hash")).isEmpty();
        assertThat(keys.findByHash("new-hash")).hasValueSatisfying(k -> {
            assertThat(k.active()).isTrue();
            assertThat(k.scopes()).containsExactlyInAnyOrder("admin", "users.track");
        });
        keys.upsert("admin2", "renamed", "new-hash", Set.of("admin"), 300);
        assertThat(keys.list()).extracting(ApiKeyStore.ApiKey::id).containsExactly("admin2");
    }

    @Test
    void a_scope_with_a_comma_is_refused() {
        assertThatThrownBy(() -> store.apiKeys().create("k1", "bad", "h", Set.of("a,b"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scopes");
        assertThat(store.apiKeys().list()).isEmpty();
    }


    // ---- Canvas tables ----

    private static CommitBatch canvasWrites(List<TimerRow> puts, List<TimerRow> deletes, List<LedgerRow> ledger, List<StatDelta> stats) {
        return new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), List.of(), puts, deletes, ledger, stats);
    }

    @Test
    void timers_are_one_per_user_and_canvas_and_come_due_in_order() {
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 1, 5_000), new TimerRow("u2", "c", 1, 3_000),
                new TimerRow("u1", "d", 4, 9_000)), List.of(), List.of(), List.of()));
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 2, 4_000)), List.of(), List.of(), List.of()));
        assertThat(store.dueTimers(5_000, 10)).containsExactly(new TimerRow("u2", "c", 1, 3_000), new TimerRow("u1", "c", 2, 4_000));
        assertThat(store.countTimers()).isEqualTo(3);
        store.commit(canvasWrites(List.of(), List.of(new TimerRow("u2", "c", 1, 3_000)), List.of(), List.of()));
        assertThat(store.dueTimers(10_000, 1)).containsExactly(new TimerRow("u1", "c", 2, 4_000));
        assertThat(store.countTimers()).isEqualTo(2);
    }

    @Test
    void due_timers_from_a_due_time_leave_out_the_earlier_ones() {
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 1, 2_000), new TimerRow("u2", "c", 1, 3_000),
                new TimerRow("u3", "c", 1, 3_000), new TimerRow("u4", "c", 1, 4_000), new TimerRow("u5", "c", 1, 6_000)),
                List.of(), List.of(), List.of()));
        assertThat(store.dueTimers(5_000, 3_000, 10)).containsExactlyInAnyOrder(new TimerRow("u2", "c", 1, 3_000),
                new TimerRow("u3", "c", 1, 3_000), new TimerRow("u4", "c", 1, 4_000));
        assertThat(store.dueTimers(5_000, 3_001, 10)).containsExactly(new TimerRow("u4", "c", 1, 4_000));
        assertThat(store.dueTimers(5_000, 3_000, 2)).extracting(TimerRow::dueAt).containsExactly(3_000L, 3_000L);
        assertThat(store.dueTimers(5_000, 5_001, 10)).isEmpty();
        assertThat(store.dueTimers(5_000, Long.MIN_VALUE, 10)).isEqualTo(store.dueTimers(5_000, 10));
    }

    @Test
    void timer_deletes_apply_before_puts_in_one_commit() {
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 1, 5_000)), List.of(), List.of(), List.of()));
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 2, 7_000)), List.of(new TimerRow("u1", "c", 1, 5_000)), List.of(), List.of()));
        assertThat(store.dueTimers(Long.MAX_VALUE, 10)).containsExactly(new TimerRow("u1", "c", 2, 7_000));
        // A delete of a stale token leaves the newer wait alone.
        store.commit(canvasWrites(List.of(), List.of(new TimerRow("u1", "c", 1, 5_000)), List.of(), List.of()));
        assertThat(store.dueTimers(Long.MAX_VALUE, 10)).containsExactly(new TimerRow("u1", "c", 2, 7_000));
    }

    @Test
    void a_delete_of_the_current_timer_with_a_put_of_its_successor_leaves_the_successor() {
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 1, 5_000), new TimerRow("u1", "d", 1, 6_000),
                new TimerRow("u2", "c", 1, 7_000)), List.of(), List.of(), List.of()));
        // The fired wait (token 1) goes and the re-entry's wait (token 2) replaces it in the same commit, as the
        // seed Canvas does for every event; u1's other Canvas and u2 lose their timers in the same commit.
        store.commit(canvasWrites(List.of(new TimerRow("u1", "c", 2, 9_000)),
                List.of(new TimerRow("u1", "c", 1, 5_000), new TimerRow("u1", "d", 1, 6_000), new TimerRow("u2", "c", 1, 7_000)),
                List.of(), List.of()));
        assertThat(store.dueTimers(Long.MAX_VALUE, 10)).containsExactly(new TimerRow("u1", "c", 2, 9_000));
        assertThat(store.countTimers()).isEqualTo(1);
        // The same again when no row existed before: the put still inserts.
        store.commit(canvasWrites(List.of(new TimerRow("u3", "c", 5, 8_000)), List.of(new TimerRow("u3", "c", 4, 1_000)),
                List.of(), List.of()));
        assertThat(store.dueTimers(Long.MAX_VALUE, 10)).containsExactly(new TimerRow("u3", "c", 5, 8_000), new TimerRow("u1", "c", 2, 9_000));
    }

    @Test
    void ledger_reads_newest_first_by_page_and_prunes_by_time() {
        List<LedgerRow> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) rows.add(new LedgerRow(0, "u1", "lead score", 1_000L * i, i == 0 ? null : (double) i - 1, (double) i, i == 0 ? null : 1.0, "users/track:r" + i));
        rows.add(new LedgerRow(0, "u2", "lead score", 1, null, 9.0, null, "cdi:x"));
        store.commit(canvasWrites(List.of(), List.of(), rows, List.of()));
        List<LedgerRow> page1 = store.ledger("u1", "lead score", Long.MAX_VALUE, 2);
        assertThat(page1).extracting(LedgerRow::newValue).containsExactly(4.0, 3.0);
        List<LedgerRow> page2 = store.ledger("u1", "lead score", page1.get(1).seq(), 10);
        assertThat(page2).extracting(LedgerRow::newValue).containsExactly(2.0, 1.0, 0.0);
        assertThat(page2.get(2).oldValue()).isNull();
        assertThat(page2.get(2).source()).isEqualTo("users/track:r0");
        assertThat(store.pruneLedger(2_000)).isEqualTo(3); // u1's 0 and 1000, u2's 1
        assertThat(store.ledger("u1", "lead score", Long.MAX_VALUE, 10)).hasSize(3);
    }

    /**
     * Seeded random ledger commits with a tiny merge batch, so rows move from the recent tier into the indexed table
     * between and inside the reads' pages; every (user, name) history, read page by page newest first, and a prune by
     * time, against a list of rows. The seed is in the test's name.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {3, 17, 4_711})
    void ledger_reads_and_prunes_across_both_tiers_agree_with_a_model(long seed) {
        Random r = new Random(seed);
        JdbcStore tables = store instanceof JournaledStore j ? j.tablesAsTheyAre() : (JdbcStore) store;
        tables.ledgerMergeRows(1 + r.nextInt(7));
        List<String> users = List.of("u1", "u2", "u3"), names = List.of("lead score", "fit");
        List<LedgerRow> model = new java.util.ArrayList<>(); // in commit order = seq order
        for (int c = 0; c < 25; c++) {
            List<LedgerRow> rows = new java.util.ArrayList<>();
            for (int i = r.nextInt(5); i > 0; i--) {
                double v = r.nextInt(100);
                rows.add(new LedgerRow(0, users.get(r.nextInt(users.size())), names.get(r.nextInt(names.size())),
                        r.nextInt(10_000), r.nextBoolean() ? null : v - 1, v, r.nextBoolean() ? null : 1.0, "src:" + c + ":" + i));
            }
            if (rows.isEmpty()) continue;
            store.commit(canvasWrites(List.of(), List.of(), rows, List.of()));
            model.addAll(rows);
        }
        assertLedgerAgrees(model, users, names, 1 + r.nextInt(4), seed);
        long cut = r.nextInt(10_000);
        long pruned = store.pruneLedger(cut);
        List<LedgerRow> kept = model.stream().filter(l -> l.time() >= cut).toList();
        assertThat(pruned).as("seed %d: rows pruned before %d", seed, cut).isEqualTo(model.size() - kept.size());
        assertLedgerAgrees(kept, users, names, 1 + r.nextInt(4), seed);
        // Appends after the prune still come after everything kept.
        store.commit(canvasWrites(List.of(), List.of(), List.of(new LedgerRow(0, "u1", "fit", 20_000, 1.0, 2.0, 1.0, "last")), List.of()));
        assertThat(store.ledger("u1", "fit", Long.MAX_VALUE, 1)).extracting(LedgerRow::source).containsExactly("last");
    }

    private void assertLedgerAgrees(List<LedgerRow> model, List<String> users, List<String> names, int pageSize, long seed) {
        for (String user : users) {
            for (String name : names) {
                List<String> expected = model.stream().filter(l -> l.userId().equals(user) && l.name().equals(name))
                        .map(LedgerRow::source).collect(java.util.stream.Collectors.toList());
                java.util.Collections.reverse(expected);
                List<String> read = new java.util.ArrayList<>();
                long before = Long.MAX_VALUE;
                while (true) {
                    List<LedgerRow> page = store.ledger(user, name, before, pageSize);
                    page.forEach(l -> read.add(l.source()));
                    if (page.size() < pageSize) break;
                    before = page.getLast().seq();
                }
                assertThat(read).as("seed %d: history of %s / %s, pages of %d", seed, user, name, pageSize).isEqualTo(expected);
            }
        }
    }

    @Test
    void canvas_stats_accumulate_across_commits() {
        store.commit(canvasWrites(List.of(), List.of(), List.of(), List.of(new StatDelta("c", "entries", "", 20_000, 2),
                new StatDelta("c", "on_step", "score", 0, 2))));
        store.commit(canvasWrites(List.of(), List.of(), List.of(), List.of(new StatDelta("c", "entries", "", 20_000, 1),
                new StatDelta("c", "on_step", "score", 0, -1), new StatDelta("other", "entries", "", 20_000, 7))));
        assertThat(store.canvasStats("c")).containsExactly(new StatDelta("c", "entries", "", 20_000, 3),
                new StatDelta("c", "on_step", "score", 0, 1));
    }

    @Test
    void canvas_rows_are_saved_and_replaced() {
        store.saveCanvasRow(new CanvasRow("c", 1, "draft", "id: c", "yaml", "file", 10));
        store.saveCanvasRow(new CanvasRow("c", 2, "active", "id: c\n", "yaml", "api", 20));
        assertThat(store.canvasRows()).containsExactly(new CanvasRow("c", 2, "active", "id: c\n", "yaml", "api", 20));
    }

    // ---- campaigns, outbox and message log ----

    private static CommitBatch delivery(List<UserState> upserts, Set<String> deletes, List<OutboxRow> puts,
                                        Set<String> outboxDeletes, List<MessageLogRow> log) {
        return new CommitBatch(upserts.stream().map(UserRow::of).toList(), deletes, Map.of(), Set.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(), puts, outboxDeletes, log);
    }

    private static OutboxRow campaignMessage(String id, String userId, long dueAt, int attempts) {
        return new OutboxRow(id, userId, "camp-1", null, null, 3, 1_000, dueAt, attempts, "{\"p\":{\"é\":\"日本\"},\"id\":\"" + id + "\"}");
    }

    private static OutboxRow canvasMessage(String id, String userId, long dueAt) {
        return new OutboxRow(id, userId, null, "canvas-1", "hook", 2, 1_500, dueAt, 0, "{}");
    }

    private static MessageLogRow attempt(String messageId, String userId, String campaignId, String canvasId, long time,
                                         Integer status, String outcome) {
        return new MessageLogRow(0, messageId, userId, "ext-" + userId, campaignId, canvasId, canvasId == null ? null : "hook",
                time, "POST", "https://crm.example.com/leads?key=***", status, 1, outcome,
                outcome.equals("sent") ? null : "detail of " + messageId, status == null ? null : "{\"ok\":" + (status < 300) + "}");
    }

    private static MessageLogRow withSeq(MessageLogRow r, long seq) {
        return new MessageLogRow(seq, r.messageId(), r.userId(), r.externalId(), r.campaignId(), r.canvasId(), r.stepId(),
                r.time(), r.method(), r.url(), r.statusCode(), r.attempt(), r.outcome(), r.detail(), r.excerpt());
    }

    @Test
    void campaign_rows_are_saved_replaced_and_listed_apart_from_canvases() {
        store.saveCampaignRow(new CanvasRow("b", 1, "draft", "id: b", "yaml", "file", 10));
        store.saveCampaignRow(new CanvasRow("a", 1, "active", "{\"id\":\"a\"}", "json", "api", 20));
        store.saveCampaignRow(new CanvasRow("b", 2, "stopped", "id: b\nv: 2", "yaml", "api", 30));

        assertThat(store.campaignRows()).containsExactly(new CanvasRow("a", 1, "active", "{\"id\":\"a\"}", "json", "api", 20),
                new CanvasRow("b", 2, "stopped", "id: b\nv: 2", "yaml", "api", 30));
        assertThat(store.canvasRows()).isEmpty();
        store.saveCanvasRow(new CanvasRow("c", 1, "active", "{}", "json", "file", 5));
        assertThat(store.campaignRows()).extracting(CanvasRow::id).containsExactly("a", "b");
        assertThat(store.canvasRows()).extracting(CanvasRow::id).containsExactly("c");
    }

    @Test
    void outbox_puts_replaces_and_deletes_commit_with_the_profile() {
        store.commit(delivery(List.of(user("u1", null, 2_000)), Set.of(),
                List.of(campaignMessage("m1", "u1", 5_000, 0), campaignMessage("m2", "u1", 6_000, 0)), Set.of(), List.of()));
        assertThat(store.outboxRow("m1")).contains(campaignMessage("m1", "u1", 5_000, 0));
        assertThat(store.countOutbox()).isEqualTo(2);

        // One commit: the profile changes, m1 is rewritten for a retry, m2 ends, m3 is new.
        UserState changed = user("u1", "u1@example.com", 3_000);
        store.commit(delivery(List.of(changed), Set.of(),
                List.of(campaignMessage("m1", "u1", 9_000, 1), canvasMessage("m3", "u1", 7_000)), Set.of("m2"), List.of()));

        assertThat(store.loadUser("u1")).contains(changed);
        assertThat(store.outboxRow("m1")).contains(campaignMessage("m1", "u1", 9_000, 1));
        assertThat(store.outboxRow("m2")).isEmpty();
        assertThat(store.outboxRow("m3")).contains(canvasMessage("m3", "u1", 7_000));
        assertThat(store.outboxRow("nope")).isEmpty();
        assertThat(store.countOutbox()).isEqualTo(2);
        // Deleting a message that is not there is harmless.
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of("m2", "gone"), List.of()));
        assertThat(store.countOutbox()).isEqualTo(2);
    }

    @Test
    void an_outbox_delete_wins_over_a_put_of_the_same_message_in_one_commit() {
        store.commit(delivery(List.of(), Set.of(), List.of(campaignMessage("m1", "u1", 5_000, 0)), Set.of(), List.of()));

        store.commit(delivery(List.of(), Set.of(), List.of(campaignMessage("m1", "u1", 9_000, 1), campaignMessage("m2", "u1", 1, 0)),
                Set.of("m1", "m2"), List.of()));

        assertThat(store.countOutbox()).isZero();
    }

    @Test
    void the_last_put_of_one_message_in_a_commit_wins() {
        store.commit(delivery(List.of(), Set.of(), List.of(campaignMessage("m1", "u1", 5_000, 0),
                campaignMessage("m1", "u1", 8_000, 2)), Set.of(), List.of()));

        assertThat(store.outboxRow("m1")).contains(campaignMessage("m1", "u1", 8_000, 2));
        assertThat(store.countOutbox()).isEqualTo(1);
    }

    @Test
    void a_user_delete_leaves_the_users_outbox_rows() {
        store.commit(delivery(List.of(user("u1", null, 2_000)), Set.of(), List.of(campaignMessage("m1", "u1", 5_000, 0)),
                Set.of(), List.of()));

        store.commit(delivery(List.of(), Set.of("u1"), List.of(), Set.of(), List.of()));

        assertThat(store.loadUser("u1")).isEmpty();
        assertThat(store.outboxRow("m1")).contains(campaignMessage("m1", "u1", 5_000, 0));
    }

    @Test
    void a_failed_commit_writes_no_outbox_or_message_log_rows() {
        store.commit(delivery(List.of(user("u1", null, 2_000)), Set.of(),
                List.of(campaignMessage("keep", "u1", 5_000, 0), campaignMessage("end", "u1", 5_000, 0)), Set.of(),
                List.of(attempt("old", "u1", "camp-1", null, 100, 500, "retry"))));
        List<MessageLogRow> logBefore = store.messageLog(MessageLogQuery.latest(10));
        // outcome is NOT NULL; the message log is written last, so everything before it ran and must roll back.
        List<MessageLogRow> log = List.of(attempt("end", "u1", "camp-1", null, 200, 200, "sent"),
                new MessageLogRow(0, "keep", "u1", null, "camp-1", null, null, 200, "POST", "u", 502, 1, null, null, null));
        CommitBatch failing = delivery(List.of(user("u1", "new@example.com", 3_000)), Set.of(),
                List.of(campaignMessage("keep", "u1", 9_000, 1), campaignMessage("new", "u1", 1, 0)), Set.of("end"), log);

        assertThatThrownBy(() -> store.commit(failing)).isInstanceOf(StoreException.class);

        assertThat(store.loadUser("u1")).contains(user("u1", null, 2_000));
        assertThat(store.outboxRow("keep")).contains(campaignMessage("keep", "u1", 5_000, 0));
        assertThat(store.outboxRow("end")).isPresent();
        assertThat(store.outboxRow("new")).isEmpty();
        assertThat(store.countOutbox()).isEqualTo(2);
        assertThat(store.messageLog(MessageLogQuery.latest(10))).isEqualTo(logBefore).hasSize(1);

        // The writer is usable afterwards.
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of("end"), List.of(attempt("end", "u1", "camp-1", null, 300, 200, "sent"))));
        assertThat(store.countOutbox()).isEqualTo(1);
        assertThat(store.messageLog(MessageLogQuery.latest(10))).extracting(MessageLogRow::messageId).containsExactly("end", "old");
    }

    private static CommitBatch withMeta(List<UserState> users, Map<String, String> meta, List<MessageLogRow> log) {
        return new CommitBatch(users.stream().map(UserRow::of).toList(), Set.of(), Map.of(), Set.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), Set.of(), log, meta);
    }

    @Test
    void meta_values_are_committed_with_the_batch_and_replaced_by_key() {
        store.commit(withMeta(List.of(user("u1", null, 2_000)), Map.of("cdi:scores", "w1", "cdi:other", "x"), List.of()));
        assertThat(store.meta("cdi:scores")).contains("w1");
        assertThat(store.meta("nope")).isEmpty();
        store.putMeta("currents:files", "c9");
        store.commit(withMeta(List.of(), Map.of("cdi:scores", "w2"), List.of()));
        assertThat(store.metaWithPrefix("cdi:")).containsExactly(Map.entry("cdi:other", "x"), Map.entry("cdi:scores", "w2"));
        assertThat(store.metaWithPrefix("currents:")).containsExactly(Map.entry("currents:files", "c9"));
    }

    @Test
    void a_failed_commit_writes_no_meta_value() {
        store.commit(withMeta(List.of(user("u1", null, 2_000)), Map.of("cdi:scores", "w1"), List.of()));
        // outcome is NOT NULL: the message log fails the batch, so neither the profile nor the watermark moves.
        CommitBatch failing = withMeta(List.of(user("u1", "new@example.com", 3_000)), Map.of("cdi:scores", "w2"),
                List.of(new MessageLogRow(0, "m", "u1", null, "camp-1", null, null, 200, "POST", "u", 502, 1, null, null, null)));
        assertThatThrownBy(() -> store.commit(failing)).isInstanceOf(StoreException.class);
        assertThat(store.meta("cdi:scores")).contains("w1");
        assertThat(store.loadUser("u1")).contains(user("u1", null, 2_000));
    }

    @Test
    void due_outbox_lists_messages_due_by_now_earliest_first_up_to_the_limit() {
        store.commit(delivery(List.of(), Set.of(), List.of(campaignMessage("late", "u1", 9_000, 0),
                campaignMessage("b", "u2", 4_000, 0), campaignMessage("a", "u3", 4_000, 2), canvasMessage("first", "u1", 1_000),
                campaignMessage("boundary", "u4", 5_000, 0), campaignMessage("after", "u4", 5_001, 0)), Set.of(), List.of()));

        assertThat(store.dueOutbox(5_000, 10)).extracting(OutboxRow::messageId).containsExactly("first", "a", "b", "boundary");
        assertThat(store.dueOutbox(5_000, 2)).containsExactly(canvasMessage("first", "u1", 1_000), campaignMessage("a", "u3", 4_000, 2));
        assertThat(store.dueOutbox(999, 10)).isEmpty();
        assertThat(store.dueOutbox(Long.MAX_VALUE, 100)).hasSize(6);
        assertThat(store.countOutbox()).isEqualTo(6);

        // A retry moves a message back in the queue.
        store.commit(delivery(List.of(), Set.of(), List.of(canvasMessage("first", "u1", 7_000)), Set.of(), List.of()));
        assertThat(store.dueOutbox(5_000, 10)).extracting(OutboxRow::messageId).containsExactly("a", "b", "boundary");
    }

    @Test
    void the_message_log_keeps_append_order_and_reads_newest_first() {
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of(), List.of(
                attempt("m1", "u1", "camp-1", null, 100, 503, "retry"),
                attempt("m1", "u1", "camp-1", null, 100, null, "failed"))));
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of(), List.of(
                attempt("m2", "u2", null, "canvas-1", 50, 201, "sent"))));

        List<MessageLogRow> log = store.messageLog(MessageLogQuery.latest(10));

        assertThat(log).extracting(MessageLogRow::messageId, MessageLogRow::outcome)
                .containsExactly(tuple("m2", "sent"), tuple("m1", "failed"),
                        tuple("m1", "retry"));
        assertThat(log).extracting(MessageLogRow::seq).isSortedAccordingTo(Comparator.reverseOrder()).doesNotHaveDuplicates();
        assertThat(log.get(0)).isEqualTo(withSeq(attempt("m2", "u2", null, "canvas-1", 50, 201, "sent"), log.get(0).seq()));
        assertThat(log.get(1)).isEqualTo(withSeq(attempt("m1", "u1", "camp-1", null, 100, null, "failed"), log.get(1).seq()));
        assertThat(log.get(1).statusCode()).isNull();
        assertThat(log.get(1).excerpt()).isNull();
        assertThat(log.get(0).detail()).isNull();
    }

    @Test
    void the_message_log_filters_by_user_campaign_canvas_and_outcome() {
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of(), List.of(
                attempt("m1", "u1", "camp-1", null, 100, 503, "retry"),
                attempt("m1", "u1", "camp-1", null, 200, 200, "sent"),
                attempt("m2", "u2", "camp-2", null, 300, null, "aborted"),
                attempt("m3", "u1", null, "canvas-1", 400, 404, "failed"),
                attempt("m4", "u2", null, "canvas-1", 500, 201, "sent"),
                attempt("m5", "u3", "camp-1", null, 600, 200, "sent"))));

        assertThat(ids(new MessageLogQuery("u1", null, null, null, Long.MAX_VALUE, 10))).containsExactly("m3", "m1", "m1");
        assertThat(ids(new MessageLogQuery(null, "camp-1", null, null, Long.MAX_VALUE, 10))).containsExactly("m5", "m1", "m1");
        assertThat(ids(new MessageLogQuery(null, null, "canvas-1", null, Long.MAX_VALUE, 10))).containsExactly("m4", "m3");
        assertThat(ids(new MessageLogQuery(null, null, null, "sent", Long.MAX_VALUE, 10))).containsExactly("m5", "m4", "m1");
        assertThat(ids(new MessageLogQuery("u1", "camp-1", null, "sent", Long.MAX_VALUE, 10))).containsExactly("m1");
        assertThat(ids(new MessageLogQuery("u2", null, "canvas-1", null, Long.MAX_VALUE, 10))).containsExactly("m4");
        assertThat(ids(new MessageLogQuery("u3", null, "canvas-1", null, Long.MAX_VALUE, 10))).isEmpty();
        assertThat(ids(new MessageLogQuery("nobody", null, null, null, Long.MAX_VALUE, 10))).isEmpty();
        assertThat(ids(MessageLogQuery.latest(10))).hasSize(6);
        assertThatThrownBy(() -> store.messageLog(MessageLogQuery.latest(0))).isInstanceOf(IllegalArgumentException.class);
    }

    private List<String> ids(MessageLogQuery q) {
        return store.messageLog(q).stream().map(MessageLogRow::messageId).toList();
    }

    @Test
    void the_message_log_pages_by_before_seq() {
        List<MessageLogRow> rows = IntStream.range(0, 7).mapToObj(i -> attempt("m" + i, i % 2 == 0 ? "even" : "odd", "camp-1", null, i, 200, "sent")).toList();
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of(), rows));

        List<String> seen = new ArrayList<>();
        long before = Long.MAX_VALUE;
        List<MessageLogRow> page;
        int pages = 0;
        while (!(page = store.messageLog(new MessageLogQuery(null, "camp-1", null, null, before, 3))).isEmpty()) {
            assertThat(page.size()).isLessThanOrEqualTo(3);
            page.forEach(r -> seen.add(r.messageId()));
            before = page.getLast().seq();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("m6", "m5", "m4", "m3", "m2", "m1", "m0");

        List<MessageLogRow> even = store.messageLog(new MessageLogQuery("even", null, null, null, Long.MAX_VALUE, 2));
        assertThat(even).extracting(MessageLogRow::messageId).containsExactly("m6", "m4");
        assertThat(store.messageLog(new MessageLogQuery("even", null, null, null, even.getLast().seq(), 10)))
                .extracting(MessageLogRow::messageId).containsExactly("m2", "m0");
    }

    @Test
    void message_log_prune_deletes_attempts_older_than_the_cutoff_only() {
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of(), List.of(
                attempt("old1", "u1", "camp-1", null, 100, 200, "sent"),
                attempt("new1", "u1", "camp-1", null, 300, 200, "sent"),
                attempt("old2", "u2", null, "canvas-1", 299, 200, "sent"),
                attempt("edge", "u2", null, "canvas-1", 300, 200, "sent"))));
        long maxSeq = store.messageLog(MessageLogQuery.latest(1)).getFirst().seq();

        assertThat(store.pruneMessageLog(300)).isEqualTo(2);

        assertThat(ids(MessageLogQuery.latest(10))).containsExactly("edge", "new1");
        assertThat(store.pruneMessageLog(300)).isZero();
        store.pruneMessageLog(Long.MAX_VALUE);
        store.commit(delivery(List.of(), Set.of(), List.of(), Set.of(), List.of(attempt("later", "u1", "camp-1", null, 400, 200, "sent"))));
        assertThat(store.messageLog(MessageLogQuery.latest(10))).singleElement()
                .satisfies(r -> assertThat(r.seq()).isGreaterThan(maxSeq));
    }
}
