package dev.kiln.server.simulate;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Value;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.CanvasState;
import dev.kiln.engine.canvas.Step;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The plain-text result of a simulation. Everything printed comes from the inputs and the virtual clock,
 * in sorted or definition order, so the same inputs print the same bytes.
 */
final class Report {
    private static final int TOP_REASONS = 5;
    private static final int BAR = 40;

    /** What the run was asked to do, as given on the command line. */
    record Settings(String definitions, String events, Long from, Long to, String attribute, Threshold threshold, int buckets,
                    boolean allCanvases, boolean printUsers) {}

    private final PrintWriter out;

    Report(PrintWriter out) { this.out = out; }

    void print(Settings settings, Replay replay, Simulation sim) {
        header(settings, replay, sim);
        lines(replay);
        objects(replay, sim);
        for (Canvas c : new TreeMap<>(sim.canvases().byId()).values()) canvas(c, sim);
        attribute(settings, sim);
        if (settings.threshold() != null) threshold(settings.threshold(), sim);
        if (settings.printUsers()) users(settings.attribute(), sim);
        out.flush();
    }

    private void header(Settings s, Replay replay, Simulation sim) {
        out.println("kiln simulate");
        List<String> ids = new ArrayList<>();
        for (Canvas c : new TreeMap<>(sim.canvases().byId()).values()) ids.add(c.id() + " v" + c.version());
        out.println(field("definitions", s.definitions() + " (" + (s.allCanvases() ? "all" : "active")
                + " canvases: " + (ids.isEmpty() ? "none" : String.join(", ", ids)) + ")"));
        out.println(field("events", s.events()));
        if (s.from() != null || s.to() != null)
            out.println(field("window", (s.from() == null ? "start" : BrazeTime.format(s.from())) + " .. "
                    + (s.to() == null ? "end" : BrazeTime.format(s.to()))));
        out.println(field("clock", replay.firstTime == Line.NO_TIME ? "no line applied"
                : BrazeTime.format(replay.firstTime) + " .. " + BrazeTime.format(sim.clock())));
    }

    private void lines(Replay r) {
        out.println();
        out.println("Lines");
        out.println(row(1, "read", r.linesRead));
        out.println(row(1, "applied", r.linesApplied));
        out.println(row(1, "out of order (applied at the clock)", r.outOfOrder));
        out.println(row(1, "skipped before --from", r.skippedBefore));
        out.println(row(1, "skipped after --to", r.skippedAfter));
        out.println(row(1, "rejected", r.badLines.total()));
        reasons(r.badLines);
    }

    private void objects(Replay r, Simulation sim) {
        out.println();
        out.println("Objects (attributes, events, purchases in applied lines)");
        out.println(row(1, "received", r.objectsReceived));
        out.println(row(1, "applied", r.objectsApplied));
        out.println(row(1, "rejected", r.badObjects.total()));
        reasons(r.badObjects);
        out.println();
        out.println(row(0, "Users", sim.users().size()));
        out.println("Timers");
        out.println(row(1, "fired", sim.timersFired()));
        out.println(row(1, "pending at the end", sim.pendingTimers()));
    }

    private void reasons(Reasons reasons) {
        for (Reasons.Group g : reasons.top(TOP_REASONS))
            out.println(String.format("    %10d  %s: %s%n                e.g. %s", g.count(), g.type(), g.template(), g.example()));
        if (reasons.groups() > TOP_REASONS) out.println("                (" + (reasons.groups() - TOP_REASONS) + " more kinds)");
    }

    private void canvas(Canvas c, Simulation sim) {
        CanvasTally t = sim.tallies().getOrDefault(c.id(), new CanvasTally());
        out.println();
        out.println("Canvas " + c.id() + " v" + c.version() + (c.name() == null ? "" : " (" + c.name() + ")"));
        out.println(row(1, "entries", t.entries));
        if (c.entry().limits() != null && !c.entry().limits().none())
            out.println(row(1, "entries refused by entry limits", sim.gate().refused(c.id())));
        out.println(row(1, "loop-guard hits", t.loopGuardHits));
        long exits = 0;
        for (long[] n : t.exits.values()) exits += n[0];
        out.println(row(1, "exits", exits));
        for (String reason : new TreeSet<>(t.exits.keySet())) out.println(row(2, reason, CanvasTally.get(t.exits, reason)));
        Map<String, Long> waiting = waiting(c.id(), sim);
        long inCanvas = 0;
        for (long n : waiting.values()) inCanvas += n;
        out.println(row(1, "users in the Canvas at the end", inCanvas));
        out.println("  steps (arrivals, then users per action group)");
        for (String stepId : stepOrder(c, t)) {
            out.println(row(2, stepId, CanvasTally.get(t.arrivals, stepId))
                    + (waiting.containsKey(stepId) ? "   (" + waiting.get(stepId) + " there at the end)" : ""));
            Map<String, long[]> groups = t.groups.getOrDefault(stepId, Map.of());
            for (String label : groupOrder(c.step(stepId), groups.keySet()))
                out.println(row(3, label, CanvasTally.get(groups, label)));
        }
    }

