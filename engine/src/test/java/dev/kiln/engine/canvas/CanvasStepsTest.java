package dev.kiln.engine.canvas;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Effect;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Value;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kiln.engine.canvas.Harness.DAY;
import static org.assertj.core.api.Assertions.assertThat;

class CanvasStepsTest {
    private static Entry entryOn(Trigger t, Entry.Reentry reentry) {
        return new Entry(List.of(t), true, Filter.EVERYONE, List.of(), reentry, Entry.Limits.NONE, Entry.SendTo.ALL_USERS);
    }

    private static Canvas canvas(String id, Entry entry, String start, Map<String, Step> steps, List<Trigger> exitOn) {
        return new Canvas(id, id, List.of(), 1, Canvas.Status.ACTIVE, entry, start, steps, exitOn);
    }

    private static Step.UserUpdate set(String id, String attr, String value, String next) {
        return new Step.UserUpdate(id, List.of(new AttributeOp.Set(attr, new Value.Str(value))), next);
    }

    private static final Trigger GO = new Trigger.CustomEvent("go", List.of());

    @Test void ranked_action_paths_wait_for_the_window_and_take_the_best_group() {
        Step.ActionPaths ap = new Step.ActionPaths("ap", DAY, true, List.of(
                new Step.ActionGroup("gold", List.of(new Trigger.CustomEvent("demo", List.of())), "g", false),
                new Step.ActionGroup("silver", List.of(new Trigger.CustomEvent("webinar", List.of())), "s", false)), "e");
        Harness h = new Harness(canvas("c", entryOn(GO, Entry.Reentry.NEVER), "ap", Map.of("ap", ap,
                "g", set("g", "tier", "gold", null), "s", set("s", "tier", "silver", null), "e", set("e", "tier", "none", null)), List.of()));
        h.event("go");
        h.event("webinar");
        assertThat(h.user.custom()).doesNotContainKey("tier"); // ranked: nothing happens before the window ends
        h.event("demo");
        h.event("webinar");
        h.advance(DAY);
        assertThat(h.user.custom().get("tier")).isEqualTo(new Value.Str("gold"));
    }

    @Test void unranked_action_paths_take_the_first_action_and_later_ones_do_not_switch() {
        Step.ActionPaths ap = new Step.ActionPaths("ap", DAY, false, List.of(
                new Step.ActionGroup("gold", List.of(new Trigger.CustomEvent("demo", List.of())), "g", false),
                new Step.ActionGroup("silver", List.of(new Trigger.CustomEvent("webinar", List.of())), "s", false)), null);
        Harness h = new Harness(canvas("c", entryOn(GO, Entry.Reentry.NEVER), "ap", Map.of("ap", ap,
                "g", set("g", "tier", "gold", null), "s", set("s", "tier", "silver", null)), List.of()));
        h.event("go");
        h.event("webinar");
        h.event("demo");
        assertThat(h.user.custom().get("tier")).isEqualTo(new Value.Str("silver"));
        assertThat(h.step("c")).isNull();
    }

    @Test void a_group_may_exit_the_user() {
        Step.ActionPaths ap = new Step.ActionPaths("ap", DAY, false, List.of(
                new Step.ActionGroup("out", List.of(new Trigger.CustomEvent("stop", List.of())), null, true)), "e");
        Harness h = new Harness(canvas("c", entryOn(GO, Entry.Reentry.NEVER), "ap", Map.of("ap", ap, "e", set("e", "x", "y", null)), List.of()));
        h.event("go");
        h.event("stop");
        assertThat(h.exits()).containsExactly("action_group_exit");
        assertThat(h.timers).isEmpty();
    }

    @Test void the_loop_guard_stops_a_canvas_that_retriggers_itself_without_waiting() {
        Canvas loop = canvas("loop", entryOn(new Trigger.AttributeChanged("n", null), new Entry.Reentry(true, 0)), "inc",
                Map.of("inc", new Step.UserUpdate("inc", List.of(new AttributeOp.Inc("n", 1)), null)), List.of());
        Harness h = new Harness(10, loop);
        h.inc("n", 1);
        assertThat(h.user.custom().get("n")).isEqualTo(new Value.Num(1 + 11)); // the outside +1, then 11 entries
        assertThat(h.effects).filteredOn(e -> e instanceof Effect.CanvasStat s && s.kind() == Effect.CanvasStat.Kind.LOOP_GUARD).hasSize(1);
        assertThat(h.step("loop")).isNull();
    }

