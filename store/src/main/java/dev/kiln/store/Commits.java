package dev.kiln.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The SQL of {@link Store#commit}: the hot path, so every part is one JDBC batch on a kept statement. */
final class Commits {
    private Commits() {}

    private static final String DELETE_USER = "DELETE FROM users WHERE user_id = ?";
    private static final String DELETE_USER_IDENTITIES = "DELETE FROM identities WHERE user_id = ?";
    private static final String UPSERT_USER = "INSERT INTO users (user_id, external_id, email, state, updated_at)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET external_id = excluded.external_id,"
            + " email = excluded.email, state = excluded.state, updated_at = excluded.updated_at";
    private static final String UPDATE_USER_STATE = "UPDATE users SET state = ?, updated_at = ? WHERE user_id = ?"
            + " AND external_id IS NOT DISTINCT FROM ? AND email IS NOT DISTINCT FROM ?";
    private static final String DELETE_IDENTITY = "DELETE FROM identities WHERE key = ?";
    private static final String UPSERT_IDENTITY = "INSERT INTO identities (key, user_id) VALUES (?, ?)"
            + " ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id";

    /**
     * Deletes, then profile writes, then identity removals and puts, then the event log; then the Canvas tables;
     * then outbox puts, outbox deletes and the message log. A user delete leaves the user's outbox rows: their
     * delivery still records how they end. {@code users} holds one row per user id: a multi-row upsert may
     * not touch one row twice.
     */
    static void write(Writer w, CommitBatch batch, Collection<UserRow> users) throws SQLException {
        if (!batch.deletes().isEmpty()) {
            PreparedStatement user = w.statement(DELETE_USER);
            PreparedStatement identities = w.statement(DELETE_USER_IDENTITIES);
            for (String id : batch.deletes()) {
                user.setString(1, id);
                user.addBatch();
                identities.setString(1, id);
                identities.addBatch();
            }
            user.executeBatch();
            identities.executeBatch();
        }
        if (!users.isEmpty()) writeUsers(w, users);
        if (!batch.identityRemovals().isEmpty()) {
            PreparedStatement ps = w.statement(DELETE_IDENTITY);
            for (String key : batch.identityRemovals()) {
                ps.setString(1, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.identityPuts().isEmpty()) {
            PreparedStatement ps = w.statement(UPSERT_IDENTITY);
            for (Map.Entry<String, String> e : new TreeMap<>(batch.identityPuts()).entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.events().isEmpty()) appendEvents(w, batch.events());
        List<TimerRow> timerDeletes = unsupersededTimerDeletes(batch);
        if (!timerDeletes.isEmpty()) {
            PreparedStatement ps = w.statement(DELETE_TIMER);
            for (TimerRow t : timerDeletes) {
                ps.setString(1, t.userId());
                ps.setString(2, t.canvasId());
                ps.setInt(3, t.token());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.deletes().isEmpty()) {
            PreparedStatement ps = w.statement(DELETE_USER_TIMERS);
            for (String id : batch.deletes()) {
                ps.setString(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.timerPuts().isEmpty()) {
            PreparedStatement ps = w.statement(UPSERT_TIMER);
            for (TimerRow t : batch.timerPuts()) {
                ps.setString(1, t.userId());
                ps.setString(2, t.canvasId());
                ps.setInt(3, t.token());
                ps.setLong(4, t.dueAt());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.ledger().isEmpty()) {
            PreparedStatement ps = w.statement(INSERT_LEDGER);
            for (LedgerRow l : batch.ledger()) {
                ps.setString(1, l.userId());
                ps.setString(2, l.name());
                ps.setLong(3, l.time());
                setDouble(ps, 4, l.oldValue());
                setDouble(ps, 5, l.newValue());
                setDouble(ps, 6, l.delta());
                ps.setString(7, l.source());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.stats().isEmpty()) {
            PreparedStatement ps = w.statement(UPSERT_STAT);
            for (StatDelta s : batch.stats()) {
                ps.setString(1, s.canvasId());
                ps.setString(2, s.metric());
                ps.setString(3, s.key());
                ps.setLong(4, s.bucket());
                ps.setLong(5, s.delta());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.outboxPuts().isEmpty()) {
            // One row per message id: a multi-row upsert (PostgreSQL's rewritten batch) may not touch one row
            // twice, so the last put of an id wins here, as it would one statement at a time.
            Map<String, OutboxRow> puts = new TreeMap<>();
            for (OutboxRow o : batch.outboxPuts()) puts.put(o.messageId(), o);
            PreparedStatement ps = w.statement(UPSERT_OUTBOX);
            for (OutboxRow o : puts.values()) {
                ps.setString(1, o.messageId());
                ps.setString(2, o.userId());
                setNullable(ps, 3, o.campaignId());
                setNullable(ps, 4, o.canvasId());
                setNullable(ps, 5, o.stepId());
                ps.setInt(6, o.version());
                ps.setLong(7, o.createdAt());
                ps.setLong(8, o.dueAt());
                ps.setInt(9, o.attempts());
                ps.setString(10, o.snapshot());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // After the puts: a message that ended in this batch stays ended.
        if (!batch.outboxDeletes().isEmpty()) {
            PreparedStatement ps = w.statement(DELETE_OUTBOX);
            for (String id : new TreeSet<>(batch.outboxDeletes())) {
                ps.setString(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.messageLog().isEmpty()) {
            PreparedStatement ps = w.statement(INSERT_MESSAGE_LOG);
            for (MessageLogRow m : batch.messageLog()) {
                ps.setString(1, m.messageId());
                ps.setString(2, m.userId());
                setNullable(ps, 3, m.externalId());
                setNullable(ps, 4, m.campaignId());
                setNullable(ps, 5, m.canvasId());
                setNullable(ps, 6, m.stepId());
                ps.setLong(7, m.time());
                setNullable(ps, 8, m.method());
                setNullable(ps, 9, m.url());
                if (m.statusCode() == null) ps.setNull(10, Types.INTEGER);
                else ps.setInt(10, m.statusCode());
                ps.setInt(11, m.attempt());
                ps.setString(12, m.outcome());
                setNullable(ps, 13, m.detail());
                setNullable(ps, 14, m.excerpt());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!batch.metaPuts().isEmpty()) {
            PreparedStatement ps = w.statement(UPSERT_META);
            long now = System.currentTimeMillis();
            for (Map.Entry<String, String> e : new TreeMap<>(batch.metaPuts()).entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.setLong(3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Profiles whose {@code external_id} and {@code email} columns already hold the row's values (the common
     * case: an event changes the state blob only) are rewritten with an UPDATE of {@code state} and
     * {@code updated_at}, which leaves the {@code users_email} index alone; the upsert sets every column, and
     * SQLite then rewrites the index entry even when the email is unchanged. Measured on the scoring
     * benchmark: 0.6 of ~4.5 pages written per event were {@code users_email} pages. The condition is
     * checked by the database, so the result never depends on what the caller believes the row holds:
     * new profiles and changed identity columns miss the UPDATE (0 rows) and take the upsert.
     */
    private static void writeUsers(Writer w, Collection<UserRow> users) throws SQLException {
        PreparedStatement update = w.statement(UPDATE_USER_STATE);
        for (UserRow u : users) {
            update.setBytes(1, u.state());
            update.setLong(2, u.updatedAt());
            update.setString(3, u.userId());
            setNullable(update, 4, u.externalId());
            setNullable(update, 5, u.email());
            update.addBatch();
        }
        int[] updated = update.executeBatch();
        PreparedStatement upsert = null;
        int i = 0;
        for (UserRow u : users) {
            // 1 = rewritten; anything else (0 rows, or a driver that does not say) takes the upsert, which is
            // idempotent, so an unknown count costs a statement and never a wrong row.
            if (i < updated.length && updated[i++] == 1) continue;
            if (upsert == null) upsert = w.statement(UPSERT_USER);
            upsert.setString(1, u.userId());
            setNullable(upsert, 2, u.externalId());
            setNullable(upsert, 3, u.email());
            upsert.setBytes(4, u.state());
            upsert.setLong(5, u.updatedAt());
            upsert.addBatch();
        }
        if (upsert != null) upsert.executeBatch();
    }

    /**
     * Timer deletes without a put for the same user and Canvas in this batch. Puts apply after deletes and
     * replace the row of their (user, Canvas), so such a delete changes nothing the put does not overwrite;
     * skipped, the put updates the row in place instead of a delete and a fresh insert (in SQLite a new
     * rowid: a table page, the primary key index page and the due-time index page each time). The seed
     * Canvas does this for every event: the fired or cancelled wait is replaced by the next one.
     */
    static List<TimerRow> unsupersededTimerDeletes(CommitBatch batch) {
        if (batch.timerDeletes().isEmpty() || batch.timerPuts().isEmpty()) return batch.timerDeletes();
        Set<TimerRow.Key> put = new HashSet<>();
        for (TimerRow t : batch.timerPuts()) put.add(t.key());
        List<TimerRow> out = new ArrayList<>();
        for (TimerRow t : batch.timerDeletes()) if (!put.contains(t.key())) out.add(t);
        return out;
    }

    static final String UPSERT_META = "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)"
            + " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

    private static final String DELETE_TIMER = "DELETE FROM timers WHERE user_id = ? AND canvas_id = ? AND token = ?";
    private static final String DELETE_USER_TIMERS = "DELETE FROM timers WHERE user_id = ?";
    private static final String UPSERT_TIMER = "INSERT INTO timers (user_id, canvas_id, token, due_at) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (user_id, canvas_id) DO UPDATE SET token = excluded.token, due_at = excluded.due_at";
    private static final String INSERT_LEDGER = "INSERT INTO attribute_ledger_recent (user_id, name, time, old_value, new_value, delta, source)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String UPSERT_STAT = "INSERT INTO canvas_stats (canvas_id, metric, key, bucket, count) VALUES (?, ?, ?, ?, ?)"
            + " ON CONFLICT (canvas_id, metric, key, bucket) DO UPDATE SET count = canvas_stats.count + excluded.count";

    private static final String UPSERT_OUTBOX = "INSERT INTO outbox (message_id, user_id, campaign_id, canvas_id, step_id,"
            + " version, created_at, due_at, attempts, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (message_id) DO UPDATE SET user_id = excluded.user_id, campaign_id = excluded.campaign_id,"
            + " canvas_id = excluded.canvas_id, step_id = excluded.step_id, version = excluded.version,"
            + " created_at = excluded.created_at, due_at = excluded.due_at, attempts = excluded.attempts,"
            + " snapshot = excluded.snapshot";
    private static final String DELETE_OUTBOX = "DELETE FROM outbox WHERE message_id = ?";
    private static final String INSERT_MESSAGE_LOG = "INSERT INTO message_log (message_id, user_id, external_id, campaign_id,"
            + " canvas_id, step_id, time, method, url, status_code, attempt, outcome, detail, excerpt)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** The columns of both ledger tiers, in {@link LedgerRow}'s order (the merge and the history read). */
    static final String LEDGER_COLUMNS = "seq, user_id, name, time, old_value, new_value, delta, source";

    /**
     * Moves every row of {@code attribute_ledger_recent} into {@code attribute_ledger}, seqs kept, in the caller's
     * transaction (on PostgreSQL commits hold an advisory lock, so two processes never move the same rows). In seq
     * order: the table's rows append; each page of the (user, name, seq) index is written once for the whole batch.
     */
    static void mergeLedger(Writer w) throws SQLException {
        PreparedStatement move = w.statement("INSERT INTO attribute_ledger (" + LEDGER_COLUMNS + ")"
                + (w.dialect() == Dialect.POSTGRESQL ? " OVERRIDING SYSTEM VALUE" : "")
                + " SELECT " + LEDGER_COLUMNS + " FROM attribute_ledger_recent ORDER BY seq");
        move.executeUpdate();
        w.statement("DELETE FROM attribute_ledger_recent").executeUpdate();
    }

    private static void setDouble(PreparedStatement ps, int i, Double d) throws SQLException {
        if (d == null) ps.setNull(i, Types.DOUBLE);
        else ps.setDouble(i, d);
    }

    /**
     * The event log as pages ({@link EventPages}). Rows without a seq (every row of a plain commit; the write-behind
     * journal assigns its own) get the next ones, read inside this transaction, which holds the write lock: a second
     * process's commit cannot take the same seqs. The table's NOT NULL columns are inside the page, so they are
     * checked here: a row lacking one fails the commit, and the rollback leaves everything as it was.
     */
    private static void appendEvents(Writer w, List<EventLogRow> rows) throws SQLException {
        for (EventLogRow e : rows) {
            if (!e.complete())
                throw new StoreException("commit refused, nothing written: an event log row lacks id, user_id, type or data,"
                        + " which the event log requires");
        }
        List<EventLogRow> seqd = rows;
        if (rows.getFirst().seq() <= 0) {
            long next = EventPages.highWater(w) + 1;
            seqd = new ArrayList<>(rows.size());
            for (EventLogRow e : rows) seqd.add(e.withSeq(next++));
        }
        EventPages.append(w, seqd);
    }

    private static void setNullable(PreparedStatement ps, int i, String s) throws SQLException {
        if (s == null) ps.setNull(i, Types.VARCHAR);
        else ps.setString(i, s);
    }
}
