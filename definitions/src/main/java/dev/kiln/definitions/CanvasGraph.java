package dev.kiln.definitions;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks on the steps as a whole: references name steps, every step is reachable from {@code start},
 * no loop of steps runs without waiting; and the warning for a Canvas that re-enters itself without
 * waiting. {@code steps} is a cursor on the document's {@code steps} mapping, for paths.
 */
final class CanvasGraph {
    private CanvasGraph() {}

    /** Reports every reference to a missing step; returns whether all resolve. */
    static boolean references(List<StepParser.Ref> refs, List<String> stepIds) {
        boolean ok = true;
        for (StepParser.Ref r : refs) {
            if (stepIds.contains(r.target())) continue;
            ok = false;
            r.at().problem("no step '" + r.target() + "'; " + Words.suggest(r.target(), stepIds));
        }
        return ok;
    }

    /** Reports steps that no path from {@code start} reaches. */
    static void reachable(Cursor steps, String start, Map<String, Step> byId) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (!seen.add(id)) continue;
            for (String n : byId.get(id).nexts()) if (n != null) todo.add(n);
        }
        for (String id : steps.keys())
            if (!seen.contains(id)) steps.field(id).problem("unreachable: no path from start (" + start + ") leads to this step");
    }

    /**
     * Reports each loop made only of steps that do not wait (user_update, audience_paths,
     * decision_split, webhook): users would go round it at once until the engine cut them off.
     */
    static void loopsWithoutWaiting(Cursor steps, Map<String, Step> byId) {
        Map<String, Integer> state = new HashMap<>(); // 1 = on the current path, 2 = done
        Set<Set<String>> reported = new HashSet<>();
        for (String id : steps.keys()) visit(id, byId, state, new ArrayList<>(), steps, reported);
    }

    private static void visit(String id, Map<String, Step> byId, Map<String, Integer> state, List<String> path,
                              Cursor steps, Set<Set<String>> reported) {
        Step step = byId.get(id);
        if (step.waits() || state.getOrDefault(id, 0) == 2) return;
        if (state.getOrDefault(id, 0) == 1) {
            List<String> loop = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            if (reported.add(Set.copyOf(loop))) {
                loop.add(id);
                steps.field(loop.get(0)).problem("a loop without waiting: " + String.join(" → ", loop)
                        + "; users would go round it at once, so put an action_paths or delay step in it");
            }
            return;
        }
        state.put(id, 1);
        path.add(id);
        for (String n : step.nexts()) if (n != null) visit(n, byId, state, path, steps, reported);
        path.remove(path.size() - 1);
        state.put(id, 2);
    }

    /**
     * Warns when an update on a path from {@code start} to an exit, with no waiting step on it, changes an
     * attribute that an entry trigger watches: each exit re-enters the user at once, and only the loop
     * guard ends it. Needs a canvas without loops that do not wait.
     */
    static void warnSelfReentry(Cursor root, Canvas canvas) {
        Map<String, String> watched = new LinkedHashMap<>(); // attribute → entry trigger path
        List<Trigger> triggers = canvas.entry().triggers();
        Cursor entryTriggers = root.field("entry").field("triggers");
        List<Cursor> triggerCursors = entryTriggers.elements().stream()
                .filter(c -> !c.keys().equals(List.of(TriggerParser.API_TRIGGERED))).toList();
        for (int i = 0; i < triggers.size(); i++) {
            String attribute = switch (triggers.get(i)) {
                case Trigger.AttributeChanged a -> a.name();
                case Trigger.AttributeCrossed x -> x.name();
                case Trigger.EmailAdded e -> "email";
                default -> null;
            };
            if (attribute != null) watched.putIfAbsent(attribute, triggerCursors.get(i).path());
        }
        if (watched.isEmpty()) return;
        Map<String, Step> steps = canvas.steps();
        Set<String> fromStart = new HashSet<>();
        collect(canvas.start(), steps, fromStart);
        Map<String, Boolean> exits = new HashMap<>();
        Cursor stepsCursor = root.field("steps");
        for (String id : stepsCursor.keys()) {
            if (!fromStart.contains(id) || !(steps.get(id) instanceof Step.UserUpdate u) || !exitsWithoutWaiting(id, steps, exits)) continue;
            for (int i = 0; i < u.updates().size(); i++) {
                AttributeOp op = u.updates().get(i);
                String trigger = watched.get(op.name());
                if (trigger == null) continue;
                stepsCursor.field(id).field("updates").element(i).warning("updates '" + op.name() + "', which enters this Canvas (" + trigger + "), on a path from start to an exit"
                                + " with no action_paths or delay step: users re-enter at once, again and again, until the loop guard removes them");
            }
        }
    }

    /** Steps reached from {@code id} without waiting ({@code id} included when it does not wait). */
    private static void collect(String id, Map<String, Step> steps, Set<String> out) {
        if (id == null || steps.get(id).waits() || !out.add(id)) return;
        for (String n : steps.get(id).nexts()) collect(n, steps, out);
    }

    /** Whether some path from {@code id} exits without a waiting step. */
    private static boolean exitsWithoutWaiting(String id, Map<String, Step> steps, Map<String, Boolean> memo) {
        if (id == null) return true;
        Step step = steps.get(id);
        if (step.waits()) return false;
        Boolean known = memo.get(id);
        if (known != null) return known;
        memo.put(id, false); // no loops without waiting remain, but stay safe
        boolean exits = false;
        for (String n : step.nexts()) exits |= exitsWithoutWaiting(n, steps, memo);
        memo.put(id, exits);
        return exits;
    }
}
