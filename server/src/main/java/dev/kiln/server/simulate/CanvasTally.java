package dev.kiln.server.simulate;

import dev.kiln.engine.Effect;

import java.util.HashMap;
import java.util.Map;

/** What one Canvas's {@link Effect.CanvasStat}s add up to over a simulation. */
final class CanvasTally {
    long entries;
    long loopGuardHits;
    /** Exit reason → count. */
    final Map<String, long[]> exits = new HashMap<>();
    /** Step id → arrivals. */
    final Map<String, long[]> arrivals = new HashMap<>();
    /** Step id → group label → count (Action Paths groups and Everyone Else, audience paths, yes/no). */
    final Map<String, Map<String, long[]>> groups = new HashMap<>();

    void add(Effect.CanvasStat s) {
        switch (s.kind()) {
            case ENTERED -> entries++;
            case STEP_IN -> count(arrivals, s.step());
            case GROUP -> count(groups.computeIfAbsent(s.step(), k -> new HashMap<>()), s.label());
            case EXITED -> count(exits, s.label());
            case LOOP_GUARD -> loopGuardHits++;
            case STEP_OUT -> { }
        }
    }

    private static void count(Map<String, long[]> m, String key) {
        long[] c = m.get(key);
        if (c == null) m.put(key, c = new long[1]);
        c[0]++;
    }

    static long get(Map<String, long[]> m, String key) {
        long[] c = m.get(key);
        return c == null ? 0 : c[0];
    }
}
