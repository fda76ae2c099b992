package dev.kiln.store;

/**
 * One row of the append-only event log. {@code seq} is assigned by the store on insert (0 before);
 * {@code id} is the event's unique id; {@code data} is a JSON object text; times are epoch ms.
 */
public record EventLogRow(long seq, String id, String userId, String externalId, String type, long time,
                          String data, long recordedAt) {
    public EventLogRow withSeq(long s) { return new EventLogRow(s, id, userId, externalId, type, time, data, recordedAt); }

    /** Whether the columns the event log requires (id, user_id, type, data) hold values. */
    boolean complete() { return id != null && userId != null && type != null && data != null; }
}
