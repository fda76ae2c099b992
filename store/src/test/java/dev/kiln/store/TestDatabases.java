package dev.kiln.store;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * Fresh databases for tests, shared with other modules through the store's test-jar. PostgreSQL is found at
 * {@code KILN_TEST_POSTGRES_URL} (default {@value #DEFAULT_POSTGRES_URL}) as {@code KILN_TEST_POSTGRES_USER}
 * (default postgres), password {@code KILN_TEST_POSTGRES_PASSWORD} (default none). When it is unreachable the
 * calling test is skipped with a notice, or fails when {@code CI=true}.
 */
public final class TestDatabases {
    private TestDatabases() {}

    public static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    public static String postgresUrl() { return setting("KILN_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL); }
    public static String postgresUser() { return setting("KILN_TEST_POSTGRES_USER", "postgres"); }
    public static String postgresPassword() { return setting("KILN_TEST_POSTGRES_PASSWORD", null); }

    private static String setting(String name, String fallback) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The URL of a SQLite file in {@code dir} that does not exist yet. */
    public static String sqliteUrl(Path dir) {
        return "jdbc:sqlite:" + dir.resolve("kiln-" + UUID.randomUUID() + ".db").toAbsolutePath();
    }

    /** A store configuration on a new SQLite file in {@code dir}. */
    public static StoreConfig sqlite(Path dir) { return StoreConfig.of(sqliteUrl(dir)); }

    /**
     * Creates an empty schema {@code kiln_test_<random>}; {@link PostgresSchema#close()} drops it. Skips the
     * calling test (or fails it, when {@code CI=true}) if PostgreSQL cannot be reached.
     */
    public static PostgresSchema postgresSchema() {
        requirePostgres();
        PostgresSchema s = new PostgresSchema("kiln_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        s.exec("CREATE SCHEMA " + s.name());
        return s;
    }

    /** Returns when PostgreSQL answers; otherwise aborts the test, or fails it when {@code CI=true}. */
    public static void requirePostgres() {
        try (Connection c = connect(postgresUrl())) {
            c.isValid(2);
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + postgresUrl() + " as " + postgresUser() + " (" + e.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(why + " (CI=true: PostgreSQL tests must run)", e);
            System.out.println("NOTICE: skipping PostgreSQL tests. " + why + ". Set CI=true to make this a failure.");
            Assumptions.abort("skipped: " + why);
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", postgresUser());
        if (postgresPassword() != null) p.setProperty("password", postgresPassword());
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(url, p);
    }

    /** One test schema. {@link #reset()} empties it (Kiln's migrations run again on the next open). */
    public record PostgresSchema(String name) implements AutoCloseable {

        /** The database URL with {@code currentSchema} set to this schema. */
        public String url() {
            String base = postgresUrl();
            return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
        }

        public StoreConfig config() {
            return StoreConfig.of(url()).withCredentials(postgresUser(), postgresPassword());
        }

        /** Drops everything in the schema. */
        public void reset() {
            exec("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            exec("CREATE SCHEMA " + name);
        }

        void exec(String sql) {
            try (Connection c = connect(postgresUrl()); Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        @Override public void close() { exec("DROP SCHEMA IF EXISTS " + name + " CASCADE"); }
    }
}
