package dev.kiln.store;

/**
 * A filter on the message log; null fields do not filter. Results are newest first, with
 * {@code seq < beforeSeq}, at most {@code limit}.
 */
public record MessageLogQuery(String userId, String campaignId, String canvasId, String outcome, long beforeSeq, int limit) {
    public static MessageLogQuery latest(int limit) { return new MessageLogQuery(null, null, null, null, Long.MAX_VALUE, limit); }
}
