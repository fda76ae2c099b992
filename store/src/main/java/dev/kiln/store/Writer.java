package dev.kiln.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one write connection and its prepared statements, kept for the life of the connection: commits are
 * the hot path and re-preparing every statement per batch is measurable. One transaction at a time.
 */
final class Writer implements AutoCloseable {

    interface Work<T> {
        T run(Writer w) throws SQLException;
    }

    private final SqlDialect dialect;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private Connection connection;
    private boolean closed;

    Writer(SqlDialect dialect) throws SQLException {
        this.dialect = dialect;
        this.connection = dialect.openWriter();
    }

    Dialect dialect() { return dialect.dialect(); }

    private volatile long lastCommitNanos;

    /** How long the last transaction's COMMIT took (on SQLite: writing the WAL and its fsync), for debug logs. */
    long lastCommitNanos() { return lastCommitNanos; }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    <T> T inTransaction(String what, Work<T> work) {
        lock.lock();
        try {
            if (closed) throw new StoreException(what + " failed: the store is closed");
            Connection c = connection();
            try {
                dialect.begin(c);
                T result = work.run(this);
                long t = System.nanoTime();
                dialect.commit(c);
                lastCommitNanos = System.nanoTime() - t;
                return result;
            } catch (SQLException | RuntimeException e) {
                abort(c, e);
                if (e instanceof StoreException se) throw se;
                throw new StoreException(what + " failed and was rolled back: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A statement prepared once per connection; callers must not close it. */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** The connection of the running transaction (for statements that are not worth keeping). */
    Connection connection() {
        if (connection == null) {
            try {
                connection = dialect.openWriter();
            } catch (SQLException e) {
                throw new StoreException("cannot connect the store's writer: " + e.getMessage(), e);
            }
        }
        return connection;
    }

    private void abort(Connection c, Exception cause) {
        try {
            dialect.rollback(c);
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        for (PreparedStatement ps : statements.values()) {
            try { ps.clearBatch(); } catch (SQLException ignored) { /* the statement is dropped below if broken */ }
        }
        boolean valid;
        try { valid = c.isValid(2); } catch (SQLException e) { valid = false; }
        if (!valid) discard(); // e.g. PostgreSQL restarted: reconnect on the next transaction
    }

    private void discard() {
        statements.values().forEach(Writer::closeQuietly);
        statements.clear();
        if (connection != null) closeQuietly(connection);
        connection = null;
    }

    private static void closeQuietly(AutoCloseable c) {
        try { c.close(); } catch (Exception ignored) { /* closing */ }
    }

    @Override public void close() {
        lock.lock();
        try {
            closed = true;
            discard();
        } finally {
            lock.unlock();
        }
    }
}
