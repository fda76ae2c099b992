package dev.kiln.store;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one epoch changed, written in one transaction.
 *
 * @param upserts          profiles to insert or replace (the full state of each, encoded)
 * @param deletes          internal ids of profiles to delete (with their identity rows)
 * @param identityPuts     identity key → internal id to insert or replace
 * @param identityRemovals identity keys to delete
 * @param events           rows to append to the event log
 * @param timerPuts        timers to insert or replace (one per user and Canvas)
 * @param timerDeletes     timers to delete, by user, Canvas and token (a newer wait of the same user is kept)
 * @param ledger           score ledger rows to append
 * @param stats            Canvas statistics increments
 * @param outboxPuts       webhook messages to insert or replace (by message id)
 * @param outboxDeletes    message ids whose delivery ended
 * @param messageLog       webhook attempts to append to the message log
 * @param metaPuts         meta key → value to insert or replace (e.g. a CDI watermark, with the rows it covers)
 */
public record CommitBatch(List<UserRow> upserts, Set<String> deletes, Map<String, String> identityPuts,
                          Set<String> identityRemovals, List<EventLogRow> events, List<TimerRow> timerPuts,
                          List<TimerRow> timerDeletes, List<LedgerRow> ledger, List<StatDelta> stats,
                          List<OutboxRow> outboxPuts, Set<String> outboxDeletes, List<MessageLogRow> messageLog,
                          Map<String, String> metaPuts) {
    public CommitBatch {
        upserts = List.copyOf(upserts);
        deletes = Set.copyOf(deletes);
        identityPuts = Map.copyOf(identityPuts);
        identityRemovals = Set.copyOf(identityRemovals);
        events = List.copyOf(events);
        timerPuts = List.copyOf(timerPuts);
        timerDeletes = List.copyOf(timerDeletes);
        ledger = List.copyOf(ledger);
        stats = List.copyOf(stats);
        outboxPuts = List.copyOf(outboxPuts);
        outboxDeletes = Set.copyOf(outboxDeletes);
        messageLog = List.copyOf(messageLog);
        metaPuts = Map.copyOf(metaPuts);
    }

    /** A batch without meta writes. */
    public CommitBatch(List<UserRow> upserts, Set<String> deletes, Map<String, String> identityPuts,
                       Set<String> identityRemovals, List<EventLogRow> events, List<TimerRow> timerPuts,
                       List<TimerRow> timerDeletes, List<LedgerRow> ledger, List<StatDelta> stats,
                       List<OutboxRow> outboxPuts, Set<String> outboxDeletes, List<MessageLogRow> messageLog) {
        this(upserts, deletes, identityPuts, identityRemovals, events, timerPuts, timerDeletes, ledger, stats,
                outboxPuts, outboxDeletes, messageLog, Map.of());
    }

    /** A batch without messages. */
    public CommitBatch(List<UserRow> upserts, Set<String> deletes, Map<String, String> identityPuts,
                       Set<String> identityRemovals, List<EventLogRow> events, List<TimerRow> timerPuts,
                       List<TimerRow> timerDeletes, List<LedgerRow> ledger, List<StatDelta> stats) {
        this(upserts, deletes, identityPuts, identityRemovals, events, timerPuts, timerDeletes, ledger, stats,
                List.of(), Set.of(), List.of(), Map.of());
    }

    /** A batch without Canvas writes. */
    public CommitBatch(List<UserRow> upserts, Set<String> deletes, Map<String, String> identityPuts,
                       Set<String> identityRemovals, List<EventLogRow> events) {
        this(upserts, deletes, identityPuts, identityRemovals, events, List.of(), List.of(), List.of(), List.of());
    }

    /** A batch from profiles, encoding them here (tests and tools; the runtime encodes in its lanes). */
    public static CommitBatch of(List<dev.kiln.engine.UserState> users, Set<String> deletes, Map<String, String> identityPuts,
                                 Set<String> identityRemovals, List<EventLogRow> events) {
        return new CommitBatch(users.stream().map(UserRow::of).toList(), deletes, identityPuts, identityRemovals, events);
    }

    public boolean isEmpty() {
        return upserts.isEmpty() && deletes.isEmpty() && identityPuts.isEmpty() && identityRemovals.isEmpty() && events.isEmpty()
                && timerPuts.isEmpty() && timerDeletes.isEmpty() && ledger.isEmpty() && stats.isEmpty()
                && outboxPuts.isEmpty() && outboxDeletes.isEmpty() && messageLog.isEmpty() && metaPuts.isEmpty();
    }
}
