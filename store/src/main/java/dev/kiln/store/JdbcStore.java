package dev.kiln.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.kiln.engine.UserState;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The {@link Store} on SQLite or PostgreSQL. Commits go through one writer connection, one at a time; reads
 * use a pool. The schema is migrated by Flyway when the store opens.
 */
public final class JdbcStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);

    /** Ids per {@code IN (…)} query; well below both databases' bind-parameter limits. */
    static final int IN_CHUNK = 500;
    /** Event log rows deleted per prune transaction, so pruning never holds the writer for long. */
    static final int PRUNE_CHUNK = 10_000;

    private final StoreConfig config;
    private final SqlDialect dialect;
    private final Writer writer;
    private final HikariDataSource readPool;
    private final JdbcApiKeys apiKeys;
    private final WalCheckpointer checkpointer;
    /**
     * Ledger rows appended to {@code attribute_ledger_recent} are moved into the indexed table once this many are
     * there ({@link Commits#mergeLedger}). Bigger batches write each index page for more rows; a history read scans the
     * recent rows of its user (the table has no user index), so this also bounds that scan.
     */
    static final int DEFAULT_LEDGER_MERGE_ROWS = Integer.getInteger("kiln.ledger.mergeRows", 100_000);
    private volatile int ledgerMergeRows = DEFAULT_LEDGER_MERGE_ROWS;

    private JdbcStore(StoreConfig config, SqlDialect dialect, Writer writer, HikariDataSource readPool, WalCheckpointer checkpointer) {
        this.config = config;
        this.dialect = dialect;
        this.writer = writer;
        this.readPool = readPool;
        this.apiKeys = new JdbcApiKeys(writer, this::read);
        this.checkpointer = checkpointer;
    }

    /** Opens (and creates or migrates) the database. Throws {@link StoreException} when it cannot. */
    public static JdbcStore open(StoreConfig config) {
        LOG.info("Opening store: {}", config);
        SqlDialect dialect = SqlDialect.of(config);
        migrate(config, dialect);
        Writer writer;
        try {
            writer = new Writer(dialect);
        } catch (SQLException e) {
            throw new StoreException("cannot connect the store's writer to " + config.safeUrl() + ": " + e.getMessage(), e);
        }
        HikariDataSource reads;
        try {
            reads = new HikariDataSource(dialect.readPool());
        } catch (RuntimeException e) {
            writer.close();
            throw new StoreException("cannot open the read pool on " + config.safeUrl() + ": " + e.getMessage(), e);
        }
        WalCheckpointer checkpointer = null;
        if (dialect instanceof SqliteDialect sqlite && !Boolean.getBoolean("kiln.sqlite.noBackgroundCheckpoint")) {
            try {
                checkpointer = WalCheckpointer.start(sqlite.openCheckpointer());
            } catch (SQLException e) {
                LOG.warn("no background WAL checkpoints ({}); the writer checkpoints itself", e.getMessage());
            }
        }
        return new JdbcStore(config, dialect, writer, reads, checkpointer);
    }

    private static void migrate(StoreConfig config, SqlDialect dialect) {
        try {
            MigrateResult r = Flyway.configure(JdbcStore.class.getClassLoader())
                    .dataSource(dialect.migrationDataSource())
                    .locations(dialect.dialect().migrationLocation())
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            LOG.info("Store schema at version {} ({} migrations applied now)", r.targetSchemaVersion, r.migrationsExecuted);
        } catch (RuntimeException e) {
            throw new StoreException("migrating " + config.safeUrl() + " failed: " + e.getMessage(), e);
        }
    }

    public StoreConfig config() { return config; }

    @Override public Dialect dialect() { return dialect.dialect(); }

    // ---- writes ----

    @Override public void commit(CommitBatch batch) {
        if (batch.isEmpty()) return;
        // In key order: B-tree pages are then visited once, in sequence, and two writers lock rows in one order.
        Map<String, UserRow> users = new TreeMap<>();
        for (UserRow u : batch.upserts()) users.put(u.userId(), u);
        writer.inTransaction("commit", w -> {
            Commits.write(w, batch, users.values());
            if (!batch.ledger().isEmpty()) mergeLedgerIfDue(w);
            return null;
        });
    }

    /**
     * Inside the writer's transaction, after a commit's ledger rows: moves the recent tier into the indexed table once
     * its seqs span {@link #ledgerMergeRows} (the rows it holds, give or take what a prune took: two lookups at the
     * ends of the primary key, where a count would read every row).
     */
    private void mergeLedgerIfDue(Writer w) throws SQLException {
        try (ResultSet rs = w.statement("SELECT COALESCE(MAX(seq) - MIN(seq) + 1, 0) FROM attribute_ledger_recent").executeQuery()) {
            rs.next();
            if (rs.getLong(1) < ledgerMergeRows) return;
        }
        Commits.mergeLedger(w);
    }

    /** How long the writer's last COMMIT took (debug logs of the write-behind journal). */
    long lastCommitNanos() { return writer.lastCommitNanos(); }

    /** Tests: a smaller merge batch. */
    void ledgerMergeRows(int rows) {
        if (rows < 1) throw new IllegalArgumentException("ledger merge rows must be at least 1: " + rows);
        ledgerMergeRows = rows;
    }

    /**
     * Writes several batches in one transaction, each as {@link #commit} would, in order, then the meta values
     * (the write-behind's progress, in the same transaction). Package-private: {@link JournaledStore}'s materializer.
     */
    void commitAll(List<CommitBatch> batches, Map<String, String> meta) {
        commitAll(batches, List.of(), meta);
    }

    /** {@link #commitAll(List, Map)} plus event log pages encoded by the caller, appended after the batches' own rows. */
    void commitAll(List<CommitBatch> batches, List<EventPages.Encoded> pages, Map<String, String> meta) {
        writer.inTransaction("materializing " + batches.size() + " journaled commits", w -> {
            boolean ledger = false;
            for (CommitBatch batch : batches) {
                if (batch.isEmpty()) continue;
                ledger |= !batch.ledger().isEmpty();
                Map<String, UserRow> users = new TreeMap<>();
                for (UserRow u : batch.upserts()) users.put(u.userId(), u);
                Commits.write(w, batch, users.values());
            }
            EventPages.appendEncoded(w, pages);
            PreparedStatement ps = w.statement(Commits.UPSERT_META);
            for (Map.Entry<String, String> e : meta.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.setLong(3, System.currentTimeMillis());
                ps.addBatch();
            }
            if (!meta.isEmpty()) ps.executeBatch();
            if (ledger) mergeLedgerIfDue(w);
            return null;
        });
    }

    /**
     * The highest event log seq ever handed out, pruned or not (SQLite keeps it in {@code sqlite_sequence} for an
     * AUTOINCREMENT table); 0 for a new database. Seqs assigned above it are never reused by the database.
     */
    long eventSeqHighWater() {
        return writer.inTransaction("reading the event log's high-water seq", EventPages::highWater);
    }

    @Override public long pruneEventLog(long recordedBefore) {
        return pruneEventLog(recordedBefore, Long.MAX_VALUE);
    }

    @Override public long pruneEventLog(long recordedBefore, long throughSeq) {
        return pruneLegacyEventLog(recordedBefore, throughSeq) + EventPages.prune(writer, recordedBefore, throughSeq);
    }

    /** Rows of the per-row table of databases from before {@link EventPages}. */
    private long pruneLegacyEventLog(long recordedBefore, long throughSeq) {
        long total = 0;
        while (true) {
            int n = writer.inTransaction("pruning the event log", w -> {
                PreparedStatement ps = w.statement("DELETE FROM event_log WHERE seq IN (SELECT seq FROM event_log"
                        + " WHERE recorded_at < ? AND seq <= ? ORDER BY seq LIMIT " + PRUNE_CHUNK + ")");
                ps.setLong(1, recordedBefore);
                ps.setLong(2, throughSeq);
                return ps.executeUpdate();
            });
            total += n;
            if (n < PRUNE_CHUNK) return total;
        }
    }

    // ---- reads ----

    interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T read(String what, Query<T> query) {
        try (Connection c = readPool.getConnection()) {
            return query.run(c);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    @Override public Map<String, UserState> loadUsers(Collection<String> userIds) {
        Map<String, UserState> out = new HashMap<>();
        if (userIds.isEmpty()) return out;
        read("loading profiles", c -> {
            forEachChunk(c, "SELECT state FROM users WHERE user_id IN ", userIds, rs -> {
                UserState u = UserStateCodec.decode(rs.getBytes(1));
                out.put(u.userId(), u);
            });
            return null;
        });
        return out;
    }

    @Override public Optional<UserState> loadUser(String userId) {
        return Optional.ofNullable(loadUsers(List.of(userId)).get(userId));
    }

    @Override public Map<String, String> resolve(Collection<String> identityKeys) {
        Map<String, String> out = new HashMap<>();
        if (identityKeys.isEmpty()) return out;
        read("resolving identities", c -> {
            forEachChunk(c, "SELECT key, user_id FROM identities WHERE key IN ", identityKeys,
                    rs -> out.put(rs.getString(1), rs.getString(2)));
            return null;
        });
        return out;
    }

    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    // Chunks are padded to a power of two (repeating the last key) so only a handful of distinct statements
    // exist, and PostgreSQL's per-connection prepared statement cache keeps hitting.
    private static void forEachChunk(Connection c, String sqlPrefix, Collection<String> keys, RowHandler handler) throws SQLException {
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
        for (int from = 0; from < unique.size(); from += IN_CHUNK) {
            List<String> chunk = unique.subList(from, Math.min(unique.size(), from + IN_CHUNK));
            int size = Math.min(IN_CHUNK, Integer.highestOneBit(chunk.size() * 2 - 1));
            StringBuilder sql = new StringBuilder(sqlPrefix.length() + size * 3).append(sqlPrefix).append('(');
            for (int i = 0; i < size; i++) sql.append(i == 0 ? "?" : ",?");
            sql.append(')');
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < size; i++) ps.setString(i + 1, chunk.get(Math.min(i, chunk.size() - 1)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) handler.row(rs);
                }
            }
        }
    }

    @Override public List<String> usersByEmail(String email) {
        if (email == null || email.isBlank()) return List.of();
        return read("finding users by email", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id FROM users WHERE email = ? ORDER BY updated_at DESC, user_id")) {
                ps.setString(1, UserRow.normaliseEmail(email));
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
                return ids;
            }
        });
    }

    @Override public void scanUsers(Consumer<UserState> consumer) {
        read("scanning profiles", c -> {
            boolean tx = dialect.streamsOnlyInTransaction();
            if (tx) c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT state FROM users")) {
                ps.setFetchSize(config.fetchSize());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) consumer.accept(UserStateCodec.decode(rs.getBytes(1)));
                }
            } finally {
                if (tx) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            }
            return null;
        });
    }

    @Override public long countUsers() {
        return read("counting profiles", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM users");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override public List<EventLogRow> readEventLog(long afterSeq, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        return read("reading the event log", c -> {
            List<EventLogRow> rows = readLegacyEventLog(c, afterSeq, limit);
            if (rows.size() < limit) {
                long after = rows.isEmpty() ? afterSeq : rows.getLast().seq();
                rows.addAll(EventPages.read(c, after, limit - rows.size()));
            }
            return rows;
        });
    }

    /** Rows of the per-row table of databases from before {@link EventPages}: all below the pages' seqs. */
    private static List<EventLogRow> readLegacyEventLog(Connection c, long afterSeq, int limit) throws SQLException {
        {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, id, user_id, external_id, type, time, data,"
                    + " recorded_at FROM event_log WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, limit);
                List<EventLogRow> rows = new ArrayList<>(Math.min(limit, 1024));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new EventLogRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), rs.getString(7), rs.getLong(8)));
                    }
                }
                return rows;
            }
        }
    }

    @Override public long lastEventSeq() {
        return read("reading the last event log seq", c -> {
            long pages = EventPages.lastSeq(c);
            if (pages > 0) return pages;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM event_log");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    @Override public ApiKeyStore apiKeys() { return apiKeys; }

    @Override public List<TimerRow> dueTimers(long now, long fromDue, int limit) {
        return read("reading due timers", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id, canvas_id, token, due_at FROM timers WHERE due_at <= ? AND due_at >= ? ORDER BY due_at LIMIT ?")) {
                ps.setLong(1, now);
                ps.setLong(2, fromDue);
                ps.setInt(3, limit);
                List<TimerRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new TimerRow(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4)));
                }
                return out;
            }
        });
    }

    /** A due timer with its place in the due-time index (due time, then rowid), for {@link JournaledStore}'s cursor. */
    record DueTimer(TimerRow row, long rowid) {}

    /** Timers due at or before {@code now} placed after ({@code afterDue}, {@code afterRowid}) in the due-time index, in its order (SQLite). */
    List<DueTimer> dueTimersAfter(long now, long afterDue, long afterRowid, int limit) {
        return read("reading due timers", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT rowid, user_id, canvas_id, token, due_at FROM timers"
                    + " WHERE due_at <= ? AND (due_at, rowid) > (?, ?) ORDER BY due_at, rowid LIMIT ?")) {
                ps.setLong(1, now);
                ps.setLong(2, afterDue);
                ps.setLong(3, afterRowid);
                ps.setInt(4, limit);
                List<DueTimer> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new DueTimer(new TimerRow(rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5)), rs.getLong(1)));
                }
                return out;
            }
        });
    }

    @Override public long countTimers() {
        return read("counting timers", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM timers"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override public List<LedgerRow> ledger(String userId, String name, long beforeSeq, int limit) {
        return read("reading the ledger", c -> {
            // Both tiers in one statement, so a merge committed in between cannot show a row twice or not at all.
            String cols = Commits.LEDGER_COLUMNS;
            String where = " WHERE user_id = ? AND name = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
            try (PreparedStatement ps = c.prepareStatement("SELECT " + cols + " FROM (SELECT * FROM (SELECT " + cols
                    + " FROM attribute_ledger_recent" + where + ") r UNION ALL SELECT * FROM (SELECT " + cols + " FROM attribute_ledger"
                    + where + ") m) b ORDER BY seq DESC LIMIT ?")) {
                for (int part = 0; part < 2; part++) {
                    ps.setString(4 * part + 1, userId);
                    ps.setString(4 * part + 2, name);
                    ps.setLong(4 * part + 3, beforeSeq);
                    ps.setInt(4 * part + 4, limit);
                }
                ps.setInt(9, limit);
                List<LedgerRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new LedgerRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            nullableDouble(rs, 5), nullableDouble(rs, 6), nullableDouble(rs, 7), rs.getString(8)));
                }
                return out;
            }
        });
    }

    private static Double nullableDouble(ResultSet rs, int i) throws SQLException {
        double d = rs.getDouble(i);
        return rs.wasNull() ? null : d;
    }

    @Override public long pruneLedger(long before) {
        long total = 0;
        for (String table : List.of("attribute_ledger", "attribute_ledger_recent")) {
            while (true) {
                int n = writer.inTransaction("pruning the ledger", w -> {
                    PreparedStatement ps = w.statement("DELETE FROM " + table + " WHERE seq IN (SELECT seq FROM " + table
                            + " WHERE time < ? ORDER BY seq LIMIT " + PRUNE_CHUNK + ")");
                    ps.setLong(1, before);
                    return ps.executeUpdate();
                });
                total += n;
                if (n < PRUNE_CHUNK) break;
            }
        }
        return total;
    }

    @Override public List<StatDelta> canvasStats(String canvasId) {
        return read("reading Canvas statistics", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT canvas_id, metric, key, bucket, count FROM canvas_stats WHERE canvas_id = ? ORDER BY metric, key, bucket")) {
                ps.setString(1, canvasId);
                List<StatDelta> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new StatDelta(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
                }
                return out;
            }
        });
    }

    @Override public List<CanvasRow> canvasRows() { return lifecycleRows("canvases", "reading Canvases"); }

    @Override public void saveCanvasRow(CanvasRow row) { saveLifecycleRow("canvases", "saving Canvas " + row.id(), row); }

    /** Canvases and campaigns keep their lifecycle in tables of one shape; {@code table} is a constant. */
    private List<CanvasRow> lifecycleRows(String table, String what) {
        return read(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, version, status, document, format, origin, updated_at FROM " + table + " ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                List<CanvasRow> out = new ArrayList<>();
                while (rs.next()) out.add(new CanvasRow(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7)));
                return out;
            }
        });
    }

    private void saveLifecycleRow(String table, String what, CanvasRow row) {
        writer.inTransaction(what, w -> {
            PreparedStatement ps = w.statement("INSERT INTO " + table + " (id, version, status, document, format, origin, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
                    + " status = excluded.status, document = excluded.document, format = excluded.format,"
                    + " origin = excluded.origin, updated_at = excluded.updated_at");
            ps.setString(1, row.id());
            ps.setInt(2, row.version());
            ps.setString(3, row.status());
            ps.setString(4, row.document());
            ps.setString(5, row.format());
            ps.setString(6, row.origin());
            ps.setLong(7, row.updatedAt());
            return ps.executeUpdate();
        });
    }

    // ---- Meta ----

    @Override public Optional<String> meta(String key) {
        return read("reading meta " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override public Map<String, String> metaWithPrefix(String prefix) {
        return read("reading meta " + prefix + "*", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key")) {
                ps.setString(1, prefix);
                ps.setString(2, prefix + Character.MAX_VALUE);
                try (ResultSet rs = ps.executeQuery()) {
                    Map<String, String> out = new java.util.LinkedHashMap<>();
                    while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                    return out;
                }
            }
        });
    }

    @Override public void putMeta(String key, String value) {
        writer.inTransaction("writing meta " + key, w -> {
            PreparedStatement ps = w.statement(Commits.UPSERT_META);
            ps.setString(1, key);
            ps.setString(2, value);
            ps.setLong(3, System.currentTimeMillis());
            return ps.executeUpdate();
        });
    }

    /** Package-private for tests that check connection settings: runs {@code work} on the writer. */
    <T> T onWriter(Writer.Work<T> work) { return writer.inTransaction("test", work); }

    @Override public void close() {
        if (checkpointer != null) checkpointer.close();
        readPool.close();
        writer.close();
        LOG.info("Store closed: {}", config.safeUrl());
    }

    // ---- Campaigns and webhook delivery ----

    @Override public List<CanvasRow> campaignRows() { return lifecycleRows("campaigns", "reading campaigns"); }

    @Override public void saveCampaignRow(CanvasRow row) { saveLifecycleRow("campaigns", "saving campaign " + row.id(), row); }

    private static final String OUTBOX_COLUMNS =
            "message_id, user_id, campaign_id, canvas_id, step_id, version, created_at, due_at, attempts, snapshot";

    private static OutboxRow outboxRow(ResultSet rs) throws SQLException {
        return new OutboxRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), rs.getLong(7), rs.getLong(8), rs.getInt(9), rs.getString(10));
    }

    @Override public List<OutboxRow> dueOutbox(long now, int limit) {
        return read("reading due outbox messages", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + OUTBOX_COLUMNS
                    + " FROM outbox WHERE due_at <= ? ORDER BY due_at, message_id LIMIT ?")) {
                ps.setLong(1, now);
                ps.setInt(2, limit);
                List<OutboxRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(outboxRow(rs));
                }
                return out;
            }
        });
    }

    @Override public Optional<OutboxRow> outboxRow(String messageId) {
        return read("reading outbox message " + messageId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + OUTBOX_COLUMNS + " FROM outbox WHERE message_id = ?")) {
                ps.setString(1, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(outboxRow(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override public long countOutbox() {
        return read("counting outbox messages", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override public List<MessageLogRow> messageLog(MessageLogQuery query) {
        if (query.limit() < 1) throw new IllegalArgumentException("limit must be at least 1: " + query.limit());
        // Only the filters asked for appear in the SQL, so each query can use its (column, seq) index.
        StringBuilder sql = new StringBuilder("SELECT seq, message_id, user_id, external_id, campaign_id, canvas_id, step_id,"
                + " time, method, url, status_code, attempt, outcome, detail, excerpt FROM message_log WHERE seq < ?");
        List<String> args = new ArrayList<>(4);
        for (String[] filter : new String[][]{{"user_id", query.userId()}, {"campaign_id", query.campaignId()},
                {"canvas_id", query.canvasId()}, {"outcome", query.outcome()}}) {
            if (filter[1] == null) continue;
            sql.append(" AND ").append(filter[0]).append(" = ?");
            args.add(filter[1]);
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        return read("reading the message log", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                ps.setLong(p++, query.beforeSeq());
                for (String a : args) ps.setString(p++, a);
                ps.setInt(p, query.limit());
                List<MessageLogRow> out = new ArrayList<>(Math.min(query.limit(), 1024));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int status = rs.getInt(11);
                        Integer statusCode = rs.wasNull() ? null : status;
                        out.add(new MessageLogRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9),
                                rs.getString(10), statusCode, rs.getInt(12), rs.getString(13), rs.getString(14), rs.getString(15)));
                    }
                }
                return out;
            }
        });
    }

    @Override public long pruneMessageLog(long before) {
        long total = 0;
        while (true) {
            int n = writer.inTransaction("pruning the message log", w -> {
                PreparedStatement ps = w.statement("DELETE FROM message_log WHERE seq IN (SELECT seq FROM message_log"
                        + " WHERE time < ? ORDER BY seq LIMIT " + PRUNE_CHUNK + ")");
                ps.setLong(1, before);
                return ps.executeUpdate();
            });
            total += n;
            if (n < PRUNE_CHUNK) return total;
        }
    }
}
