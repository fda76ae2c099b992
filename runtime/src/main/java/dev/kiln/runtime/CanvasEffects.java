package dev.kiln.runtime;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Effect;
import dev.kiln.engine.StandardAttributes;
import dev.kiln.engine.Value;
import dev.kiln.store.LedgerRow;
import dev.kiln.store.TimerRow;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one user's Canvas effects into rows: timers (net of sets and cancels within the epoch), score
 * ledger rows and statistics increments. One instance per user per epoch in a lane.
 */
final class CanvasEffects {
    private final String userId;
    /** canvas id → the last SetTimer of this epoch, or null when cancelled/fired after it. */
    private final Map<String, TimerRow> lastSet = new LinkedHashMap<>();

    CanvasEffects(String userId) { this.userId = userId; }

    void timerSet(Effect.SetTimer s) {
        lastSet.put(s.canvasId(), new TimerRow(userId, s.canvasId(), s.token(), s.dueAt()));
    }

    /** A cancel or a fired timer: delete exactly that token (a newer wait of the same user survives). */
    void timerGone(String canvasId, int token, LaneResult out) {
        TimerRow pending = lastSet.get(canvasId);
        if (pending != null && pending.token() == token) lastSet.put(canvasId, null);
        out.timerDeletes.add(new TimerRow(userId, canvasId, token, 0));
    }

    void finish(LaneResult out) {
        for (TimerRow t : lastSet.values()) if (t != null) out.timerPuts.add(t);
    }

    static void ledger(String userId, Effect.AttributeChanged c, LaneResult out) {
        if (StandardAttributes.isStandard(c.name())) return;
        Double old = c.oldValue() instanceof Value.Num n ? n.value() : null;
        Double neu = c.newValue() instanceof Value.Num n ? n.value() : null;
        if (old == null && neu == null) return;
        Double delta = old != null && neu != null ? neu - old : null;
        out.ledger.add(new LedgerRow(0, userId, c.name(), c.time(), old, neu, delta, c.source().label()));
    }

    static void stat(Effect.CanvasStat s, LaneResult out) {
        long day = BrazeTime.epochDay(s.time());
        String c = s.canvasId();
        switch (s.kind()) {
            case ENTERED -> {
                out.stat(c, "entries", "", 0, 1);
                out.stat(c, "entries", "", day, 1);
                out.stat(c, "entries_hour", "", Math.floorDiv(s.time(), 3_600_000L), 1);
                out.canvasEvents.add(s);
            }
            case STEP_IN -> {
                out.stat(c, "on_step", s.step(), 0, 1);
                out.stat(c, "step_in", s.step(), 0, 1);
            }
            case STEP_OUT -> out.stat(c, "on_step", s.step(), 0, -1);
            case GROUP -> {
                out.stat(c, "group", s.step(), s.label(), 0, 1);
                out.stat(c, "group", s.step(), s.label(), day, 1);
            }
            case EXITED -> {
                out.stat(c, "exit", s.label(), 0, 1);
                out.stat(c, "exit", s.label(), day, 1);
                out.canvasEvents.add(s);
            }
            case LOOP_GUARD -> {
                out.stat(c, "loop_guard", "", 0, 1);
                out.stat(c, "loop_guard", "", day, 1);
                out.canvasEvents.add(s);
            }
        }
    }
}
