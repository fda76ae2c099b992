package dev.kiln.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The "direct SQL scorer" a team would write instead of Kiln: a table {@code baseline_scores(user_id,
 * score)} in the same store, and for every scoring event one {@code UPDATE … SET score = score + ?} in
 * auto-commit (one durable transaction per event), from {@code poolSize} threads over a HikariCP pool.
 * Each thread keeps its connection and prepared statement for up to {@value #STATEMENTS_PER_BORROW}
 * events, which is the most a straightforward job would do to help itself. Increments follow the same
 * distribution as the Kiln workload ({@link Workload#kind}).
 */
final class SqlBaseline {
    static final String TABLE = "baseline_scores";
    private static final int STATEMENTS_PER_BORROW = 1000;
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

    record Result(int poolSize, double fillSeconds, double seconds, long events, Map<String, Long> errors,
                  Histogram latency, boolean verified, long expectedSum, long actualSum) {
        double eventsPerSecond() { return events / seconds; }
    }

    private SqlBaseline() {}

    static Result run(Target target, int leads, int poolSize, Duration warmup, Duration duration, long seed) {
        try (HikariDataSource pool = target.baselinePool(poolSize)) {
            double fill = fill(pool, leads);
            SplittableRandom root = new SplittableRandom(seed);
            Phase warm = phase(pool, leads, poolSize, warmup, root);
            Phase measured = phase(pool, leads, poolSize, duration, root);
            long expected = warm.sum + measured.sum;
            long actual = sumScores(pool);
            return new Result(poolSize, fill, measured.seconds, measured.events, measured.errors, measured.latency,
                    expected == actual, expected, actual);
        }
    }

    private static double fill(HikariDataSource pool, int leads) {
        long t0 = System.nanoTime();
        try (Connection c = pool.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + TABLE + " (user_id text PRIMARY KEY, score bigint NOT NULL)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (user_id, score) VALUES (?, 0)")) {
                for (int i = 0; i < leads; i++) {
                    ps.setString(1, Workload.leadId(i));
                    ps.addBatch();
                    if (i % 5000 == 4999) ps.executeBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException("baseline: cannot create and fill " + TABLE + ": " + e.getMessage(), e);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long sumScores(HikariDataSource pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(sum(score), 0) FROM " + TABLE)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("baseline: cannot read back " + TABLE + ": " + e.getMessage(), e);
        }
    }

    private record Phase(double seconds, long events, long sum, Map<String, Long> errors, Histogram latency) {}

    private static Phase phase(HikariDataSource pool, int leads, int threads, Duration duration, SplittableRandom root) {
        long start = System.nanoTime(), end = start + duration.toNanos();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) workers.add(new Worker(pool, leads, end, root.split()));
        List<Thread> ts = new ArrayList<>();
        for (Worker w : workers) ts.add(Thread.ofPlatform().name("baseline-" + ts.size()).start(w));
        for (Thread t : ts) {
            try {
                t.join(duration.toMillis() + 60_000);
                if (t.isAlive()) t.interrupt();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = 0, sum = 0;
        Map<String, Long> errors = new TreeMap<>();
        Histogram h = new Histogram(HIGHEST_MICROS, 3);
        for (Worker w : workers) {
            events += w.events;
            sum += w.sum;
            h.add(w.latency);
            w.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
        }
        return new Phase(seconds, events, sum, errors, h);
    }

    private static final class Worker implements Runnable {
        final HikariDataSource pool;
        final int leads;
        final long end;
        final SplittableRandom random;
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        final Map<String, Long> errors = new TreeMap<>();
        long events, sum;

        Worker(HikariDataSource pool, int leads, long end, SplittableRandom random) {
            this.pool = pool;
            this.leads = leads;
            this.end = end;
            this.random = random;
        }

        @Override public void run() {
            while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                try (Connection c = pool.getConnection();
                     PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET score = score + ? WHERE user_id = ?")) {
                    for (int i = 0; i < STATEMENTS_PER_BORROW && System.nanoTime() < end; i++) {
                        int w = Workload.weight(Workload.kind(random));
                        ps.setInt(1, w);
                        ps.setString(2, Workload.leadId(random.nextInt(leads)));
                        long t0 = System.nanoTime();
                        int n = ps.executeUpdate();
                        latency.recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - t0) / 1000));
                        if (n != 1) errors.merge("updated " + n + " rows", 1L, Long::sum);
                        events++;
                        sum += w;
                    }
                } catch (SQLException e) {
                    errors.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1L, Long::sum);
                }
            }
        }
    }
}
