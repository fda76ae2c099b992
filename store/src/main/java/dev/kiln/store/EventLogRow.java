package dev.kiln.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row of the append-only event log. {@code seq} is assigned by the store on insert (0 before);
 * {@code id} is the event's unique id; {@code json} is a JSON object as UTF-8 bytes; times are epoch ms.
 *
 * <p>The data travels as bytes from the lane (which serialises it straight to UTF-8) through the journal and the
 * event-log pages to the readers: encoding it from a {@code String} took 22 % of the committer's samples and 12 % of
 * the materializer's on the scoring benchmark (bench/README.md). Rows never change a {@code json} array they hold.
 */
public record EventLogRow(long seq, String id, String userId, String externalId, String type, long time,
                          byte[] json, long recordedAt) {

    /** A row whose data is given as JSON text. */
    public EventLogRow(long seq, String id, String userId, String externalId, String type, long time, String data,
                       long recordedAt) {
        this(seq, id, userId, externalId, type, time, data == null ? null : data.getBytes(StandardCharsets.UTF_8), recordedAt);
    }

    public EventLogRow withSeq(long s) { return new EventLogRow(s, id, userId, externalId, type, time, json, recordedAt); }

    /** The data as JSON text ({@code null} when absent). */
    public String data() { return json == null ? null : new String(json, StandardCharsets.UTF_8); }

    /** Whether the columns the event log requires (id, user_id, type, data) hold values. */
    boolean complete() { return id != null && userId != null && type != null && json != null; }

    @Override public boolean equals(Object o) {
        return o instanceof EventLogRow r && seq == r.seq && time == r.time && recordedAt == r.recordedAt
                && Objects.equals(id, r.id) && Objects.equals(userId, r.userId) && Objects.equals(externalId, r.externalId)
                && Objects.equals(type, r.type) && Arrays.equals(json, r.json);
    }

    @Override public int hashCode() {
        return Objects.hash(seq, id, userId, externalId, type, time, recordedAt) * 31 + Arrays.hashCode(json);
    }

    @Override public String toString() {
        return "EventLogRow[seq=" + seq + ", id=" + id + ", userId=" + userId + ", externalId=" + externalId + ", type=" + type
                + ", time=" + time + ", data=" + data() + ", recordedAt=" + recordedAt + "]";
    }
}
