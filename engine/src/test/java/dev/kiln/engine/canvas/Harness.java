package dev.kiln.engine.canvas;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Effect;
import dev.kiln.engine.Engine;
import dev.kiln.engine.EngineConfig;
import dev.kiln.engine.Input;
import dev.kiln.engine.ReservedEvents;
import dev.kiln.engine.Source;
import dev.kiln.engine.Transition;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One user driven through the Canvas engine with a hand-moved clock and a timer table, as the runtime does. */
final class Harness {
    static final long DAY = 86_400_000L;
    static final long T0 = 1_764_300_000_000L;

    final CanvasEngine engine;
    final UserState user = new UserState("u1", T0);
    CanvasSet canvases;
    EntryGate gate = EntryGate.UNLIMITED;
    long now = T0;
    int seq;
    /** canvasId#token -> due time */
    final Map<String, Long> timers = new TreeMap<>();
    final List<Effect> effects = new ArrayList<>();

    Harness(int loopGuard, Canvas... canvases) {
        this.engine = new CanvasEngine(new Engine(EngineConfig.DEFAULT), loopGuard);
        this.canvases = CanvasSet.of(List.of(canvases));
        user.externalId("lead-1");
    }

    Harness(Canvas... canvases) { this(CanvasEngine.DEFAULT_LOOP_GUARD, canvases); }

    Transition send(Input in) {
        Transition t = engine.process(user, in, now, canvases, gate);
        for (Effect e : t.effects()) {
            effects.add(e);
            if (e instanceof Effect.SetTimer s) timers.put(s.canvasId() + "#" + s.token(), s.dueAt());
            if (e instanceof Effect.CancelTimer c) timers.remove(c.canvasId() + "#" + c.token());
        }
        return t;
    }

    Transition event(String name) { return event(name, Map.of()); }

    Transition event(String name, Map<String, Object> props) {
        return send(new Input.TrackEvent("i" + (seq++), Source.track("r"), name, now, props));
    }

    Transition session() { return event(ReservedEvents.SESSION_START); }

    Transition set(String attr, Value v) {
        return send(new Input.UpdateAttributes("i" + (seq++), Source.track("r"), List.of(new AttributeOp.Set(attr, v))));
    }

    Transition inc(String attr, double by) {
        return send(new Input.UpdateAttributes("i" + (seq++), Source.track("r"), List.of(new AttributeOp.Inc(attr, by))));
    }

    /** Moves the clock, firing every timer due on the way, in due order. */
    void advance(long millis) {
        long target = now + millis;
        while (true) {
            var due = timers.entrySet().stream().filter(e -> e.getValue() <= target)
                    .min(Map.Entry.comparingByValue()).orElse(null);
            if (due == null) break;
            timers.remove(due.getKey());
            now = Math.max(now, due.getValue());
            String[] parts = due.getKey().split("#");
            send(new Input.TimerFired("t" + (seq++), new Source(Source.Kind.TIMER, due.getKey()), parts[0], Integer.parseInt(parts[1])));
        }
        now = target;
    }

    double score() {
        return user.custom().get("lead score") instanceof Value.Num n ? n.value() : Double.NaN;
    }

    String step(String canvasId) {
        CanvasState cs = user.canvases().get(canvasId);
        return cs == null ? null : cs.step;
    }

    List<String> exits() {
        return effects.stream().filter(e -> e instanceof Effect.CanvasStat s && s.kind() == Effect.CanvasStat.Kind.EXITED)
                .map(e -> ((Effect.CanvasStat) e).label()).toList();
    }

    /** The seed's scoring Canvas (DESIGN.md §3). */
    static Canvas seed() {
        Filter audience = new Filter.None(List.of(
                new Filter.Attribute("is_employee", new Condition.Bool(Condition.Bool.Op.TRUE)),
                new Filter.Attribute("lead_status", new Condition.Str(Condition.Str.Op.EQUALS, "Customer"))));
        Entry entry = new Entry(List.of(new Trigger.AttributeChanged("lead score", null), new Trigger.EmailAdded()), false,
                audience, List.of(), new Entry.Reentry(true, 0), Entry.Limits.NONE, Entry.SendTo.ALL_USERS);
        Step.ActionPaths score = new Step.ActionPaths("score", DAY, false, List.of(
                new Step.ActionGroup("plus one", List.of(new Trigger.SessionStarted(), new Trigger.CustomEvent("webinar_registered", List.of())), "add_1", false),
                new Step.ActionGroup("plus five", List.of(new Trigger.CustomEvent("demo_requested", List.of())), "add_5", false),
                new Step.ActionGroup("minus one", List.of(new Trigger.CustomEvent("newsletter_unsubscribed", List.of())), "sub_1", false)),
                "decay");
        return new Canvas("lead-scoring", "Lead Scoring", List.of(), 1, Canvas.Status.ACTIVE, entry, "score", Map.of(
                "score", score,
                "add_1", new Step.UserUpdate("add_1", List.of(new AttributeOp.Inc("lead score", 1)), null),
                "add_5", new Step.UserUpdate("add_5", List.of(new AttributeOp.Inc("lead score", 5)), null),
                "sub_1", new Step.UserUpdate("sub_1", List.of(new AttributeOp.Inc("lead score", -1, 0.0, null)), null),
                "decay", new Step.UserUpdate("decay", List.of(new AttributeOp.Inc("lead score", -1, 0.0, null)), null)), List.of());
    }
}
