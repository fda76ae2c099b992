package dev.kiln.engine.canvas;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Effect;
import dev.kiln.engine.Value;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static dev.kiln.engine.canvas.Harness.DAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random event sequences under a hand-moved clock, over the seed Canvas and a Canvas that uses
 * every other step kind. Invariants: the score stays within floor/ceiling, a user is at most at one
 * step per Canvas and waits exactly when a timer holds them, replaying the same inputs gives the same
 * state, and every step kind is exercised. Rerun one seed with -Dkiln.seed=N.
 */
class CanvasFuzzTest {
    static LongStream seeds() {
        String one = System.getProperty("kiln.seed");
        return one != null ? LongStream.of(Long.parseLong(one)) : LongStream.rangeClosed(1, 40);
    }

    static Canvas everyKind() {
        Entry entry = new Entry(List.of(new Trigger.CustomEvent("start", List.of())), false, Filter.EVERYONE, List.of(),
                new Entry.Reentry(true, 0), Entry.Limits.NONE, Entry.SendTo.ALL_USERS);
        Filter high = new Filter.Attribute("lead score", new Condition.Num(Condition.Num.Op.GREATER_THAN, 20));
        return new Canvas("kinds", "kinds", List.of(), 1, Canvas.Status.ACTIVE, entry, "split", Map.of(
                "split", new Step.DecisionSplit("split", high, "paths", "wait"),
                "paths", new Step.AudiencePaths("paths", List.of(new Step.AudienceGroup("vip", high, "bump")), "wait"),
                "bump", new Step.UserUpdate("bump", List.of(new AttributeOp.Inc("bumps", 1, null, 50.0)), "wait"),
                "wait", new Step.Delay("wait", 3 * 3_600_000L, null, null, "ranked"),
                "ranked", new Step.ActionPaths("ranked", DAY / 2, true, List.of(
                        new Step.ActionGroup("demo", List.of(new Trigger.CustomEvent("demo_requested", List.of())), "tag", false),
                        new Step.ActionGroup("leave", List.of(new Trigger.CustomEvent("newsletter_unsubscribed", List.of())), null, true)), null),
                "tag", new Step.UserUpdate("tag", List.of(new AttributeOp.Add("tags", List.of("demo"))), null)),
                List.of(new Trigger.CustomEvent("opt_out", List.of())));
    }

    private static final String[] EVENTS = {"webinar_registered", "demo_requested", "newsletter_unsubscribed", "start", "opt_out", "other"};

    /** Runs a random history; returns the harness. */
    static Harness run(long seed) {
        Random r = new Random(seed);
        Harness h = new Harness(Harness.seed(), everyKind());
        for (int i = 0; i < 300; i++) {
            switch (r.nextInt(7)) {
                case 0 -> h.session();
                case 1, 2 -> h.event(EVENTS[r.nextInt(EVENTS.length)]);
                case 3 -> h.inc("lead score", r.nextInt(7) - 3);
                case 4 -> h.set("email", new Value.Str("u" + r.nextInt(3) + "@x.co"));
                case 5 -> h.advance((long) (r.nextDouble() * 2 * DAY));
                default -> h.advance(r.nextInt(5_000));
            }
            check(h, seed);
        }
        return h;
    }

    static void check(Harness h, long seed) {
        for (var e : h.user.canvases().entrySet()) {
            CanvasState cs = e.getValue();
            boolean timerHeld = h.timers.containsKey(e.getKey() + "#" + cs.timerToken);
            assertThat(cs.waitUntil > 0).as("seed %d: %s waits iff its timer exists (%s)", seed, e.getKey(), cs).isEqualTo(timerHeld);
            if (cs.inCanvas()) assertThat(h.canvases.get(e.getKey()).step(cs.step)).as("seed %d", seed).isNotNull();
        }
        long timersPerCanvas = h.timers.keySet().stream().map(k -> k.split("#")[0]).distinct().count();
        assertThat(timersPerCanvas).as("seed %d: one pending timer per Canvas at most", seed).isEqualTo(h.timers.size());
        if (h.user.custom().get("bumps") instanceof Value.Num b) assertThat(b.value()).as("seed %d: ceiling", seed).isLessThanOrEqualTo(50);
    }

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds")
    void invariants_hold_and_replay_gives_the_same_state(long seed) {
        Harness a = run(seed);
        Harness b = run(seed);
        assertThat(b.user).as("seed %d: replay", seed).isEqualTo(a.user);
        assertThat(b.effects).as("seed %d: replay effects", seed).isEqualTo(a.effects);
    }

    @ParameterizedTest(name = "seed {0}") @MethodSource("seeds")
    void decay_never_takes_the_score_below_its_floor_from_canvas_steps(long seed) {
        Harness h = run(seed);
        for (Effect e : h.effects)
            if (e instanceof Effect.AttributeChanged c && c.source().kind() == dev.kiln.engine.Source.Kind.CANVAS
                    && c.name().equals("lead score") && c.source().label().contains(":decay:"))
                assertThat(((Value.Num) c.newValue()).value()).as("seed %d", seed).isGreaterThanOrEqualTo(0);
    }

    @org.junit.jupiter.api.Test
    void every_step_kind_and_outcome_is_exercised_across_seeds() {
        Set<String> steps = new HashSet<>();
        EnumSet<Effect.CanvasStat.Kind> kinds = EnumSet.noneOf(Effect.CanvasStat.Kind.class);
        Set<String> exits = new HashSet<>();
        seeds().forEach(seed -> {
            for (Effect e : run(seed).effects)
                if (e instanceof Effect.CanvasStat s) {
                    kinds.add(s.kind());
                    if (s.kind() == Effect.CanvasStat.Kind.STEP_IN) steps.add(s.canvasId() + "/" + s.step());
                    if (s.kind() == Effect.CanvasStat.Kind.EXITED) exits.add(s.label());
                }
        });
        assertThat(steps).contains("kinds/split", "kinds/paths", "kinds/bump", "kinds/wait", "kinds/ranked", "kinds/tag",
                "lead-scoring/score", "lead-scoring/add_1", "lead-scoring/add_5", "lead-scoring/sub_1", "lead-scoring/decay");
        assertThat(kinds).contains(Effect.CanvasStat.Kind.ENTERED, Effect.CanvasStat.Kind.GROUP, Effect.CanvasStat.Kind.EXITED);
        assertThat(exits).contains("completed", "action_group_exit", "exit_criteria");
    }
}
