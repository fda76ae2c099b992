package dev.kiln.store;

/** A durable Canvas timer: one per user per Canvas; {@code token} tells the current wait from stale ones. */
public record TimerRow(String userId, String canvasId, int token, long dueAt) {

    /** A timer's (user, Canvas), the table's key: hashed from the two strings' cached hashes, no concatenation. */
    public record Key(String userId, String canvasId) {}

    public Key key() { return new Key(userId, canvasId); }
}
