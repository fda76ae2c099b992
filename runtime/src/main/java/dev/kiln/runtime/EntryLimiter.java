package dev.kiln.runtime;

import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.EntryGate;
import dev.kiln.store.StatDelta;
import dev.kiln.store.Store;

import java.util.HashMap;
import java.util.Map;

/**
 * Canvas-wide entry limits, shared by all lanes. Counts start from the committed statistics (so a
 * restart keeps lifetime, daily and hourly counts); an entry counted here whose epoch then fails to
 * commit stays counted — the limit errs on the side of fewer entries.
 */
final class EntryLimiter implements EntryGate {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;

    private final Store store;
    private final Map<String, Counts> counts = new HashMap<>();

    private static final class Counts {
        long hour = Long.MIN_VALUE, day = Long.MIN_VALUE;
        long inHour, inDay, lifetime;
    }

    EntryLimiter(Store store) { this.store = store; }

    @Override
    public synchronized boolean tryEnter(Canvas canvas, long now) {
        Entry.Limits limits = canvas.entry().limits();
        if (limits == null || limits.none()) return true;
        Counts c = counts.computeIfAbsent(canvas.id(), id -> load(id, now));
        long hour = Math.floorDiv(now, HOUR), day = Math.floorDiv(now, DAY);
        if (c.hour != hour) { c.hour = hour; c.inHour = 0; }
        if (c.day != day) { c.day = day; c.inDay = 0; }
        if (limits.perHour() != null && c.inHour >= limits.perHour()) return false;
        if (limits.perDay() != null && c.inDay >= limits.perDay()) return false;
        if (limits.lifetime() != null && c.lifetime >= limits.lifetime()) return false;
        c.inHour++;
        c.inDay++;
        c.lifetime++;
        return true;
    }

    private Counts load(String canvasId, long now) {
        Counts c = new Counts();
        c.hour = Math.floorDiv(now, HOUR);
        c.day = Math.floorDiv(now, DAY);
        for (StatDelta s : store.canvasStats(canvasId)) {
            if (s.metric().equals("entries") && s.bucket() == 0) c.lifetime = s.delta();
            if (s.metric().equals("entries") && s.bucket() == c.day) c.inDay = s.delta();
            if (s.metric().equals("entries_hour") && s.bucket() == c.hour) c.inHour = s.delta();
        }
        return c;
    }
}
