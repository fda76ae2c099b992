package dev.kiln.engine.canvas;

import java.util.Map;
import java.util.Objects;

/**
 * Where one user is in one Canvas, and what the re-entry rules need to remember after they leave.
 * Mutable; owned by the user's {@link dev.kiln.engine.UserState}.
 */
public final class CanvasState {
    /** Canvas version the user is on; steps of other versions are migrated or exited lazily. */
    public int version;
    /** Current step id; null when the user is not in the Canvas. */
    public String step;
    public long enteredAt;
    public long stepEnteredAt;
    /** When the current waiting step ends (window or delay), 0 when not waiting. */
    public long waitUntil;
    /** Ranked Action Paths: index of the best group qualified so far, -1 for none. */
    public int rankedBest = -1;
    /** Increases with every wait; a timer carrying an older token is stale and ignored. */
    public int timerToken;
    /** An exception event happened: leave when the current step ends. */
    public boolean exitPending;
    public long lastEntryAt = Long.MIN_VALUE;
    public long entries;
    public Map<String, Object> entryProperties = Map.of();

    public boolean inCanvas() { return step != null; }

    public CanvasState copy() {
        CanvasState c = new CanvasState();
        c.version = version;
        c.step = step;
        c.enteredAt = enteredAt;
        c.stepEnteredAt = stepEnteredAt;
        c.waitUntil = waitUntil;
        c.rankedBest = rankedBest;
        c.timerToken = timerToken;
        c.exitPending = exitPending;
        c.lastEntryAt = lastEntryAt;
        c.entries = entries;
        c.entryProperties = entryProperties;
        return c;
    }

    @Override public boolean equals(Object o) {
        return o instanceof CanvasState c && c.version == version && Objects.equals(c.step, step) && c.enteredAt == enteredAt
                && c.stepEnteredAt == stepEnteredAt && c.waitUntil == waitUntil && c.rankedBest == rankedBest
                && c.timerToken == timerToken && c.exitPending == exitPending && c.lastEntryAt == lastEntryAt
                && c.entries == entries && c.entryProperties.equals(entryProperties);
    }

    @Override public int hashCode() { return Objects.hash(version, step, timerToken, entries); }

    @Override public String toString() {
        return "CanvasState[v" + version + " step=" + step + " waitUntil=" + waitUntil + " token=" + timerToken + " entries=" + entries + "]";
    }
}
