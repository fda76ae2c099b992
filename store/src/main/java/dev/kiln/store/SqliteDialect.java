package dev.kiln.store;

import com.zaxxer.hikari.HikariConfig;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite in WAL mode: one writer connection, read-only connections for reads. Readers never block the
 * writer nor each other; another process (a CLI command) that wants to write waits up to the busy timeout.
 */
final class SqliteDialect implements SqlDialect {
    private static final String PREFIX = "jdbc:sqlite:";

    /**
     * Page cache of the writer, negative = KiB (SQLite's convention). Upserts of random profiles touch pages
     * all over the users table and its indexes; the 2 MiB default made each one re-read its pages.
     */
    /** The writer's page cache: profiles, timers and their indexes of a few hundred thousand leads stay hot. */
    private static final int WRITER_CACHE_KIB = -256 * 1024;

    private final StoreConfig config;

    SqliteDialect(StoreConfig config) {
        this.config = config;
        createParentDirectory();
    }

    static boolean isInMemory(String jdbcUrl) {
        String path = path(jdbcUrl);
        return path.isEmpty() || path.equals(":memory:") || path.startsWith("file::memory:") || jdbcUrl.contains("mode=memory");
    }

    static String path(String jdbcUrl) {
        String p = jdbcUrl.substring(PREFIX.length());
        int q = p.indexOf('?');
        return q < 0 ? p : p.substring(0, q);
    }

    private void createParentDirectory() {
        String p = path(config.jdbcUrl());
        if (p.startsWith("file:")) return; // URI form: SQLite resolves it, we leave it alone
        Path parent = Path.of(p).toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StoreException("cannot create the directory of the SQLite file " + p + ": " + e.getMessage(), e);
        }
    }

    @Override public Dialect dialect() { return Dialect.SQLITE; }

    private SQLiteConfig common() {
        SQLiteConfig c = new SQLiteConfig();
        c.setBusyTimeout((int) config.busyTimeout().toMillis());
        c.enforceForeignKeys(false);
        return c;
    }

    private SQLiteConfig writerConfig() {
        SQLiteConfig c = common();
        c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        c.setSynchronous(switch (config.sqliteSynchronous()) {
            case FULL -> SQLiteConfig.SynchronousMode.FULL;
            case NORMAL -> SQLiteConfig.SynchronousMode.NORMAL;
        });
        c.setTempStore(SQLiteConfig.TempStore.MEMORY);
        c.setCacheSize(WRITER_CACHE_KIB);
        // The event log insert does not need its rowid back; asking for it costs a query per row.
        c.setGetGeneratedKeys(false);
        // Checkpoints run on a background connection (WalCheckpointer); the writer only if that falls behind.
        c.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(WalCheckpointer.WRITER_AUTOCHECKPOINT_PAGES));
        return c;
    }

    private DataSource dataSource(SQLiteConfig c) {
        SQLiteDataSource ds = new SQLiteDataSource(c);
        ds.setUrl(config.jdbcUrl());
        return ds;
    }

    @Override public DataSource migrationDataSource() { return dataSource(writerConfig()); }

    @Override public Connection openWriter() throws SQLException {
        return dataSource(writerConfig()).getConnection();
    }

    /** A connection for the background checkpointer (not the writer: it never takes the write lock). */
    Connection openCheckpointer() throws SQLException {
        return dataSource(common()).getConnection();
    }

    // The writer stays in auto-commit mode and transactions are explicit: BEGIN IMMEDIATE takes the write
    // lock up front (waiting up to busy_timeout), so a transaction never fails half-way on SQLITE_BUSY,
    // and no transaction is left open between commits to block another process.
    @Override public void begin(Connection writer) throws SQLException { exec(writer, "BEGIN IMMEDIATE"); }

    @Override public void commit(Connection writer) throws SQLException { exec(writer, "COMMIT"); }

    @Override public void rollback(Connection writer) throws SQLException {
        if (!writer.getAutoCommit()) writer.rollback();
        else exec(writer, "ROLLBACK");
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) { s.execute(sql); }
    }

    @Override public HikariConfig readPool() {
        SQLiteConfig c = common();
        c.setReadOnly(true);
        HikariConfig h = new HikariConfig();
        h.setPoolName("kiln-sqlite-read");
        h.setDataSource(dataSource(c));
        h.setReadOnly(true); // Hikari sets the flag on every connection; SQLite refuses a change after open
        h.setMaximumPoolSize(config.readPoolSize());
        h.setConnectionTimeout(config.connectionTimeout().toMillis());
        return h;
    }

    @Override public boolean streamsOnlyInTransaction() { return false; }
}
