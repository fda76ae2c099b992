package dev.kiln.runtime;

import dev.kiln.store.StatDelta;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Canvas's statistics as {@code GET /canvases/{id}/stats} shows them: entries (total and per day),
 * users now on each step, users through each action group (and Everyone Else), exits by reason and
 * loop-guard hits (all time unless said otherwise).
 */
public record CanvasStats(long entries, Map<String, Long> entriesPerDay, Map<String, Long> onStep,
                          Map<String, Map<String, Long>> groups, Map<String, Long> exits, long loopGuardHits) {

    public static CanvasStats of(List<StatDelta> rows) {
        long entries = 0, loop = 0;
        Map<String, Long> perDay = new TreeMap<>(), onStep = new TreeMap<>(), exits = new TreeMap<>();
        Map<String, Map<String, Long>> groups = new TreeMap<>();
        for (StatDelta s : rows) {
            boolean allTime = s.bucket() == 0;
            switch (s.metric()) {
                case "entries" -> {
                    if (allTime) entries = s.delta();
                    else perDay.put(LocalDate.ofEpochDay(s.bucket()).toString(), s.delta());
                }
                case "on_step" -> { if (s.delta() != 0) onStep.put(s.key(), s.delta()); }
                case "group" -> {
                    if (allTime) {
                        int slash = s.key().indexOf('/');
                        groups.computeIfAbsent(s.key().substring(0, slash), k -> new TreeMap<>()).put(s.key().substring(slash + 1), s.delta());
                    }
                }
                case "exit" -> { if (allTime) exits.put(s.key(), s.delta()); }
                case "loop_guard" -> { if (allTime) loop = s.delta(); }
                default -> { }
            }
        }
        return new CanvasStats(entries, perDay, onStep, groups, exits, loop);
    }
}