    @Test void an_exception_event_takes_the_user_out_when_the_current_step_ends() {
        Step.ActionPaths ap = new Step.ActionPaths("ap", DAY, false, List.of(), "e");
        Harness h = new Harness(canvas("c", entryOn(GO, Entry.Reentry.NEVER), "ap",
                Map.of("ap", ap, "e", set("e", "x", "y", null)), List.of(new Trigger.CustomEvent("purchase_done", List.of()))));
        h.event("go");
        h.event("purchase_done");
        assertThat(h.step("c")).isEqualTo("ap"); // stays until the step ends, as Braze
        h.advance(DAY);
        assertThat(h.exits()).containsExactly("exit_criteria");
        assertThat(h.user.custom()).doesNotContainKey("x");
    }

    @Test void crossing_a_threshold_downward_triggers_once() {
        Canvas down = canvas("down", entryOn(new Trigger.AttributeCrossed("s", 100, Trigger.AttributeCrossed.Direction.DOWN),
                new Entry.Reentry(true, 0)), "m", Map.of("m", new Step.UserUpdate("m",
                List.of(new AttributeOp.Inc("falls", 1)), null)), List.of());
        Harness h = new Harness(down);
        h.set("s", new Value.Num(120));
        h.set("s", new Value.Num(110));
        assertThat(h.user.custom()).doesNotContainKey("falls");
        h.now += 2000;
        h.set("s", new Value.Num(90));
        h.now += 2000;
        h.set("s", new Value.Num(80));
        assertThat(h.user.custom().get("falls")).isEqualTo(new Value.Num(1));
    }

    @Test void outside_inputs_enter_a_user_at_most_once_per_second() {
        Canvas c = canvas("c", entryOn(GO, new Entry.Reentry(true, 0)), "u",
                Map.of("u", new Step.UserUpdate("u", List.of(new AttributeOp.Inc("entered", 1)), null)), List.of());
        Harness h = new Harness(c);
        h.event("go");
        h.event("go");
        assertThat(h.user.custom().get("entered")).isEqualTo(new Value.Num(1));
        h.now += 1000;
        h.event("go");
        assertThat(h.user.custom().get("entered")).isEqualTo(new Value.Num(2));
    }

    @Test void re_entry_waits_for_the_re_eligibility_window() {
        Canvas c = canvas("c", entryOn(GO, new Entry.Reentry(true, 60_000)), "u",
                Map.of("u", new Step.UserUpdate("u", List.of(new AttributeOp.Inc("entered", 1)), null)), List.of());
        Harness h = new Harness(c);
        h.event("go");
        h.now += 30_000;
        h.event("go");
        h.now += 30_000;
        h.event("go");
        assertThat(h.user.custom().get("entered")).isEqualTo(new Value.Num(2));
    }

    @Test void entry_limits_come_from_the_gate() {
        Canvas c = canvas("c", entryOn(GO, new Entry.Reentry(true, 0)), "u",
                Map.of("u", new Step.UserUpdate("u", List.of(new AttributeOp.Inc("entered", 1)), null)), List.of());
        Harness h = new Harness(c);
        h.gate = (canvas, now) -> false;
        h.event("go");
        assertThat(h.user.custom()).doesNotContainKey("entered");
    }

    @Test void api_entry_keeps_canvas_entry_properties() {
        Canvas c = canvas("c", entryOn(GO, Entry.Reentry.NEVER), "ap",
                Map.of("ap", new Step.ActionPaths("ap", DAY, false, List.of(), null)), List.of());
        Harness h = new Harness(c);
        h.send(new Input.EnterCanvas("x", Source.api("trigger"), "c", Map.of("offer", "A")));
        assertThat(h.user.canvases().get("c").entryProperties).containsEntry("offer", "A");
        assertThat(h.step("c")).isEqualTo("ap");
    }

    @Test void audience_paths_and_decision_splits_route_by_filters() {
        Filter hot = new Filter.Attribute("s", new Condition.Num(Condition.Num.Op.GREATER_THAN, 50));
        Step.AudiencePaths paths = new Step.AudiencePaths("paths", List.of(new Step.AudienceGroup("hot", hot, "h")), "split");
        Step.DecisionSplit split = new Step.DecisionSplit("split", new Filter.EmailAddress(true), "y", "n");
        Canvas c = canvas("c", entryOn(GO, new Entry.Reentry(true, 0)), "paths", Map.of("paths", paths, "split", split,
                "h", set("h", "route", "hot", null), "y", set("y", "route", "email", null), "n", set("n", "route", "none", null)), List.of());
        Harness h = new Harness(c);
        h.event("go");
        assertThat(h.user.custom().get("route")).isEqualTo(new Value.Str("none"));
        h.set("email", new Value.Str("a@b.co"));
        h.now += 1000;
        h.event("go");
        assertThat(h.user.custom().get("route")).isEqualTo(new Value.Str("email"));
        h.set("s", new Value.Num(60));
        h.now += 1000;
        h.event("go");
        assertThat(h.user.custom().get("route")).isEqualTo(new Value.Str("hot"));
    }

