package dev.kiln.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A fresh, empty store for one run, removed by {@link #close()}: a temporary directory holding the
 * SQLite file, or a new schema in a local PostgreSQL. Kiln's migrations create its tables in it, and the
 * SQL baseline puts its table next to them.
 */
sealed interface Target extends AutoCloseable {
    String name();
    String jdbcUrl();
    String describe();
    /** A HikariCP pool on the same store for the baseline. */
    HikariDataSource baselinePool(int size);
    /** Bytes the store occupies, or -1 when unknown. */
    long sizeBytes();
    @Override void close();

    /** SQLite file {@code kiln.db} in a new temporary directory. */
    record Sqlite(Path dir, String params) implements Target {
        /** {@code params}: SQLite pragmas as URL parameters for Kiln's store (tuning experiments), or null. */
        static Sqlite create(String params) {
            try {
                return new Sqlite(Files.createTempDirectory("kiln-bench-"), params == null || params.isBlank() ? null : params);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory", e);
            }
        }

        Path file() { return dir.resolve("kiln.db"); }
        @Override public String name() { return "sqlite"; }
        @Override public String jdbcUrl() { return "jdbc:sqlite:" + file() + (params == null ? "" : "?" + params); }
        @Override public String describe() {
            return "SQLite " + file() + (params == null ? "" : " with " + params) + " (fresh temporary directory, removed at the end)";
        }

        /**
         * The file as Kiln's writer opens it (WAL, synchronous=FULL: every commit durable) with the same busy
         * timeout, so both sides pay the same price per commit.
         */
        @Override public HikariDataSource baselinePool(int size) {
            SQLiteConfig c = new SQLiteConfig();
            c.setJournalMode(SQLiteConfig.JournalMode.WAL);
            c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            c.setBusyTimeout(10_000);
            SQLiteDataSource ds = new SQLiteDataSource(c);
            ds.setUrl("jdbc:sqlite:" + file());
            HikariConfig h = new HikariConfig();
            h.setDataSource(ds);
            h.setMaximumPoolSize(size);
            h.setMinimumIdle(size);
            h.setPoolName("baseline-sqlite");
            return new HikariDataSource(h);
        }

        @Override public long sizeBytes() {
            long total = 0;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) total += Files.size(p);
            } catch (IOException e) {
                return -1;
            }
            return total;
        }

        @Override public void close() {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                System.out.println("  ! could not remove " + dir + ": " + e);
            }
        }
    }

    /** A new schema {@code kiln_bench_…} in the database at {@code baseUrl}, dropped (cascade) at the end. */
    record Postgres(String baseUrl, String schema) implements Target {
        static Postgres create(String baseUrl) {
            String schema = "kiln_bench_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"))
                    + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create schema " + schema + " at " + safe(baseUrl) + ": " + e.getMessage(), e);
            }
            return new Postgres(baseUrl, schema);
        }

        private static String safe(String url) { return url.replaceAll("(?i)password=[^&;]*", "password=***"); }

        @Override public String name() { return "postgres"; }
        @Override public String jdbcUrl() { return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema; }
        @Override public String describe() { return "PostgreSQL " + safe(baseUrl) + ", fresh schema " + schema + " (dropped at the end)"; }

        @Override public HikariDataSource baselinePool(int size) {
            HikariConfig h = new HikariConfig();
            h.setJdbcUrl(jdbcUrl());
            h.setMaximumPoolSize(size);
            h.setMinimumIdle(size);
            h.setPoolName("baseline-postgres");
            return new HikariDataSource(h);
        }

        @Override public long sizeBytes() {
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                         + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND c.relkind IN ('r','m')")) {
                return rs.next() ? rs.getLong(1) : -1;
            } catch (SQLException e) {
                return -1;
            }
        }

        @Override public void close() {
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                System.out.println("  ! could not drop schema " + schema + ": " + e.getMessage());
            }
        }
    }
}
