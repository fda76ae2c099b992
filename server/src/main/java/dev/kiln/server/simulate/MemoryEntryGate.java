package dev.kiln.server.simulate;

import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.EntryGate;

import java.util.HashMap;
import java.util.Map;

/**
 * Canvas entry limits (per hour, per day, lifetime) counted in memory, with the runtime's rules: hour and
 * day are UTC buckets of the virtual clock, and a refused entry counts nothing.
 */
final class MemoryEntryGate implements EntryGate {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;

    private static final class Counts {
        long hour = Long.MIN_VALUE, day = Long.MIN_VALUE;
        long inHour, inDay, lifetime, refused;
    }

    private final Map<String, Counts> counts = new HashMap<>();
    @Override public boolean tryEnter(Canvas canvas, long now) {
        Entry.Limits limits = canvas.entry().limits();
        if (limits == null || limits.none()) return true;
        Counts c = counts.computeIfAbsent(canvas.id(), id -> new Counts());
        long hour = Math.floorDiv(now, HOUR), day = Math.floorDiv(now, DAY);
        if (c.hour != hour) { c.hour = hour; c.inHour = 0; }
        if (c.day != day) { c.day = day; c.inDay = 0; }
        if ((limits.perHour() != null && c.inHour >= limits.perHour())
                || (limits.perDay() != null && c.inDay >= limits.perDay())
                || (limits.lifetime() != null && c.lifetime >= limits.lifetime())) {
            c.refused++;
            return false;
        }
        c.inHour++;
        c.inDay++;
        c.lifetime++;
        return true;
    }

    /** Entries of {@code canvasId} refused by a limit so far. */
    long refused(String canvasId) {
        Counts c = counts.get(canvasId);
        return c == null ? 0 : c.refused;
    }
}
