package dev.kiln.store;

import com.zaxxer.hikari.HikariConfig;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** PostgreSQL: a pooled set of read connections and one writer connection with batched inserts rewritten. */
final class PostgresDialect implements SqlDialect {
    /** 'kiln' as an int: the advisory lock class of Kiln's writers. */
    private static final int LOCK_CLASS = 0x6b696c6e;

    private final StoreConfig config;

    PostgresDialect(StoreConfig config) { this.config = config; }

    @Override public Dialect dialect() { return Dialect.POSTGRESQL; }

    private Properties properties() {
        Properties p = new Properties();
        if (config.user() != null) p.setProperty("user", config.user());
        if (config.password() != null) p.setProperty("password", config.password());
        p.setProperty("ApplicationName", "kiln");
        p.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectionTimeout().toSeconds())));
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    @Override public DataSource migrationDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(config.jdbcUrl());
        if (config.user() != null) ds.setUser(config.user());
        if (config.password() != null) ds.setPassword(config.password());
        ds.setApplicationName("kiln-migrate");
        return ds;
    }

    @Override public Connection openWriter() throws SQLException {
        Properties p = properties();
        // One INSERT with many VALUES rows per 128 batched rows instead of one statement per row.
        p.setProperty("reWriteBatchedInserts", "true");
        Connection c = DriverManager.getConnection(config.jdbcUrl(), p);
        c.setAutoCommit(false);
        return c;
    }

    // Sequence values are taken at insert time, not at commit: two transactions appending to the event log
    // at once could become visible out of seq order, and a reader paging by seq would skip the later-
    // committed lower seq for good. Writers (of any Kiln process on this schema) therefore take one
    // transaction-scoped advisory lock first, so commits, and with them seqs, are totally ordered.
    @Override public void begin(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", hashtext(current_schema()))");
        }
    }

    @Override public void commit(Connection writer) throws SQLException { writer.commit(); }

    @Override public void rollback(Connection writer) throws SQLException { writer.rollback(); }

    @Override public HikariConfig readPool() {
        HikariConfig h = new HikariConfig();
        h.setPoolName("kiln-pg-read");
        h.setJdbcUrl(config.jdbcUrl());
        h.setDataSourceProperties(properties());
        h.setMaximumPoolSize(config.readPoolSize());
        h.setConnectionTimeout(config.connectionTimeout().toMillis());
        return h;
    }

    @Override public boolean streamsOnlyInTransaction() { return true; }
}
