package dev.kiln.engine.canvas;

/**
 * Canvas-wide entry limits (per hour, per day, lifetime) span all users, so they live outside a user's
 * state. The shell implements this port (shared counters); backtests use an in-memory one. Called only
 * when a user would otherwise enter; {@code true} consumes one entry.
 */
public interface EntryGate {
    boolean tryEnter(Canvas canvas, long now);

    /** No limits at all. */
    EntryGate UNLIMITED = (c, now) -> true;
}
