package dev.kiln.server.currents;

import dev.kiln.definitions.Connection.SecretRef;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.TestDatabases;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;

/**
 * Databases a jdbc sink writes to in tests: DuckDB and SQLite files (always), PostgreSQL in a fresh schema
 * {@code jdbcsink_<random>} (skipped with a notice when unreachable, failed when {@code CI=true}), and the
 * portable mode (standard SQL only) on SQLite and PostgreSQL.
 */
final class JdbcTargets {
    private JdbcTargets() {}

    /** The password the test secrets function returns (PostgreSQL trusts the test user, so any will do). */
    static final String PASSWORD = TestDatabases.postgresPassword() != null ? TestDatabases.postgresPassword()
            : "jdbcsink-pw-" + UUID.randomUUID().toString().substring(0, 8);
    static final SecretRef PASSWORD_REF = new SecretRef("KILN_TEST_JDBCSINK_PASSWORD", null);
    static final Function<SecretRef, String> SECRETS = ref -> {
        if (!ref.equals(PASSWORD_REF)) throw new IllegalArgumentException("unexpected secret " + ref);
        return PASSWORD;
    };

    enum Kind {
        DUCKDB(JdbcSinkWriter.Dialect.DUCKDB), SQLITE(JdbcSinkWriter.Dialect.SQLITE), POSTGRESQL(JdbcSinkWriter.Dialect.POSTGRESQL),
        SQLITE_PORTABLE(JdbcSinkWriter.Dialect.PORTABLE), POSTGRESQL_PORTABLE(JdbcSinkWriter.Dialect.PORTABLE);

        final JdbcSinkWriter.Dialect dialect;

        Kind(JdbcSinkWriter.Dialect dialect) { this.dialect = dialect; }

        boolean postgres() { return this == POSTGRESQL || this == POSTGRESQL_PORTABLE; }
    }

    /** One database with a table name in it; {@link #close()} drops a PostgreSQL schema. */
    record Target(Kind kind, String url, String table, String schema) implements AutoCloseable {

        static Target open(Kind kind, Path dir) {
            return switch (kind) {
                case DUCKDB -> new Target(kind, "jdbc:duckdb:" + dir.resolve("sink.duckdb").toAbsolutePath(), "jdbcsink_events", null);
                case SQLITE, SQLITE_PORTABLE ->
                        new Target(kind, "jdbc:sqlite:" + dir.resolve("sink.db").toAbsolutePath(), "jdbcsink_events", null);
                case POSTGRESQL, POSTGRESQL_PORTABLE -> {
                    TestDatabases.requirePostgres();
                    String schema = "jdbcsink_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                    Target t = new Target(kind, TestDatabases.postgresUrl(), schema + ".jdbcsink_events", schema);
                    t.exec("CREATE SCHEMA " + schema);
                    yield t;
                }
            };
        }

        String user() { return kind.postgres() ? TestDatabases.postgresUser() : null; }

        CurrentsConnector.Jdbc sink(int batchEvents, long flushMillis) {
            return new CurrentsConnector.Jdbc(url, user(), PASSWORD_REF, table, batchEvents, flushMillis);
        }

        Connection connect() throws SQLException {
            Properties p = new Properties();
            if (kind.postgres()) {
                p.setProperty("user", TestDatabases.postgresUser());
                if (TestDatabases.postgresPassword() != null) p.setProperty("password", TestDatabases.postgresPassword());
            }
            return DriverManager.getConnection(url, p);
        }

        void exec(String sql) {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        /** Every row of a query, columns by lower-case label. */
        List<Map<String, Object>> query(String sql, Object... args) {
            try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
                List<Map<String, Object>> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 1; i <= md.getColumnCount(); i++)
                            row.put(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                        out.add(row);
                    }
                }
                return out;
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        long count() {
            return ((Number) query("SELECT count(*) AS n FROM " + table).get(0).get("n")).longValue();
        }

        /** The ids in the table, one entry per row (duplicates would show). */
        List<String> ids() {
            return query("SELECT id FROM " + table).stream().map(r -> String.valueOf(r.get("id"))).toList();
        }

        /** A SQL expression reading the payload's {@code name} field as text. */
        String payloadName() {
            return switch (kind) {
                case POSTGRESQL, DUCKDB, SQLITE, SQLITE_PORTABLE -> "payload->>'name'";
                case POSTGRESQL_PORTABLE -> "payload::jsonb->>'name'";
            };
        }

        @Override public void close() {
            if (schema != null) exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
