package dev.kiln.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite only: copies the WAL back into the database file on a background connection, so the single
 * writer does not pay for checkpoints inside epoch commits. The writer's own automatic checkpoint is
 * raised to {@link #WRITER_AUTOCHECKPOINT_PAGES} and only runs if this thread falls behind (or is
 * gone). {@code PASSIVE} never waits for the writer or readers; once a pass has copied the whole WAL,
 * the next write transaction starts the WAL file over, so it stays small. Durability is unchanged: a
 * commit is durable once it is in the WAL ({@code synchronous=FULL} syncs it), checkpointed or not.
 *
 * <p>Measured with {@code ./bench/ingest --sqlite-params wal_autocheckpoint=100000} in issue 2: the
 * checkpoint inside the committer cost ~30 % of ingest throughput (12.2k → 17.3k objects/s without it).
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);
    /** ~40 MB of 4 KiB pages: the writer checkpoints itself only past this. */
    static final int WRITER_AUTOCHECKPOINT_PAGES = 10_000;
    static final long INTERVAL_MILLIS = 200;

    private final Connection connection;
    private final Thread thread;
    private volatile boolean closed;
    volatile long passes;

    private WalCheckpointer(Connection connection) {
        this.connection = connection;
        this.thread = Thread.ofPlatform().daemon().name("kiln-wal-checkpoint").unstarted(this::loop);
    }

    static WalCheckpointer start(Connection connection) {
        WalCheckpointer c = new WalCheckpointer(connection);
        c.thread.start();
        return c;
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                if (rs.next() && rs.getInt(1) != 0) log.debug("WAL checkpoint busy");
                passes++;
            } catch (SQLException e) {
                if (!closed) log.warn("background WAL checkpoint failed (the writer's own checkpoint still runs): {}", e.getMessage());
            }
        }
    }

    @Override public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the checkpoint connection: {}", e.getMessage());
        }
    }
}
