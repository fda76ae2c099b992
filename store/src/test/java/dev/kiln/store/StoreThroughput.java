package dev.kiln.store;

import dev.kiln.engine.UserState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A rough figure, not a test: commit throughput (event rows and profile upserts per second) on SQLite and,
 * when reachable, PostgreSQL, plus codec speed. Run from the store module after {@code mvn test-compile}:
 * <pre>java -cp target/classes:target/test-classes:$(deps) dev.kiln.store.StoreThroughput [commits]</pre>
 * The real benchmark lives in the bench module.
 */
public final class StoreThroughput {
    private StoreThroughput() {}

    static final int EVENTS_PER_COMMIT = 5_000;
    static final int USERS_PER_COMMIT = 1_000;

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        codec();
        Path dir = Files.createTempDirectory("kiln-throughput");
        run("sqlite FULL", TestDatabases.sqlite(dir), commits);
        run("sqlite NORMAL", TestDatabases.sqlite(dir).withSqliteSynchronous(StoreConfig.SqliteSynchronous.NORMAL), commits);
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
            run("postgresql", schema.config(), commits);
        } catch (org.opentest4j.TestAbortedException e) {
            System.out.println("postgresql: skipped");
        }
    }

    static void codec() {
        Random r = new Random(1);
        List<UserState> users = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) users.add(RandomUserStates.next(r, "u" + i));
        long bytes = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            List<byte[]> encoded = new ArrayList<>(users.size());
            for (UserState u : users) encoded.add(UserStateCodec.encode(u));
            long t1 = System.nanoTime();
            for (byte[] b : encoded) UserStateCodec.decode(b);
            long t2 = System.nanoTime();
            bytes = encoded.stream().mapToLong(b -> b.length).sum();
            if (round == 4) System.out.printf("codec: encode %,.0f profiles/s, decode %,.0f profiles/s, %d bytes/profile on average%n",
                    users.size() * 1e9 / (t1 - t0), users.size() * 1e9 / (t2 - t1), bytes / users.size());
        }
    }

    static void run(String name, StoreConfig config, int commits) {
        Random r = new Random(7);
        List<CommitBatch> batches = new ArrayList<>();
        int seq = 0;
        for (int c = 0; c < commits; c++) {
            List<UserState> users = new ArrayList<>();
            Map<String, String> ids = new HashMap<>();
            for (int i = 0; i < USERS_PER_COMMIT; i++) {
                String id = "u" + r.nextInt(50_000);
                users.add(RandomUserStates.next(r, id));
                ids.put(IdentityKeys.externalId("crm-" + id), id);
            }
            List<EventLogRow> events = new ArrayList<>();
            for (int i = 0; i < EVENTS_PER_COMMIT; i++) {
                String user = "u" + r.nextInt(50_000);
                events.add(new EventLogRow(0, "evt-" + seq++, user, "crm-" + user, "users.behaviors.CustomEvent",
                        1_780_000_000_000L + i, "{\"name\":\"webinar_registered\",\"properties\":{\"n\":" + i + "}}", 1_780_000_000_000L));
            }
            batches.add(CommitBatch.of(users, Set.of(), ids, Set.of(), events));
        }
        try (JdbcStore store = JdbcStore.open(config)) {
            int warm = Math.max(1, commits / 5);
            for (int c = 0; c < warm; c++) store.commit(batches.get(c));
            long t0 = System.nanoTime();
            for (int c = warm; c < commits; c++) store.commit(batches.get(c));
            double s = (System.nanoTime() - t0) / 1e9;
            int measured = commits - warm;
            System.out.printf("%s: %,.0f event rows/s with %,.0f profile upserts/s and as many identity upserts/s"
                            + " (%d commits of %d events + %d profiles, %.1f ms per commit)%n",
                    name, measured * EVENTS_PER_COMMIT / s, measured * USERS_PER_COMMIT / s, measured,
                    EVENTS_PER_COMMIT, USERS_PER_COMMIT, s * 1000 / measured);
        }
    }
}
