package dev.kiln.store;

/** A durable Canvas timer: one per user per Canvas; {@code token} tells the current wait from stale ones. */
public record TimerRow(String userId, String canvasId, int token, long dueAt) {}
