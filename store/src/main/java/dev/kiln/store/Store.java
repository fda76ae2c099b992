package dev.kiln.store;

import dev.kiln.engine.UserState;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The durable store port. One implementation ({@link JdbcStore}) serves SQLite and PostgreSQL through a
 * {@link Dialect}. Writes happen only through {@link #commit(CommitBatch)}, one transaction per call;
 * reads see committed data only. Thread-safe: commits are serialised where the database needs it
 * (SQLite has one writer connection), reads use a pool.
 */
public interface Store extends AutoCloseable {

    Dialect dialect();

    /** Profiles by internal id; ids not found are absent from the map. */
    Map<String, UserState> loadUsers(Collection<String> userIds);

    Optional<UserState> loadUser(String userId);

    /** Identity keys (see {@link IdentityKeys}) to internal ids; keys not found are absent. */
    Map<String, String> resolve(Collection<String> identityKeys);

    /** Internal ids of users with this email (case-insensitive), most recently updated first. */
    List<String> usersByEmail(String email);

    /**
     * Writes a batch atomically: all of it or none. Throws {@link StoreException} on failure. Outbox deletes
     * apply after outbox puts, so a message that ends in the batch stays ended. A user delete
     * ({@link CommitBatch#deletes()}) removes the profile, its identities and its timers, but <em>not</em> its
     * outbox rows: delivery records the outcome of a deleted user's message itself, and that commit deletes
     * the row.
     */
    void commit(CommitBatch batch);

    /** Streams every profile (for exact segment counts). */
    void scanUsers(Consumer<UserState> consumer);

    long countUsers();

    /** Event log rows with {@code seq > afterSeq}, ascending, at most {@code limit}. */
    List<EventLogRow> readEventLog(long afterSeq, int limit);

    /** Deletes event log rows recorded before {@code recordedBefore} (epoch ms); returns how many. */
    long pruneEventLog(long recordedBefore);

    /**
     * Deletes event log rows recorded before {@code recordedBefore} (epoch ms) with {@code seq <= throughSeq}
     * only (Currents connectors still need the later ones); returns how many.
     */
    long pruneEventLog(long recordedBefore, long throughSeq);

    /** The highest event log seq ever assigned that is still stored, 0 when the log is empty. */
    long lastEventSeq();

    ApiKeyStore apiKeys();

    // ---- Canvases ----

    /** Timers due at or before {@code now}, earliest first, at most {@code limit}. */
    default List<TimerRow> dueTimers(long now, int limit) {
        return dueTimers(now, Long.MIN_VALUE, limit);
    }

    /**
     * Timers due in {@code [fromDue, now]}, earliest first, at most {@code limit}: a poller that has the earlier ones in
     * hand (firing, not yet committed) reads past them instead of reading them again.
     */
    List<TimerRow> dueTimers(long now, long fromDue, int limit);

    long countTimers();

    /** Ledger rows of one user's attribute, newest first, with {@code seq < beforeSeq}, at most {@code limit}. */
    List<LedgerRow> ledger(String userId, String name, long beforeSeq, int limit);

    /** Deletes ledger rows older than {@code before} (epoch ms); returns how many. */
    long pruneLedger(long before);

    /** Every statistic of one Canvas. */
    List<StatDelta> canvasStats(String canvasId);

    List<CanvasRow> canvasRows();

    /** Inserts or replaces a Canvas's lifecycle row (outside any epoch: definitions change rarely). */
    void saveCanvasRow(CanvasRow row);

    // ---- Campaigns and webhook delivery ----

    /** Campaign lifecycle rows (same shape as Canvases', in a table of their own), by id. */
    List<CanvasRow> campaignRows();

    /** Inserts or replaces a campaign's lifecycle row. */
    void saveCampaignRow(CanvasRow row);

    /** Outbox messages due at or before {@code now}, earliest first (ties by message id), at most {@code limit}. */
    List<OutboxRow> dueOutbox(long now, int limit);

    Optional<OutboxRow> outboxRow(String messageId);

    long countOutbox();

    /**
     * The message log, newest first (by seq, which the store assigns ascending in append order), filtered by
     * {@code query}. Throws {@link IllegalArgumentException} when its limit is below 1.
     */
    List<MessageLogRow> messageLog(MessageLogQuery query);

    /** Deletes message log rows older than {@code before} (epoch ms); returns how many. */
    long pruneMessageLog(long before);

    // ---- Meta: small durable state of connectors (CDI watermarks, Currents cursors) ----

    /** The value stored under {@code key}, if any. */
    Optional<String> meta(String key);

    /** Values of every key starting with {@code prefix}, by key. */
    Map<String, String> metaWithPrefix(String prefix);

    /** Inserts or replaces one value outside any epoch (a connector's own progress, e.g. a Currents cursor). */
    void putMeta(String key, String value);

    @Override void close();
}