    @Test void a_delay_until_a_time_of_day_uses_the_user_time_zone() {
        Canvas c = canvas("c", entryOn(GO, Entry.Reentry.NEVER), "d",
                Map.of("d", new Step.Delay("d", null, 9 * 60, null, "u"), "u", set("u", "woke", "yes", null)), List.of());
        Harness h = new Harness(c);
        h.set("time_zone", new Value.Str("America/Sao_Paulo"));
        h.event("go");
        long due = h.timers.values().iterator().next();
        var local = java.time.Instant.ofEpochMilli(due).atZone(java.time.ZoneId.of("America/Sao_Paulo"));
        assertThat(local.getHour()).isEqualTo(9);
        assertThat(local.getMinute()).isZero();
        assertThat(due - h.now).isPositive().isLessThanOrEqualTo(DAY);
        h.advance(DAY);
        assertThat(h.user.custom().get("woke")).isEqualTo(new Value.Str("yes"));
    }

    @Test void users_on_a_removed_step_exit_when_the_canvas_changes_and_others_stay() {
        Canvas v1 = canvas("c", entryOn(GO, Entry.Reentry.NEVER), "ap", Map.of(
                "ap", new Step.ActionPaths("ap", DAY, false, List.of(), "e"), "e", set("e", "x", "1", null)), List.of());
        Harness h = new Harness(v1);
        h.event("go");
        Canvas v2 = new Canvas("c", "c", List.of(), 2, Canvas.Status.ACTIVE, v1.entry(), "ap2", Map.of(
                "ap2", new Step.ActionPaths("ap2", DAY, false, List.of(), null)), List.of());
        h.canvases = CanvasSet.of(List.of(v2));
        h.advance(DAY);
        assertThat(h.exits()).containsExactly("step_removed");
        assertThat(h.user.custom()).doesNotContainKey("x");

        Harness k = new Harness(v1);
        k.event("go");
        Canvas v3 = new Canvas("c", "c", List.of(), 3, Canvas.Status.ACTIVE, v1.entry(), "ap", Map.of(
                "ap", new Step.ActionPaths("ap", DAY, false, List.of(), "e"), "e", set("e", "x", "3", null)), List.of());
        k.canvases = CanvasSet.of(List.of(v3));
        k.advance(DAY);
        assertThat(k.user.custom().get("x")).isEqualTo(new Value.Str("3"));
    }

    @Test void a_stopped_canvas_lets_its_users_out_and_takes_no_one_in() {
        Harness h = new Harness(Harness.seed());
        h.set("lead score", new Value.Num(5));
        h.canvases = CanvasSet.of(List.of(Harness.seed().withStatus(Canvas.Status.STOPPED)));
        h.advance(DAY);
        assertThat(h.exits()).containsExactly("canvas_stopped");
        h.set("lead score", new Value.Num(9));
        assertThat(h.step("lead-scoring")).isNull();
    }

    @Test void event_property_filters_all_must_hold_and_absent_is_blank() {
        Trigger demo = new Trigger.CustomEvent("demo", List.of(
                new Trigger.PropertyFilter(List.of("plan", "tier"), new Condition.Str(Condition.Str.Op.EQUALS, "pro")),
                new Trigger.PropertyFilter(List.of("coupon"), new Condition.Blank())));
        Canvas c = canvas("c", entryOn(demo, new Entry.Reentry(true, 0)), "u",
                Map.of("u", new Step.UserUpdate("u", List.of(new AttributeOp.Inc("n", 1)), null)), List.of());
        Harness h = new Harness(c);
        h.event("demo", Map.of("plan", Map.of("tier", "basic")));
        h.now += 1000;
        h.event("demo", Map.of("plan", Map.of("tier", "pro"), "coupon", "X"));
        h.now += 1000;
        h.event("demo", Map.of("plan", Map.of("tier", "pro")));
        assertThat(h.user.custom().get("n")).isEqualTo(new Value.Num(1));
    }
}
