package dev.kiln.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EngineTest {
    private static final long NOW = 1_764_300_000_000L; // 2025-11-28
    private final Engine engine = new Engine(new EngineConfig(3));
    private final UserState user = new UserState("u", NOW - 1000);

    private Transition update(AttributeOp... ops) {
        return engine.apply(user, new Input.UpdateAttributes("in", Source.track("r"), List.of(ops)), NOW);
    }

    private Value attr(String name) { return user.custom().get(name); }

    @Test void inc_starts_an_absent_number_at_zero() {
        update(new AttributeOp.Inc("lead score", 5));
        assertThat(attr("lead score")).isEqualTo(new Value.Num(5));
        update(new AttributeOp.Inc("lead score", -2));
        assertThat(attr("lead score")).isEqualTo(new Value.Num(3));
    }

    @Test void inc_gives_exact_numbers_whether_or_not_they_are_small_whole_ones() {
        for (double by : new double[]{1, 1023, 1, 0.5, -2048.5, 1e300, -1e300})
            update(new AttributeOp.Inc("n", by));
        assertThat(attr("n")).isEqualTo(new Value.Num(1025 + 0.5 - 2048.5));
        for (double v : new double[]{0, -0.0, 1, -128, -129, 1024, 1025, 0.5, 1e12, -7})
            assertThat(Value.num(v)).as("%s", v).isEqualTo(new Value.Num(v)).hasToString(new Value.Num(v).toString());
        update(new AttributeOp.Inc("z", -0.0));
        assertThat(attr("z")).as("0 + -0.0 is 0").isEqualTo(new Value.Num(0));
    }

    @Test void inc_respects_floor_and_ceiling() {
        update(new AttributeOp.Inc("s", -4, 0.0, null));
        assertThat(attr("s")).isEqualTo(new Value.Num(0));
        update(new AttributeOp.Inc("s", 50, null, 10.0));
        assertThat(attr("s")).isEqualTo(new Value.Num(10));
    }

    @Test void one_bad_operation_rejects_the_whole_object() {
        update(new AttributeOp.Set("name", new Value.Str("x")));
        Transition t = update(new AttributeOp.Inc("score", 1), new AttributeOp.Inc("name", 1));
        assertThat(t.rejection()).isEqualTo("name: cannot increment a string attribute");
        assertThat(t.effects()).isEmpty();
        assertThat(attr("score")).isNull();
    }

    @Test void setting_the_same_value_again_is_not_a_change() {
        assertThat(update(new AttributeOp.Set("tier", new Value.Str("gold"))).effects()).hasSize(2);
        assertThat(update(new AttributeOp.Set("tier", new Value.Str("gold"))).effects()).isEmpty();
    }

    @Test void null_unsets_and_reports_the_old_value() {
        update(new AttributeOp.Set("tier", new Value.Str("gold")));
        Transition t = update(new AttributeOp.Unset("tier"));
        assertThat(attr("tier")).isNull();
        assertThat(t.effects()).first().isEqualTo(new Effect.AttributeChanged("tier", new Value.Str("gold"), null, Source.track("r"), NOW));
    }

    @Test void attribute_change_is_logged_with_delta_and_source() {
        update(new AttributeOp.Inc("lead score", 2));
        Transition t = update(new AttributeOp.Inc("lead score", 3));
        Effect.LogEvent log = (Effect.LogEvent) t.effects().get(1);
        assertThat(log.type()).isEqualTo("users.attributes.Change");
        assertThat(log.data()).containsEntry("old_value", 2L).containsEntry("new_value", 5L).containsEntry("delta", 3L)
                .containsEntry("source", "users/track:r");
    }

    @Test void add_keeps_strings_unique_and_drops_the_oldest_past_the_maximum() {
        update(new AttributeOp.Add("tags", List.of("a", "b")));
        update(new AttributeOp.Add("tags", List.of("b", "c", "d")));
        assertThat(attr("tags")).isEqualTo(new Value.Arr(List.of("b", "c", "d")));
        update(new AttributeOp.Remove("tags", List.of("c", "zzz")));
        assertThat(attr("tags")).isEqualTo(new Value.Arr(List.of("b", "d")));
    }

    @Test void standard_attributes_are_kept_apart_from_custom_ones() {
        update(new AttributeOp.Set("email", new Value.Str("a@b.co")), new AttributeOp.Set("plan", new Value.Str("pro")));
        assertThat(user.standard()).containsKey("email");
        assertThat(user.custom()).containsOnlyKeys("plan");
        assertThat(user.email()).contains("a@b.co");
    }

    @Test void future_event_times_are_clamped_to_now_and_counted() {
        Transition t = engine.apply(user, new Input.TrackEvent("e1", Source.track("r"), "demo_requested", NOW + 86_400_000L, Map.of("k", "v")), NOW);
        Effect.LogEvent log = (Effect.LogEvent) t.effects().get(0);
        assertThat(log.time()).isEqualTo(NOW);
        assertThat(log.type()).isEqualTo("users.behaviors.CustomEvent");
        assertThat(user.events().get("demo_requested").count()).isEqualTo(1);
        assertThat(user.events().get("demo_requested").last()).isEqualTo(NOW);
    }

    @Test void session_start_is_a_reserved_event_counted_as_a_session() {
        Transition t = engine.apply(user, new Input.TrackEvent("e", Source.track("r"), ReservedEvents.SESSION_START, NOW, null), NOW);
        assertThat(((Effect.LogEvent) t.effects().get(0)).type()).isEqualTo("users.behaviors.app.SessionStart");
        assertThat(user.sessions().count()).isEqualTo(1);
        assertThat(user.events()).isEmpty();
    }

    @Test void purchases_count_quantity_overall_and_per_product() {
        engine.apply(user, new Input.TrackPurchase("p", Source.track("r"), "plan-pro", "USD", 49.5, 2, NOW, null), NOW);
        assertThat(user.purchases().count()).isEqualTo(2);
        assertThat(user.products().get("plan-pro").count()).isEqualTo(2);
    }

    @Test void merge_keeps_target_values_and_adds_summaries() {
        UserState from = new UserState("anon", NOW - 5000);
        from.custom().put("lead score", new Value.Num(7));
        from.custom().put("utm", new Value.Str("ads"));
        from.aliases().add(new UserAlias("c1", "cookie"));
        from.events().computeIfAbsent("webinar", k -> new EventSummary()).record(NOW - 10_000, 1);
        user.custom().put("lead score", new Value.Num(1));
        user.events().computeIfAbsent("webinar", k -> new EventSummary()).record(NOW - 20_000, 2);
        engine.apply(user, new Input.MergeFrom("m", Source.api("identify"), from), NOW);
        assertThat(attr("lead score")).isEqualTo(new Value.Num(1));
        assertThat(attr("utm")).isEqualTo(new Value.Str("ads"));
        assertThat(user.events().get("webinar").count()).isEqualTo(3);
        assertThat(user.events().get("webinar").first()).isEqualTo(NOW - 20_000);
        assertThat(user.events().get("webinar").last()).isEqualTo(NOW - 10_000);
        assertThat(user.aliases()).containsExactly(new UserAlias("c1", "cookie"));
    }

    @Test void identify_refuses_a_second_external_id() {
        user.externalId("a");
        assertThat(engine.apply(user, new Input.Identify("i", Source.api("x"), "b", null), NOW).rejection())
                .contains("already has external_id a");
    }

    @Test void the_same_inputs_give_the_same_state() {
        UserState a = new UserState("x", NOW), b = new UserState("x", NOW);
        for (UserState u : List.of(a, b)) {
            engine.apply(u, new Input.UpdateAttributes("1", Source.track("r"), List.of(new AttributeOp.Inc("s", 1))), NOW);
            engine.apply(u, new Input.TrackEvent("2", Source.track("r"), "e", NOW - 86_400_000L * 3, null), NOW);
        }
        assertThat(a).isEqualTo(b);
    }
}
