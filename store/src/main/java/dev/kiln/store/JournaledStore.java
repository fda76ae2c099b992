package dev.kiln.store;

import dev.kiln.engine.UserState;
import org.slf4j.Logger;
import org.sqlite.SQLiteConfig;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Write-behind over a SQLite {@link JdbcStore}: an epoch's commit is one row appended to a journal (its own
 * SQLite file beside the database, {@code <db>.journal}, synced like the database) and is durable when that
 * returns; a background materializer writes the journaled batches into the tables, many at a time, in one
 * transaction with the journal position it reached ({@code meta journal:materialized}). After {@code kill -9}
 * the journal rows past that position are written on open, before anything reads; so nothing acknowledged is
 * lost and nothing is written twice.
 *
 * <p>Why: one epoch used to write each event's rows into four B-trees (profile, timer and its due-time index,
 * ledger index, event log), each a random page, in a commit the request waited for. Journaled, the request waits
 * for one sequential append; the tables are written in runs of thousands of events, where profiles and timers
 * written again in the run are written once and rows of one page share its write.
 *
 * <p>Reads see every acknowledged commit. The runtime's hot reads (profiles, identities, emails, due timers, due
 * outbox messages, the event log) merge an in-memory overlay of what is journaled but not yet materialized with
 * the tables; every other read first waits until the materializer has caught up with the commits made before it
 * ({@link #awaitMaterialized}). A journal append that fails changes nothing; a materialization that fails is
 * retried, and the commits it held stay readable through the overlay and durable in the journal.
 */
public final class JournaledStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JournaledStore.class);
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    static final String MATERIALIZED_KEY = "journal:materialized";
    /**
     * Commits wait (back-pressure) while more rows than this are journaled but not materialized, or more encoded bytes
     * than {@link #MAX_PENDING_BYTES}. Under load the runs grow to what is pending, and a bigger run writes a profile or
     * timer touched again in it once and each table page once: on the scoring benchmark 600,000 (runs up to 400,000
     * rows) sustained 11,462 events/s against 9,594 at 150,000 (runs up to 100,000; bench/README.md, session 6), and
     * 1,200,000 (runs up to 800,000, 256 MiB) 46,110 / 48,151 against 40,271 / 40,733 at 600,000 (session 8; with the
     * server's default heap, -Xmx1g, 42,742 against 38,380, no full collection). The price: up to this much
     * acknowledged work waits in memory, and a read that waits for the tables waits for it.
     */
    static final int MAX_PENDING_ROWS = Integer.getInteger("kiln.journal.maxPendingRows", 1_200_000);
    /** The memory bound beside {@link #MAX_PENDING_ROWS}: encoded (uncompressed) bytes of the pending commits. */
    static final long MAX_PENDING_BYTES = Long.getLong("kiln.journal.maxPendingBytes", 256L << 20);
    /** The materializer waits this long for more commits to join a run, unless a reader waits or the run is big. */
    static final long LINGER_MILLIS = Long.getLong("kiln.journal.lingerMillis", 250);
    /** A run is written as soon as it holds this many rows, and a run holds at most twice as many. */
    static final int RUN_ROWS = Integer.getInteger("kiln.journal.runRows", 400_000);
    private static final long BARRIER_TIMEOUT_MILLIS = 120_000;

    private final JdbcStore inner;
    private final Path journalPath;
    private final FileChannel lockChannel;
    private final FileLock processLock;
    private final Connection journal;
    private final WalCheckpointer journalCheckpointer;
    private final Object commitLock = new Object();
    private final Object lock = new Object();
    private final Thread materializer;

    // ---- guarded by commitLock ----
    private long encodedBytes, journaledBytes, appends;
    private long journalSeq;
    private long nextEventSeq;
    private long journalDeletedThrough;
    private PreparedStatement insertJournal;
    private PreparedStatement deleteJournal;
    private final JournalCodec.Scratch scratch = new JournalCodec.Scratch();

    // ---- guarded by lock: the overlay of journaled, not yet materialized commits ----
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long pendingRows, pendingBytes;
    private long maxPendingBytes = MAX_PENDING_BYTES;
    private long committedSeq;
    private long materializedSeq;
    private long lastEventSeq;
    private boolean flushRequested;
    private boolean closed;
    private boolean paused;
    private boolean crashed;
    private RuntimeException materializeFailure;
    private final Map<String, Versioned<UserRow>> users = new HashMap<>();
    private final Map<String, Long> deletedUsers = new HashMap<>();
    private final Map<String, Set<String>> emails = new HashMap<>();
    private final Map<String, Versioned<String>> identities = new HashMap<>();
    private final Map<TimerRow.Key, TimerEntry> timers = new HashMap<>();
    private final TreeSet<TimerRow> dueIndex = new TreeSet<>(TIMER_ORDER);
    private final Map<String, Versioned<OutboxRow>> outbox = new HashMap<>();
    /** Odd while the materializer writes the tables, bumped before and after each write (see {@link #dueTimers}). */
    private long tableEpoch;
    private long cursorEpoch = -1, cursorDue, cursorRowid;
    /** Timer keys whose overlay entries the last two materializer runs dropped (see {@link #dueTimers}). */
    private Set<TimerRow.Key> forgottenTimers = new HashSet<>(), previouslyForgottenTimers = new HashSet<>();

    /** Due time, user, Canvas, token; written out (a chain of key-extractor lambdas was 9 % of the committer's samples). */
    private static final Comparator<TimerRow> TIMER_ORDER = (a, b) -> {
        int c = Long.compare(a.dueAt(), b.dueAt());
        if (c != 0) return c;
        c = a.userId().compareTo(b.userId());
        if (c != 0) return c;
        c = a.canvasId().compareTo(b.canvasId());
        return c != 0 ? c : Integer.compare(a.token(), b.token());
    };
    private static final Comparator<OutboxRow> OUTBOX_ORDER = Comparator.comparingLong(OutboxRow::dueAt)
            .thenComparing(OutboxRow::messageId);

    /** A journaled commit not yet in the tables; {@code bytes} is its encoded (uncompressed) size. */
    private record Pending(long seq, CommitBatch batch, List<EventPages.Encoded> pages, long rows, long bytes, long at) {}

    private record Versioned<T>(T value, long seq) {}

    /** A timer key's state relative to the tables: the row is {@code put}, or {@code gone}, or rows with these tokens are deleted. */
    private static final class TimerEntry {
        TimerRow put;
        boolean gone;
        Set<Integer> tokens;
        long seq;
    }

    private JournaledStore(JdbcStore inner, Path journalPath, FileChannel lockChannel, FileLock processLock, Connection journal,
                           WalCheckpointer journalCheckpointer) {
        this.inner = inner;
        this.journalPath = journalPath;
        this.lockChannel = lockChannel;
        this.processLock = processLock;
        this.journal = journal;
        this.journalCheckpointer = journalCheckpointer;
        this.materializer = Thread.ofPlatform().daemon().name("kiln-materializer").unstarted(this::materializeLoop);
    }

    /**
     * Opens the journal beside the SQLite database of {@code inner} (taking it over from {@code inner}: close this,
     * not {@code inner}), writes what a crash left in it into the tables, and starts the materializer. Throws
     * {@link StoreException} when another process holds the journal.
     */
    public static JournaledStore open(JdbcStore inner, Path databaseFile, StoreConfig config) {
        Path journalPath = databaseFile.resolveSibling(databaseFile.getFileName() + ".journal");
        Path lockPath = databaseFile.resolveSibling(databaseFile.getFileName() + ".journal.lock");
        FileChannel channel = null;
        FileLock fileLock;
        Connection journal = null;
        try {
            channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                fileLock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException held) {
                fileLock = null; // this JVM holds it already
            }
            if (fileLock == null)
                throw new StoreException("the store " + databaseFile + " is open in another Kiln process (its journal "
                        + lockPath.getFileName() + " is locked); stop that process first");
            SQLiteConfig c = new SQLiteConfig();
            c.setJournalMode(SQLiteConfig.JournalMode.WAL);
            c.setSynchronous(config.sqliteSynchronous() == StoreConfig.SqliteSynchronous.FULL
                    ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            c.setBusyTimeout((int) config.busyTimeout().toMillis());
            c.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(WalCheckpointer.WRITER_AUTOCHECKPOINT_PAGES));
            journal = c.createConnection("jdbc:sqlite:" + journalPath.toAbsolutePath());
            try (Statement s = journal.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)");
            }
            WalCheckpointer checkpointer = WalCheckpointer.start(
                    DriverManager.getConnection("jdbc:sqlite:" + journalPath.toAbsolutePath()));
            JournaledStore store = new JournaledStore(inner, journalPath, channel, fileLock, journal, checkpointer);
            store.recover();
            store.materializer.start();
            return store;
        } catch (IOException | SQLException | RuntimeException e) {
            if (journal != null) try { journal.close(); } catch (SQLException ignored) { /* failing anyway */ }
            if (channel != null) try { channel.close(); } catch (IOException ignored) { /* failing anyway */ }
            inner.close();
            if (e instanceof StoreException se) throw se;
            throw new StoreException("cannot open the journal " + journalPath + ": " + e.getMessage(), e);
        }
    }

    /**
     * Read-only, for checks after a crash: the batches journaled and not yet written into the tables of the SQLite
     * database {@code databaseFile}, in order (empty without a journal). Changes nothing, so the next open's
     * recovery is still what runs.
     */
    public static List<CommitBatch> unmaterialized(Path databaseFile) {
        Path journalPath = databaseFile.resolveSibling(databaseFile.getFileName() + ".journal");
        if (!java.nio.file.Files.exists(journalPath)) return List.of();
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        long materialized = 0;
        try (Connection db = readOnly.createConnection("jdbc:sqlite:" + databaseFile.toAbsolutePath());
             PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, MATERIALIZED_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) materialized = Long.parseLong(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the journal position of " + databaseFile + ": " + e.getMessage(), e);
        }
        List<CommitBatch> out = new ArrayList<>();
        try (Connection j = readOnly.createConnection("jdbc:sqlite:" + journalPath.toAbsolutePath());
             PreparedStatement ps = j.prepareStatement("SELECT data FROM journal WHERE seq > ? ORDER BY seq")) {
            ps.setLong(1, materialized);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(JournalCodec.decode(JournalCodec.unpack(rs.getBytes(1))));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the journal " + journalPath + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Writes every journal row past the materialized position into the tables (after a crash), then clears the journal. */
    private void recover() throws SQLException {
        long materialized = inner.meta(MATERIALIZED_KEY).map(Long::parseLong).orElse(0L);
        long last = materialized;
        int replayed = 0;
        List<CommitBatch> chunk = new ArrayList<>();
        try (PreparedStatement ps = journal.prepareStatement("SELECT seq, data FROM journal WHERE seq > ? ORDER BY seq")) {
            ps.setLong(1, materialized);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = rs.getLong(1);
                    chunk.add(JournalCodec.decode(JournalCodec.unpack(rs.getBytes(2))));
                    replayed++;
                    if (chunk.size() == 200) {
                        inner.commitAll(chunk, Map.of(MATERIALIZED_KEY, Long.toString(last)));
                        chunk.clear();
                    }
                }
            }
        }
        if (!chunk.isEmpty()) inner.commitAll(chunk, Map.of(MATERIALIZED_KEY, Long.toString(last)));
        try (PreparedStatement ps = journal.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM journal");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) last = Math.max(last, rs.getLong(1));
        }
        try (PreparedStatement ps = journal.prepareStatement("DELETE FROM journal WHERE seq <= ?")) {
            ps.setLong(1, last);
            ps.executeUpdate();
        }
        journalSeq = last;
        journalDeletedThrough = last;
        committedSeq = last;
        materializedSeq = last;
        lastEventSeq = inner.eventSeqHighWater();
        nextEventSeq = lastEventSeq + 1;
        if (replayed > 0) LOG.info("journal {}: wrote {} commits left by an earlier run into the tables", journalPath, replayed);
    }

    @Override public Dialect dialect() { return inner.dialect(); }

    // ---- writes ----

    @Override public void commit(CommitBatch batch) {
        if (batch.isEmpty()) return;
        check(batch);
        long rows = rows(batch);
        awaitRoom(rows);
        synchronized (commitLock) {
            long seq = nextEventSeq;
            List<EventLogRow> events = batch.events();
            if (!events.isEmpty()) {
                List<EventLogRow> numbered = new ArrayList<>(events.size());
                for (EventLogRow e : events) numbered.add(e.withSeq(seq++));
                events = numbered;
            }
            // The overlay keeps the event log only as these pages, not as row objects: under load the rows of a few seconds
            // of commits wait here (four per event), and G1 copied them at every young collection. The rare reads of
            // journaled events (readEventLog) decode the pages.
            CommitBatch b = events.isEmpty() ? batch : new CommitBatch(batch.upserts(), batch.deletes(), batch.identityPuts(),
                    batch.identityRemovals(), List.of(), batch.timerPuts(), batch.timerDeletes(), batch.ledger(), batch.stats(),
                    batch.outboxPuts(), batch.outboxDeletes(), batch.messageLog(), batch.metaPuts());
            long jseq = journalSeq + 1;
            long t0 = System.nanoTime();
            // The event log's pages for the materializer, encoded once: the journal record holds them as they are.
            List<EventPages.Encoded> pages = events.isEmpty() ? List.of() : EventPages.encodePages(events, scratch);
            byte[] data = JournalCodec.encodePacked(b, pages, scratch);
            int rawLength = scratch.out.length();
            scratch.trim();
            encodedBytes += rawLength;
            journaledBytes += data.length;
            appends++;
            long t1 = System.nanoTime();
            append(jseq, data);
            long t2 = System.nanoTime();
            if (t2 - t0 > 20_000_000 && LOG.isDebugEnabled())
                LOG.debug("slow journal append of {} bytes: encode {} ms, append {} ms", data.length, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
            journalSeq = jseq;
            nextEventSeq = seq;
            long bytes = rawLength;
            synchronized (lock) {
                apply(b, jseq);
                pending.addLast(new Pending(jseq, b, pages, rows, bytes, System.currentTimeMillis()));
                pendingRows += rows;
                pendingBytes += bytes;
                committedSeq = jseq;
                if (!events.isEmpty()) lastEventSeq = seq - 1;
                lock.notifyAll();
            }
        }
    }

    /**
     * Refuses, before it is journaled, a batch the tables would refuse (a NOT NULL column without a value): once
     * acknowledged, a batch must be writable, or the materializer could never get past it.
     */
    static void check(CommitBatch b) {
        for (UserRow u : b.upserts()) need(u.userId() != null && u.state() != null, "users", "user_id and state");
        for (String d : b.deletes()) need(d != null, "users", "user_id of a delete");
        b.identityPuts().forEach((k, v) -> need(k != null && v != null, "identities", "key and user_id"));
        for (String k : b.identityRemovals()) need(k != null, "identities", "key of a removal");
        for (EventLogRow e : b.events())
            need(e.complete(), "event_log", "id, user_id, type and data");
        for (TimerRow t : b.timerPuts()) need(t.userId() != null && t.canvasId() != null, "timers", "user_id and canvas_id");
        for (TimerRow t : b.timerDeletes()) need(t.userId() != null && t.canvasId() != null, "timers", "user_id and canvas_id of a delete");
        for (LedgerRow l : b.ledger()) need(l.userId() != null && l.name() != null && l.source() != null, "attribute_ledger", "user_id, name and source");
        for (StatDelta st : b.stats()) need(st.canvasId() != null && st.metric() != null && st.key() != null, "canvas_stats", "canvas_id, metric and key");
        for (OutboxRow o : b.outboxPuts()) need(o.messageId() != null && o.userId() != null && o.snapshot() != null, "outbox", "message_id, user_id and snapshot");
        for (String id : b.outboxDeletes()) need(id != null, "outbox", "message_id of a delete");
        for (MessageLogRow m : b.messageLog())
            need(m.messageId() != null && m.userId() != null && m.outcome() != null, "message_log", "message_id, user_id and outcome");
        b.metaPuts().forEach((k, v) -> need(k != null && v != null, "meta", "key and value"));
    }

    private static void need(boolean ok, String table, String columns) {
        if (!ok) throw new StoreException("commit refused, nothing written: a row for " + table + " lacks " + columns + ", which the table requires");
    }

    private static long rows(CommitBatch b) {
        return 1L + b.upserts().size() + b.events().size() + b.timerPuts().size() + b.timerDeletes().size() + b.ledger().size()
                + b.outboxPuts().size() + b.messageLog().size();
    }

    private void append(long seq, byte[] data) {
        long through;
        synchronized (lock) {
            through = materializedSeq;
        }
        try {
            if (insertJournal == null) {
                insertJournal = journal.prepareStatement("INSERT INTO journal (seq, data) VALUES (?, ?)");
                deleteJournal = journal.prepareStatement("DELETE FROM journal WHERE seq <= ?");
            }
            try (Statement s = journal.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
            try {
                // Rows already in the tables leave the journal with the next append: no commit of their own.
                if (through > journalDeletedThrough) {
                    deleteJournal.setLong(1, through);
                    deleteJournal.executeUpdate();
                }
                insertJournal.setLong(1, seq);
                insertJournal.setBytes(2, data);
                insertJournal.executeUpdate();
                try (Statement s = journal.createStatement()) {
                    s.execute("COMMIT");
                }
            } catch (SQLException | RuntimeException e) {
                try (Statement s = journal.createStatement()) {
                    s.execute("ROLLBACK");
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
            if (through > journalDeletedThrough) journalDeletedThrough = through;
        } catch (SQLException e) {
            throw new StoreException("commit failed: the journal " + journalPath + " could not be written: " + e.getMessage(), e);
        }
    }

    private void awaitRoom(long rows) {
        synchronized (lock) {
            while (!closed && pendingRows > 0 && (pendingRows + rows > MAX_PENDING_ROWS || pendingBytes > maxPendingBytes)) {
                flushRequested = true;
                lock.notifyAll();
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("commit interrupted while waiting for the materializer");
                }
            }
            if (closed) throw new StoreException("commit failed: the store is closed");
        }
    }

    /** Applies one journaled batch to the overlay, in {@link Commits#write}'s order. Caller holds {@link #lock}. */
    private void apply(CommitBatch b, long seq) {
        for (String d : b.deletes()) {
            Versioned<UserRow> old = users.remove(d);
            if (old != null) unindexEmail(d, old.value().email());
            deletedUsers.put(d, seq);
            for (Map.Entry<String, Versioned<String>> e : identities.entrySet()) {
                if (d.equals(e.getValue().value())) e.setValue(new Versioned<>(null, seq));
            }
        }
        for (UserRow u : b.upserts()) {
            Versioned<UserRow> old = users.put(u.userId(), new Versioned<>(u, seq));
            if (old != null && java.util.Objects.equals(old.value().email(), u.email())) continue; // indexed already
            if (old != null) unindexEmail(u.userId(), old.value().email());
            if (u.email() != null) emails.computeIfAbsent(u.email(), k -> new HashSet<>()).add(u.userId());
        }
        for (String k : b.identityRemovals()) identities.put(k, new Versioned<>(null, seq));
        for (Map.Entry<String, String> e : b.identityPuts().entrySet()) identities.put(e.getKey(), new Versioned<>(e.getValue(), seq));
        for (TimerRow t : b.timerDeletes()) {
            TimerRow.Key key = t.key();
            TimerEntry e = timers.get(key);
            if (e == null) {
                e = new TimerEntry();
                if (deletedUsers.containsKey(t.userId())) e.gone = true;
                else (e.tokens = new HashSet<>()).add(t.token());
                timers.put(key, e);
            } else if (e.put != null) {
                if (e.put.token() == t.token()) {
                    dueIndex.remove(e.put);
                    e.put = null;
                    e.gone = true;
                }
            } else if (!e.gone) {
                e.tokens.add(t.token());
            }
            e.seq = seq;
        }
        if (!b.deletes().isEmpty()) {
            for (TimerEntry e : timers.values()) {
                String user = e.put != null ? e.put.userId() : null;
                if (user != null && b.deletes().contains(user)) {
                    dueIndex.remove(e.put);
                    e.put = null;
                    e.gone = true;
                    e.tokens = null;
                    e.seq = seq;
                }
            }
            // Entries holding only token deletes name no user: find them by key.
            for (Map.Entry<TimerRow.Key, TimerEntry> te : timers.entrySet()) {
                TimerEntry e = te.getValue();
                if (e.tokens != null && b.deletes().contains(te.getKey().userId())) {
                    e.tokens = null;
                    e.gone = true;
                    e.seq = seq;
                }
            }
        }
        for (TimerRow t : b.timerPuts()) {
            TimerEntry e = timers.computeIfAbsent(t.key(), k -> new TimerEntry());
            if (e.put != null) dueIndex.remove(e.put);
            e.put = t;
            e.gone = false;
            e.tokens = null;
            e.seq = seq;
            dueIndex.add(t);
        }
        for (OutboxRow o : b.outboxPuts()) outbox.put(o.messageId(), new Versioned<>(o, seq));
        for (String id : b.outboxDeletes()) outbox.put(id, new Versioned<>(null, seq));
    }

    private void unindexEmail(String userId, String email) {
        if (email == null) return;
        Set<String> ids = emails.get(email);
        if (ids != null && ids.remove(userId) && ids.isEmpty()) emails.remove(email);
    }


    /**
     * Drops from the overlay what the tables now hold: the entries the run's commits (all commits up to {@code through})
     * made and no later commit changed. Looks up only the keys the run wrote, under the lock that commits and reads
     * wait for; a run with user deletes (which touch entries by user, not by key) walks the whole overlay. Caller holds
     * {@link #lock}.
     */
    private void forget(long through, List<Pending> run, Coalesced keys) {
        while (!pending.isEmpty() && pending.peekFirst().seq() <= through) {
            Pending p = pending.pollFirst();
            pendingRows -= p.rows();
            pendingBytes -= p.bytes();
        }
        if (run.isEmpty() || run.stream().anyMatch(p -> !p.batch().deletes().isEmpty())) {
            forgetAll(through);
            return;
        }
        previouslyForgottenTimers = forgottenTimers;
        forgottenTimers = new HashSet<>();
        // Each key once (coalesce collected them), not once per row: at full load a run holds a lead's rows several times.
        for (String id : keys.users()) {
            Versioned<UserRow> v = users.get(id);
            if (v != null && v.seq() <= through) {
                unindexEmail(id, v.value().email());
                users.remove(id);
            }
        }
        for (TimerRow.Key k : keys.timers()) forgetTimer(k, through);
        for (Pending p : run) {
            CommitBatch b = p.batch();
            for (String k : b.identityPuts().keySet()) forgetIdentity(k, through);
            for (String k : b.identityRemovals()) forgetIdentity(k, through);
            for (OutboxRow o : b.outboxPuts()) forgetOutbox(o.messageId(), through);
            for (String id : b.outboxDeletes()) forgetOutbox(id, through);
        }
    }

    private void forgetIdentity(String key, long through) {
        Versioned<String> v = identities.get(key);
        if (v != null && v.seq() <= through) identities.remove(key);
    }

    private void forgetTimer(TimerRow.Key key, long through) {
        TimerEntry e = timers.get(key);
        if (e != null && e.seq <= through) {
            if (e.put != null) dueIndex.remove(e.put);
            forgottenTimers.add(key);
            timers.remove(key);
        }
    }

    private void forgetOutbox(String id, long through) {
        Versioned<OutboxRow> v = outbox.get(id);
        if (v != null && v.seq() <= through) outbox.remove(id);
    }

    private void forgetAll(long through) {
        for (var it = users.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().seq() <= through) {
                unindexEmail(e.getKey(), e.getValue().value().email());
                it.remove();
            }
        }
        deletedUsers.values().removeIf(s -> s <= through);
        identities.values().removeIf(v -> v.seq() <= through);
        previouslyForgottenTimers = forgottenTimers;
        forgottenTimers = new HashSet<>();
        for (var it = timers.entrySet().iterator(); it.hasNext(); ) {
            var te = it.next();
            TimerEntry e = te.getValue();
            if (e.seq <= through) {
                if (e.put != null) dueIndex.remove(e.put);
                forgottenTimers.add(te.getKey());
                it.remove();
            }
        }
        outbox.values().removeIf(v -> v.seq() <= through);
    }

    // ---- the materializer ----

    private void materializeLoop() {
        long backoff = 100;
        while (true) {
            List<Pending> run = new ArrayList<>();
            synchronized (lock) {
                try {
                    while (!crashed && !closed && !ready()) lock.wait(pending.isEmpty() ? 1_000 : Math.max(1, LINGER_MILLIS / 5));
                } catch (InterruptedException e) {
                    return;
                }
                if (crashed) return;
                if (pending.isEmpty()) {
                    if (closed) return;
                    continue;
                }
                long rows = 0;
                for (Pending p : pending) {
                    if (!run.isEmpty() && rows + p.rows() > 2L * RUN_ROWS) break;
                    run.add(p);
                    rows += p.rows();
                }
            }
            long through = run.getLast().seq();
            Coalesced co;
            try {
                synchronized (lock) {
                    tableEpoch++;
                }
                long t0 = System.nanoTime();
                long cpu0 = LOG.isDebugEnabled() ? CPU.getCurrentThreadCpuTime() : 0;
                co = coalesce(run);
                long t1 = System.nanoTime();
                inner.commitAll(co.batches(), co.pages(), Map.of(MATERIALIZED_KEY, Long.toString(through)));
                if (LOG.isDebugEnabled()) LOG.debug("materialized {} commits ({} rows, {} bytes): coalesce {} ms, write {} ms (COMMIT {} ms);"
                                + " thread CPU {} ms of {} ms", run.size(), run.stream().mapToLong(Pending::rows).sum(),
                        run.stream().mapToLong(Pending::bytes).sum(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000,
                        inner.lastCommitNanos() / 1_000_000, (CPU.getCurrentThreadCpuTime() - cpu0) / 1_000_000,
                        (System.nanoTime() - t0) / 1_000_000);
                backoff = 100;
            } catch (RuntimeException e) {
                LOG.warn("writing {} journaled commits into the tables failed; they stay in the journal and are retried: {}",
                        run.size(), e.getMessage());
                synchronized (lock) {
                    tableEpoch++;
                    materializeFailure = e;
                    try {
                        lock.wait(backoff);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                backoff = Math.min(5_000, backoff * 2);
                continue;
            }
            synchronized (lock) {
                tableEpoch++;
                forget(through, run, co);
                materializedSeq = through;
                materializeFailure = null;
                if (materializedSeq >= committedSeq) flushRequested = false;
                lock.notifyAll();
            }
        }
    }

    /** Caller holds {@link #lock}. */
    private boolean ready() {
        if (pending.isEmpty() || paused) return false;
        if (flushRequested || closed || pendingRows >= RUN_ROWS) return true;
        return pending.peekFirst().at() + LINGER_MILLIS <= System.currentTimeMillis();
    }

    /**
     * The run's batches with what a later batch of the run overwrites left out — a profile written again, a timer put
     * again (and token deletes of a timer put later) — and the rows that only append (ledger, message log; statistics,
     * summed) moved into one last batch, in run order, so they go in as few statements as possible; the event log goes
     * in as the pages the commits encoded.
     * Without user deletes in the run, the profiles move there too (one write each, in key order). The tables end as
     * if every batch were written in order: the appended tables are independent of the others, and a ledger or
     * message log row keeps its place among its own kind.
     */
    static Coalesced coalesce(List<Pending> run) {
        Map<String, Integer> lastUser = new HashMap<>();
        Map<TimerRow.Key, Integer> lastTimer = new HashMap<>();
        Set<TimerRow.Key> timerKeys = new HashSet<>(); // every timer key the run puts or deletes
        boolean deletes = false;
        int events = 0, ledger = 0, messages = 0;
        for (int i = 0; i < run.size(); i++) {
            CommitBatch b = run.get(i).batch();
            for (UserRow u : b.upserts()) lastUser.put(u.userId(), i);
            for (TimerRow t : b.timerPuts()) lastTimer.put(t.key(), i);
            for (TimerRow t : b.timerDeletes()) timerKeys.add(t.key());
            deletes |= !b.deletes().isEmpty();
            for (EventPages.Encoded p : run.get(i).pages()) events += p.rows();
            ledger += b.ledger().size();
            messages += b.messageLog().size();
        }
        List<UserRow> allUsers = new ArrayList<>(deletes ? 0 : lastUser.size());
        List<EventPages.Encoded> allPages = new ArrayList<>(events / EventPages.PAGE_ROWS + run.size());
        List<LedgerRow> allLedger = new ArrayList<>(ledger);
        List<MessageLogRow> allMessages = new ArrayList<>(messages);
        Map<List<Object>, Long> stats = new java.util.LinkedHashMap<>();
        List<CommitBatch> out = new ArrayList<>(run.size() + 1);
        for (int i = 0; i < run.size(); i++) {
            CommitBatch b = run.get(i).batch();
            final int at = i;
            // Without user deletes in the run the profiles go to the last batch (allUsers), else they stay in place.
            List<UserRow> upserts = deletes ? new ArrayList<>() : List.of();
            for (UserRow u : b.upserts()) if (lastUser.get(u.userId()) == at) (deletes ? upserts : allUsers).add(u);
            List<TimerRow> puts = new ArrayList<>();
            for (TimerRow t : b.timerPuts()) if (lastTimer.get(t.key()) == at) puts.add(t);
            List<TimerRow> timerDeletes = new ArrayList<>();
            for (TimerRow t : b.timerDeletes()) {
                Integer last = lastTimer.get(t.key());
                if (last == null || last < at) timerDeletes.add(t);
            }
            allPages.addAll(run.get(i).pages());
            allLedger.addAll(b.ledger());
            allMessages.addAll(b.messageLog());
            for (StatDelta st : b.stats()) stats.merge(List.of(st.canvasId(), st.metric(), st.key(), st.bucket()), st.delta(), Long::sum);
            out.add(new CommitBatch(upserts, b.deletes(), b.identityPuts(), b.identityRemovals(), List.of(), puts, timerDeletes,
                    List.of(), List.of(), b.outboxPuts(), b.outboxDeletes(), List.of(), b.metaPuts()));
        }
        List<StatDelta> summed = new ArrayList<>(stats.size());
        stats.forEach((k, v) -> summed.add(new StatDelta((String) k.get(0), (String) k.get(1), (String) k.get(2), (Long) k.get(3), v)));
        out.add(new CommitBatch(allUsers, Set.of(), Map.of(), Set.of(), List.of(), List.of(), List.of(), allLedger, summed,
                List.of(), Set.of(), allMessages, Map.of()));
        timerKeys.addAll(lastTimer.keySet());
        return new Coalesced(out, allPages, lastUser.keySet(), timerKeys);
    }

    /**
     * A coalesced run: the batches to write (without event log rows), the run's event log pages as its commits encoded
     * them, and the profile and timer keys the run wrote (for {@link #forget}).
     */
    record Coalesced(List<CommitBatch> batches, List<EventPages.Encoded> pages, Set<String> users, Set<TimerRow.Key> timers) {}

    /**
     * Waits until every commit acknowledged before this call is in the tables. Throws {@link StoreException} when the
     * materializer cannot get there (its last failure is the cause).
     */
    public void awaitMaterialized() {
        long deadline = System.currentTimeMillis() + BARRIER_TIMEOUT_MILLIS;
        synchronized (lock) {
            long target = committedSeq;
            while (materializedSeq < target) {
                if (materializer.getState() == Thread.State.TERMINATED)
                    throw new StoreException("reading failed: the store is closed");
                flushRequested = true;
                lock.notifyAll();
                long left = deadline - System.currentTimeMillis();
                if (left <= 0)
                    throw new StoreException("reading failed: journaled commits are not yet in the tables after "
                            + BARRIER_TIMEOUT_MILLIS / 1000 + " s" + (materializeFailure == null ? "" : ": " + materializeFailure.getMessage()),
                            materializeFailure);
                try {
                    lock.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("reading interrupted while waiting for the materializer");
                }
            }
        }
    }

    /** The tables, with every commit acknowledged so far written into them (tests look at rows). */
    JdbcStore tables() {
        awaitMaterialized();
        return inner;
    }

    /** Tests: the tables as they are now, without waiting for the materializer. */
    JdbcStore tablesAsTheyAre() { return inner; }

    /** Tests: entries the overlay holds (profiles, deleted users, identities, timers, outbox, emails). */
    long overlaySizeForTest() {
        synchronized (lock) {
            return (long) users.size() + deletedUsers.size() + identities.size() + timers.size() + dueIndex.size() + outbox.size() + emails.size();
        }
    }

    /** Tests: a smaller memory bound for the back-pressure. */
    void maxPendingBytesForTest(long bytes) {
        synchronized (lock) {
            maxPendingBytes = bytes;
        }
    }

    /** Tests: holds the materializer (commits stay in the journal and the overlay) until resumed. */
    void pauseForTest(boolean pause) {
        synchronized (lock) {
            paused = pause;
            lock.notifyAll();
        }
    }

    /**
     * Refuses further commits and waits for the materializer to end: after writing everything pending, or at once
     * when {@code crash} (tests). False when the store was closed already.
     */
    private boolean stopMaterializer(boolean crash) {
        synchronized (lock) {
            if (closed && !crash) return false;
            crashed = crash;
            closed = true;
            paused = false;
            lock.notifyAll();
        }
        try {
            materializer.join(BARRIER_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** Tests: stops as {@code kill -9} would, leaving what is journaled and not materialized in the journal only. */
    void crashForTest() {
        stopMaterializer(true);
        journalCheckpointer.close();
        try {
            journal.close();
            processLock.release();
            lockChannel.close();
        } catch (SQLException | IOException e) {
            throw new StoreException("crash for test: " + e.getMessage(), e);
        }
        inner.close();
    }

    /** How many journaled commits are not yet in the tables (for metrics and tests). */
    public long pendingCommits() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Rows journaled and not yet in the tables (the metric {@code kiln_store_journal_pending_rows}). */
    public long pendingRows() {
        synchronized (lock) {
            return pendingRows;
        }
    }

    /** Encoded bytes of the commits journaled and not yet in the tables. */
    public long pendingBytes() {
        synchronized (lock) {
            return pendingBytes;
        }
    }

    // ---- hot reads: overlay, then the tables ----

    @Override public Map<String, UserState> loadUsers(Collection<String> userIds) {
        Map<String, UserState> out = new HashMap<>();
        List<String> rest = new ArrayList<>();
        synchronized (lock) {
            for (String id : userIds) {
                Versioned<UserRow> v = users.get(id);
                if (v != null) out.put(id, v.value().decode());
                else if (!deletedUsers.containsKey(id)) rest.add(id);
            }
        }
        if (!rest.isEmpty()) out.putAll(inner.loadUsers(rest));
        return out;
    }

    @Override public Optional<UserState> loadUser(String userId) {
        return Optional.ofNullable(loadUsers(List.of(userId)).get(userId));
    }

    @Override public Map<String, String> resolve(Collection<String> identityKeys) {
        Map<String, String> out = new HashMap<>();
        List<String> rest = new ArrayList<>();
        Map<String, Long> deleted;
        synchronized (lock) {
            for (String key : identityKeys) {
                Versioned<String> v = identities.get(key);
                if (v == null) rest.add(key);
                else if (v.value() != null && deletedUsers.getOrDefault(v.value(), Long.MIN_VALUE) <= v.seq()) out.put(key, v.value());
            }
            deleted = rest.isEmpty() || deletedUsers.isEmpty() ? Map.of() : new HashMap<>(deletedUsers);
        }
        if (!rest.isEmpty()) {
            inner.resolve(rest).forEach((k, uid) -> {
                if (!deleted.containsKey(uid)) out.put(k, uid);
            });
        }
        return out;
    }

    @Override public List<String> usersByEmail(String email) {
        if (email == null || email.isBlank()) return List.of();
        String normal = UserRow.normaliseEmail(email);
        // The overlay's matches first, then the tables: a profile the materializer moves in between is in one of them.
        List<UserRow> mine = new ArrayList<>();
        synchronized (lock) {
            for (String id : emails.getOrDefault(normal, Set.of())) mine.add(users.get(id).value());
        }
        mine.sort(Comparator.comparingLong(UserRow::updatedAt).reversed().thenComparing(UserRow::userId));
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (UserRow u : mine) out.add(u.userId());
        List<String> tables = inner.usersByEmail(email);
        synchronized (lock) {
            for (String id : tables) {
                // A profile the overlay holds is judged by its newest row there.
                if (users.containsKey(id)) {
                    if (emails.getOrDefault(normal, Set.of()).contains(id)) out.add(id);
                } else if (!deletedUsers.containsKey(id)) {
                    out.add(id);
                }
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Due timers: the overlay's, and the tables' that the overlay does not replace or delete. While the tables are
     * unchanged, the tables' due rows that the overlay hides stay hidden (a hidden key only gets another overlay
     * state until the materializer writes it), so a cursor skips the hidden rows at the front of the due-time index
     * instead of reading them at every poll: after a burst of fired timers, their old rows would otherwise be read
     * again by each poll until the materializer wrote the new ones. The cursor is dropped whenever the
     * materializer writes (or is writing) the tables.
     */
    @Override public List<TimerRow> dueTimers(long now, long fromDue, int limit) {
        long epoch, afterDue, afterRowid;
        synchronized (lock) {
            epoch = tableEpoch;
            boolean valid = cursorEpoch == epoch && (epoch & 1) == 0;
            afterDue = valid ? cursorDue : Long.MIN_VALUE;
            afterRowid = valid ? cursorRowid : Long.MIN_VALUE;
        }
        // (fromDue, MIN) precedes every row due at fromDue in the index's (due, rowid) order; start at the later of the two.
        boolean fromLater = fromDue > afterDue;
        if (fromLater) {
            afterDue = fromDue;
            afterRowid = Long.MIN_VALUE;
        }
        List<TimerRow> merged = new ArrayList<>();
        Set<TimerRow.Key> seen = new HashSet<>();
        synchronized (lock) {
            for (TimerRow t : dueIndex) {
                if (t.dueAt() > now || merged.size() >= limit) break;
                if (t.dueAt() < fromDue) continue;
                merged.add(t);
                seen.add(t.key());
            }
        }
        // The tables after the overlay, in chunks, until `limit` rows are visible or the due rows end; a timer the
        // materializer moves in between is found by the next poll, or comes back with an outdated token (the engine
        // ignores such a fire).
        int visible = 0;
        // Rows before fromDue were skipped, not found hidden: the cursor (shared by every poll) only moves over hidden ones.
        boolean prefix = !fromLater;
        int chunk = Math.max(64, limit);
        for (int reads = 0; reads < 64 && visible < limit; reads++) {
            long readAt;
            synchronized (lock) {
                readAt = tableEpoch;
            }
            List<JdbcStore.DueTimer> rows = inner.dueTimersAfter(now, afterDue, afterRowid, chunk);
            synchronized (lock) {
                // A run written while these rows were read may have dropped their overlay entries: such a row can be
                // the old timer of a key that run wrote, so it stays hidden for this poll (the next one reads the
                // tables anew) instead of firing with an outdated token.
                boolean written = tableEpoch != readAt;
                for (JdbcStore.DueTimer d : rows) {
                    TimerRow t = d.row();
                    TimerRow.Key key = t.key();
                    TimerEntry e = timers.get(key);
                    boolean hide = e != null ? (e.put != null || e.gone || e.tokens.contains(t.token())) : deletedUsers.containsKey(t.userId());
                    if (!hide && written && (forgottenTimers.contains(key) || previouslyForgottenTimers.contains(key))) {
                        prefix = false;
                        continue;
                    }
                    afterDue = t.dueAt();
                    afterRowid = d.rowid();
                    if (hide) {
                        if (prefix && tableEpoch == epoch) {
                            cursorEpoch = epoch;
                            cursorDue = afterDue;
                            cursorRowid = afterRowid;
                        }
                        continue;
                    }
                    prefix = false;
                    if (!seen.contains(key)) merged.add(t);
                    visible++;
                }
            }
            if (rows.size() < chunk) break;
        }
        merged.sort(TIMER_ORDER);
        return merged.size() > limit ? new ArrayList<>(merged.subList(0, limit)) : merged;
    }

    @Override public List<OutboxRow> dueOutbox(long now, int limit) {
        List<OutboxRow> merged = new ArrayList<>();
        Set<String> overlaid;
        synchronized (lock) {
            for (Versioned<OutboxRow> v : outbox.values()) if (v.value() != null && v.value().dueAt() <= now) merged.add(v.value());
            overlaid = new HashSet<>(outbox.keySet());
        }
        for (OutboxRow o : inner.dueOutbox(now, limit + overlaid.size())) if (!overlaid.contains(o.messageId())) merged.add(o);
        merged.sort(OUTBOX_ORDER);
        return merged.size() > limit ? new ArrayList<>(merged.subList(0, limit)) : merged;
    }

    @Override public Optional<OutboxRow> outboxRow(String messageId) {
        synchronized (lock) {
            Versioned<OutboxRow> v = outbox.get(messageId);
            if (v != null) return Optional.ofNullable(v.value());
        }
        return inner.outboxRow(messageId);
    }

    @Override public List<EventLogRow> readEventLog(long afterSeq, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        // The overlay first, then the tables: a run materialized in between is then in one of the two (or both).
        // The pages are taken under the overlay lock and decoded after it (they never change): commits wait for that lock.
        List<EventPages.Encoded> pages = new ArrayList<>();
        synchronized (lock) {
            long surely = 0; // rows past afterSeq in the pages taken, counting only pages wholly past it
            pages:
            for (Pending p : pending) {
                for (EventPages.Encoded page : p.pages()) {
                    if (page.lastSeq() <= afterSeq) continue;
                    pages.add(page);
                    if (page.firstSeq() > afterSeq) surely += page.rows();
                    if (surely >= limit) break pages;
                }
            }
        }
        List<EventLogRow> mine = new ArrayList<>();
        decoding:
        for (EventPages.Encoded page : pages) {
            for (EventLogRow e : EventPages.decode(page.data())) {
                if (e.seq() > afterSeq) mine.add(e);
                if (mine.size() >= limit) break decoding;
            }
        }
        List<EventLogRow> rows = inner.readEventLog(afterSeq, limit);
        if (mine.isEmpty()) return rows;
        long lastInner = rows.isEmpty() ? afterSeq : rows.getLast().seq();
        List<EventLogRow> out = new ArrayList<>(rows);
        for (EventLogRow e : mine) {
            if (out.size() >= limit) break;
            if (e.seq() > lastInner) out.add(e);
        }
        return out;
    }

    @Override public long lastEventSeq() {
        synchronized (lock) {
            if (!pending.isEmpty()) return lastEventSeq;
        }
        return inner.lastEventSeq();
    }

    // ---- other reads: after the materializer caught up ----

    @Override public void scanUsers(Consumer<UserState> consumer) {
        awaitMaterialized();
        inner.scanUsers(consumer);
    }

    @Override public long countUsers() {
        awaitMaterialized();
        return inner.countUsers();
    }

    /**
     * Prunes run on the runtime's committer thread: they wait for the materializer only when a journaled row is old
     * enough to be pruned (never, in a running server, where retention is days; at once, in a test).
     */
    private void awaitIfPending(java.util.function.Predicate<CommitBatch> prunable) {
        boolean wait;
        synchronized (lock) {
            wait = pending.stream().anyMatch(p -> prunable.test(p.batch()));
        }
        if (wait) awaitMaterialized();
    }

    /** As {@link #awaitIfPending}, for the event log, which the overlay holds as pages. */
    private void awaitIfPendingPages(java.util.function.Predicate<EventPages.Encoded> prunable) {
        boolean wait;
        synchronized (lock) {
            wait = pending.stream().anyMatch(p -> p.pages().stream().anyMatch(prunable));
        }
        if (wait) awaitMaterialized();
    }

    @Override public long pruneEventLog(long recordedBefore) {
        awaitIfPendingPages(p -> p.minRecordedAt() < recordedBefore);
        return inner.pruneEventLog(recordedBefore);
    }

    @Override public long pruneEventLog(long recordedBefore, long throughSeq) {
        awaitIfPendingPages(p -> p.minRecordedAt() < recordedBefore && p.firstSeq() <= throughSeq);
        return inner.pruneEventLog(recordedBefore, throughSeq);
    }

    @Override public ApiKeyStore apiKeys() { return inner.apiKeys(); }

    @Override public long countTimers() {
        awaitMaterialized();
        return inner.countTimers();
    }

    @Override public List<LedgerRow> ledger(String userId, String name, long beforeSeq, int limit) {
        awaitMaterialized();
        return inner.ledger(userId, name, beforeSeq, limit);
    }

    @Override public long pruneLedger(long before) {
        awaitIfPending(b -> b.ledger().stream().anyMatch(l -> l.time() < before));
        return inner.pruneLedger(before);
    }

    @Override public List<StatDelta> canvasStats(String canvasId) {
        awaitMaterialized();
        return inner.canvasStats(canvasId);
    }

    @Override public List<CanvasRow> canvasRows() { return inner.canvasRows(); }

    @Override public void saveCanvasRow(CanvasRow row) { inner.saveCanvasRow(row); }

    @Override public List<CanvasRow> campaignRows() { return inner.campaignRows(); }

    @Override public void saveCampaignRow(CanvasRow row) { inner.saveCampaignRow(row); }

    @Override public long countOutbox() {
        awaitMaterialized();
        return inner.countOutbox();
    }

    @Override public List<MessageLogRow> messageLog(MessageLogQuery query) {
        if (query.limit() < 1) return inner.messageLog(query); // its own message
        awaitMaterialized();
        return inner.messageLog(query);
    }

    @Override public long pruneMessageLog(long before) {
        awaitIfPending(b -> b.messageLog().stream().anyMatch(m -> m.time() < before));
        return inner.pruneMessageLog(before);
    }

    @Override public Optional<String> meta(String key) {
        awaitMaterialized();
        return inner.meta(key);
    }

    @Override public Map<String, String> metaWithPrefix(String prefix) {
        awaitMaterialized();
        return inner.metaWithPrefix(prefix);
    }

    /** Journaled like an epoch, so it lands in order with the batches' own meta values. */
    @Override public void putMeta(String key, String value) {
        commit(new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), Set.of(), List.of(), Map.of(key, value)));
    }

    /** Writes everything journaled into the tables, then closes the journal and the database. */
    @Override public void close() {
        if (!stopMaterializer(false)) return;
        synchronized (commitLock) {
            synchronized (lock) {
                if (pending.isEmpty() && materializedSeq > journalDeletedThrough) {
                    try (PreparedStatement ps = journal.prepareStatement("DELETE FROM journal WHERE seq <= ?")) {
                        ps.setLong(1, materializedSeq);
                        ps.executeUpdate();
                    } catch (SQLException e) {
                        LOG.debug("clearing the journal on close: {}", e.getMessage());
                    }
                } else if (!pending.isEmpty()) {
                    LOG.warn("closing with {} journaled commits not yet in the tables; they are written on the next open", pending.size());
                }
            }
            journalCheckpointer.close();
            try {
                journal.close();
            } catch (SQLException e) {
                LOG.debug("closing the journal: {}", e.getMessage());
            }
            if (appends > 0) LOG.info("journal {}: {} commits, {} KB encoded, {} KB written (LZ4)", journalPath, appends,
                    encodedBytes / 1024, journaledBytes / 1024);
        }
        try {
            processLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.debug("releasing the journal lock: {}", e.getMessage());
        }
        inner.close();
    }
}
