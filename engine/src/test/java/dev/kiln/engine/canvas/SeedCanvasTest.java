package dev.kiln.engine.canvas;

import dev.kiln.engine.Effect;
import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;

import static dev.kiln.engine.canvas.Harness.DAY;
import static org.assertj.core.api.Assertions.assertThat;

/** The seed's "simple lead scoring" Canvas, step by step. */
class SeedCanvasTest {
    private final Harness h = new Harness(Harness.seed());

    @Test void a_score_change_enters_the_user_who_then_waits_in_action_paths() {
        h.set("lead score", new Value.Num(10));
        assertThat(h.step("lead-scoring")).isEqualTo("score");
        assertThat(h.timers).containsValue(h.now + DAY);
    }

    @Test void a_session_adds_one_and_the_user_loops_back_into_the_canvas() {
        h.set("lead score", new Value.Num(10));
        h.session();
        assertThat(h.score()).isEqualTo(11);
        assertThat(h.step("lead-scoring")).isEqualTo("score");
        assertThat(h.user.canvases().get("lead-scoring").entries).isEqualTo(2);
        assertThat(h.timers).hasSize(1); // the old window's timer was cancelled
    }

    @Test void each_action_group_moves_the_score_as_the_canvas_says() {
        h.set("lead score", new Value.Num(10));
        h.event("webinar_registered");
        h.event("demo_requested");
        h.event("newsletter_unsubscribed");
        h.event("unrelated");
        assertThat(h.score()).isEqualTo(10 + 1 + 5 - 1);
    }

    @Test void everyone_else_decays_the_score_after_the_window_down_to_the_floor() {
        h.set("lead score", new Value.Num(2));
        h.advance(DAY);
        assertThat(h.score()).isEqualTo(1);
        h.advance(DAY);
        assertThat(h.score()).isEqualTo(0);
        // At the floor the decay changes nothing, so nothing re-enters the user: Braze behaves the same.
        h.advance(DAY);
        assertThat(h.score()).isEqualTo(0);
        assertThat(h.step("lead-scoring")).isNull();
        assertThat(h.timers).isEmpty();
    }

    @Test void an_action_inside_the_window_cancels_the_decay() {
        h.set("lead score", new Value.Num(5));
        h.advance(DAY / 2);
        h.session();
        h.advance(DAY / 2 + 1000);
        assertThat(h.score()).isEqualTo(6); // the first window's Everyone Else never ran
        h.advance(DAY);
        assertThat(h.score()).isEqualTo(5);
    }

    @Test void employees_never_enter() {
        h.set("is_employee", new Value.Bool(true));
        h.set("lead score", new Value.Num(3));
        assertThat(h.step("lead-scoring")).isNull();
        h.session();
        assertThat(h.score()).isEqualTo(3);
    }

    @Test void an_email_added_enters_the_user() {
        h.set("email", new Value.Str("ana@example.com"));
        assertThat(h.step("lead-scoring")).isEqualTo("score");
    }

    @Test void re_sending_the_same_value_does_not_enter() {
        h.set("lead score", new Value.Num(3));
        h.advance(DAY);            // decays to 2 and re-enters
        h.advance(DAY);            // 1
        h.advance(DAY);            // 0, re-enters (it changed)
        h.advance(DAY);            // stays 0: no change, leaves
        assertThat(h.step("lead-scoring")).isNull();
        h.set("lead score", new Value.Num(0));
        assertThat(h.step("lead-scoring")).isNull();
    }

    @Test void a_stale_timer_changes_nothing() {
        h.set("lead score", new Value.Num(3));
        int token = h.user.canvases().get("lead-scoring").timerToken;
        h.session();
        h.send(new dev.kiln.engine.Input.TimerFired("x", dev.kiln.engine.Source.api("t"), "lead-scoring", token));
        assertThat(h.score()).isEqualTo(4);
    }

    @Test void the_ledger_source_names_canvas_version_step_and_group() {
        h.set("lead score", new Value.Num(3));
        h.event("demo_requested");
        assertThat(h.effects).filteredOn(e -> e instanceof Effect.AttributeChanged c && c.newValue().equals(new Value.Num(8)))
                .singleElement().extracting(e -> ((Effect.AttributeChanged) e).source().label())
                .isEqualTo("canvas:lead-scoring:v1:add_5:plus five");
        h.advance(DAY);
        assertThat(h.effects).filteredOn(e -> e instanceof Effect.AttributeChanged c && c.newValue().equals(new Value.Num(7)))
                .singleElement().extracting(e -> ((Effect.AttributeChanged) e).source().label())
                .isEqualTo("canvas:lead-scoring:v1:decay:Everyone Else");
    }
}