    /** Users on each step of the Canvas at the end, by step id. */
    private static Map<String, Long> waiting(String canvasId, Simulation sim) {
        Map<String, Long> m = new TreeMap<>();
        for (Simulation.User u : sim.users()) {
            CanvasState cs = u.state.canvases().get(canvasId);
            if (cs != null && cs.inCanvas()) m.merge(cs.step, 1L, Long::sum);
        }
        return m;
    }

    /** Steps from the start along every path (breadth first), then steps seen only in statistics. */
    private static List<String> stepOrder(Canvas c, CanvasTally t) {
        Set<String> order = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        if (c.start() != null) todo.add(c.start());
        while (!todo.isEmpty()) {
            String id = todo.poll();
            Step s = c.step(id);
            if (s == null || !order.add(id)) continue;
            for (String next : s.nexts()) if (next != null && !order.contains(next)) todo.add(next);
        }
        order.addAll(new TreeSet<>(c.steps().keySet()));
        order.addAll(new TreeSet<>(t.arrivals.keySet()));
        return new ArrayList<>(order);
    }

    /** Groups in definition order, Everyone Else last, then labels seen only in statistics. */
    private static List<String> groupOrder(Step step, Set<String> seen) {
        Set<String> order = new LinkedHashSet<>();
        switch (step) {
            case Step.ActionPaths a -> {
                for (Step.ActionGroup g : a.groups()) order.add(g.name());
                order.add("Everyone Else");
            }
            case Step.AudiencePaths p -> {
                for (Step.AudienceGroup g : p.groups()) order.add(g.name());
                order.add("Everyone Else");
            }
            case Step.DecisionSplit d -> {
                order.add("yes");
                order.add("no");
            }
            case null, default -> { }
        }
        order.addAll(new TreeSet<>(seen));
        return new ArrayList<>(order);
    }

    private void attribute(Settings s, Simulation sim) {
        double[] values = new double[sim.users().size()];
        int n = 0;
        long lacking = 0;
        for (Simulation.User u : sim.users()) {
            if (u.state.attribute(s.attribute()).orElse(null) instanceof Value.Num num) values[n++] = num.value();
            else lacking++;
        }
        Distribution d = Distribution.of(java.util.Arrays.copyOf(values, n), lacking, s.buckets());
        out.println();
        out.println("Attribute \"" + s.attribute() + "\" at the end");
        out.println(row(1, "users with a number", d.users()));
        out.println(row(1, "users without (absent or not a number)", d.lacking()));
        if (d.users() == 0) return;
        out.println("  min " + Numbers.format(d.min()) + "  median " + Numbers.format(d.percentile(50)) + "  p90 "
                + Numbers.format(d.percentile(90)) + "  max " + Numbers.format(d.max()) + "  mean " + Numbers.format(d.mean()));
        long most = 0;
        for (long c : d.counts()) most = Math.max(most, c);
        List<String> labels = new ArrayList<>();
        int width = 0;
        for (int b = 0; b < d.counts().length; b++) {
            String label = d.counts().length == 1 ? "[" + Numbers.format(d.min()) + "]"
                    : "[" + Numbers.format(d.lower(b)) + ", " + Numbers.format(d.upper(b)) + (b == d.counts().length - 1 ? "]" : ")");
            labels.add(label);
            width = Math.max(width, label.length());
        }
        for (int b = 0; b < d.counts().length; b++) {
            long c = d.counts()[b];
            int bar = c == 0 ? 0 : (int) Math.max(1, Math.round((double) c * BAR / most));
            out.println(String.format("    %-" + width + "s %12d  %s", labels.get(b), c, "#".repeat(bar)));
        }
    }

    private void threshold(Threshold th, Simulation sim) {
        long crossed = 0, atEnd = 0, ever = 0;
        for (Simulation.User u : sim.users()) {
            if ((u.crossing & Simulation.EVER_SATISFIED) != 0) {
                ever++;
                if ((u.crossing & Simulation.FIRST_SATISFIED) == 0) crossed++;
            }
            if (th.test(u.state.attribute(th.attribute()).orElse(null))) atEnd++;
        }
        out.println();
        out.println("Threshold " + th);
        out.println(row(1, "crossed (false at first, true later)", crossed));
        out.println(row(1, "satisfied it at some point", ever));
        out.println(row(1, "satisfy it at the end", atEnd));
    }

    private void users(String attribute, Simulation sim) {
        out.println();
        out.println("Users at the end (\"" + attribute + "\")");
        for (Simulation.User u : sim.users()) {
            StringBuilder ids = new StringBuilder();
            if (u.state.externalId() != null) ids.append(" external_id=").append(u.state.externalId());
            for (var a : u.state.aliases()) ids.append(" alias=").append(a.label()).append('/').append(a.name());
            u.state.email().ifPresent(e -> ids.append(" email=").append(e));
            Value v = u.state.attribute(attribute).orElse(null);
            out.println("  " + u.state.userId() + ids + "  " + (v instanceof Value.Num n ? Numbers.format(n.value()) : v == null ? "-" : v.toString()));
        }
    }

    private static String field(String name, String value) { return String.format("  %-12s %s", name, value); }

    private static String row(int indent, String label, long value) {
        String pad = "  ".repeat(indent);
        return String.format("%s%-" + Math.max(1, 48 - pad.length()) + "s %12d", pad, label, value);
    }
}
