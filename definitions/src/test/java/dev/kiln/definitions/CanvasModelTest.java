package dev.kiln.definitions;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Value;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;
import dev.kiln.engine.filter.Segment;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Canvas documents become exactly the engine model they say. */
class CanvasModelTest {
    static final long HOUR = 3_600_000L, DAY = 24 * HOUR;

    static final Segment LEADS = new Segment("leads", "Leads",
            new Filter.Attribute("lead_status", new Condition.Str(Condition.Str.Op.NONE_OF, List.of("Customer"))));

    static Path seedDir() throws URISyntaxException {
        return Path.of(CanvasModelTest.class.getResource("/seed").toURI());
    }

    static DefinitionSet context() {
        return DefinitionSet.of(Map.of(DefinitionLoader.SEGMENTS, Map.of("leads", LEADS)));
    }

    static Canvas parse(String yaml) {
        Parsed<Canvas> p = DefinitionLoader.parseCanvas(yaml, "canvases/c.yaml", false, context());
        assertThat(p.problems()).isEmpty();
        return p.value().orElseThrow();
    }

    @Test
    void the_seed_canvas_loads_into_exactly_the_model_it_describes() throws URISyntaxException {
        LoadResult r = new DefinitionLoader().load(seedDir());

        assertThat(r.problems()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        Filter audience = new Filter.All(List.of(LEADS.filter(),
                new Filter.None(List.of(new Filter.Attribute("is_employee", new Condition.Bool(Condition.Bool.Op.TRUE))))));
        Entry entry = new Entry(List.of(new Trigger.AttributeChanged("lead score", null), new Trigger.EmailAdded()), false,
                audience, List.of("leads"), new Entry.Reentry(true, 0), new Entry.Limits(1000L, 10_000L, 100_000L), Entry.SendTo.ALL_USERS);
        Step score = new Step.ActionPaths("score", DAY, false, List.of(
                new Step.ActionGroup("plus one", List.of(new Trigger.SessionStarted(), new Trigger.CustomEvent("webinar_registered", List.of())), "add_1", false),
                new Step.ActionGroup("unsubscribed", List.of(new Trigger.CustomEvent("newsletter_unsubscribed", List.of())), null, true)),
                "decay");
        Canvas expected = new Canvas("lead-scoring", "Lead Scoring Canvas", List.of("Lead Management"), 1, Canvas.Status.ACTIVE, entry, "score",
                Map.of("score", score,
                        "add_1", new Step.UserUpdate("add_1", List.of(new AttributeOp.Inc("lead score", 1, null, null)), null),
                        "decay", new Step.UserUpdate("decay", List.of(new AttributeOp.Inc("lead score", -1, 0.0, null)), null)),
                List.of(new Trigger.CustomEvent("unsubscribed_all", List.of())));
        assertThat(r.definitions().canvases()).containsOnlyKeys("lead-scoring");
        assertThat(r.definitions().canvas("lead-scoring")).contains(expected);
        assertThat(r.definitions().canvas("nope")).isEmpty();
    }

    @Test
    void validate_counts_the_seed_canvas() throws URISyntaxException {
        var bytes = new java.io.ByteArrayOutputStream();
        assertThat(Validate.validate(seedDir(), new java.io.PrintStream(bytes, true))).isZero();
        assertThat(bytes.toString().strip()).isEqualTo("OK: 1 segment, 1 canvas, 0 campaigns, 0 connections, 0 CDI integrations, 0 Currents connectors");
    }

    @Test
    void defaults_are_draft_no_reentry_no_limits_all_users_one_day_unranked_and_exit() {
        Canvas c = parse("""
                id: c
                name: C
                entry: { triggers: [ { session_started: {} } ] }
                start: wait
                steps:
                  wait: { type: action_paths, groups: [ { name: g, triggers: [ { email_added: } ], exit: true } ] }
                """);
        assertThat(c.status()).isEqualTo(Canvas.Status.DRAFT);
        assertThat(c.version()).isEqualTo(1);
        assertThat(c.tags()).isEmpty();
        assertThat(c.exitOn()).isEmpty();
        assertThat(c.entry()).isEqualTo(new Entry(List.of(new Trigger.SessionStarted()), false, Filter.EVERYONE, List.of(),
                Entry.Reentry.NEVER, Entry.Limits.NONE, Entry.SendTo.ALL_USERS));
        assertThat(c.step("wait")).isEqualTo(new Step.ActionPaths("wait", DAY, false,
                List.of(new Step.ActionGroup("g", List.of(new Trigger.EmailAdded()), null, true)), null));
    }

    @Test
    void every_trigger_kind_parses() {
        Canvas c = parse("""
                id: c
                name: C
                entry:
                  triggers:
                    - custom_attribute_changed: { name: "lead score" }
                    - custom_attribute_changed: { name: lead_status, value: MQL }
                    - custom_attribute_changed: { name: vip, value: true }
                    - custom_attribute_changed: { name: tier, value: 3 }
                    - custom_attribute_crossed: { name: "lead score", threshold: 100, direction: up }
                    - custom_attribute_crossed: { name: "lead score", threshold: 99.5, direction: down }
                    - email_added: {}
                    - session_started: {}
                    - custom_event: { name: demo_requested, properties: [ { property: plan.tier, equals: pro }, { property: source, blank: true } ] }
                    - custom_event: { name: signed_up, properties: [ { property: [utm.source], any_of: [ads, mail] } ] }
                    - purchase: { product_id: p1, properties: [ { property: price, greater_than: 10 } ] }
                    - purchase: {}
                    - api_triggered: {}
                  send_to: opted_in
                start: s
                steps:
                  s: { type: user_update, updates: [ { attribute: x, set: 1 } ] }
                """);
        assertThat(c.entry().apiTriggered()).isTrue();
        assertThat(c.entry().sendTo()).isEqualTo(Entry.SendTo.OPTED_IN);
        assertThat(c.entry().triggers()).containsExactly(
                new Trigger.AttributeChanged("lead score", null),
                new Trigger.AttributeChanged("lead_status", new Value.Str("MQL")),
                new Trigger.AttributeChanged("vip", new Value.Bool(true)),
                new Trigger.AttributeChanged("tier", new Value.Num(3)),
                new Trigger.AttributeCrossed("lead score", 100, Trigger.AttributeCrossed.Direction.UP),
                new Trigger.AttributeCrossed("lead score", 99.5, Trigger.AttributeCrossed.Direction.DOWN),
                new Trigger.EmailAdded(),
                new Trigger.SessionStarted(),
                new Trigger.CustomEvent("demo_requested", List.of(
                        new Trigger.PropertyFilter(List.of("plan", "tier"), new Condition.Str(Condition.Str.Op.EQUALS, "pro")),
                        new Trigger.PropertyFilter(List.of("source"), new Condition.Blank()))),
                new Trigger.CustomEvent("signed_up", List.of(
                        new Trigger.PropertyFilter(List.of("utm.source"), new Condition.Str(Condition.Str.Op.ANY_OF, List.of("ads", "mail"))))),
                new Trigger.Purchase("p1", List.of(new Trigger.PropertyFilter(List.of("price"), new Condition.Num(Condition.Num.Op.GREATER_THAN, 10)))),
                new Trigger.Purchase(null, List.of()));
    }

    @Test
    void api_triggered_alone_is_an_entry() {
        Canvas c = parse("""
                id: c
                name: C
                entry: { triggers: [ { api_triggered: {} } ] }
                start: s
                steps: { s: { type: user_update, updates: [ { attribute: x, unset: true } ] } }
                """);
        assertThat(c.entry().apiTriggered()).isTrue();
        assertThat(c.entry().triggers()).isEmpty();
    }

    @Test
    void every_step_kind_and_update_operation_parses() {
        Canvas c = parse("""
                id: c
                name: C
                tags: [a, b]
                status: stopped
                entry:
                  triggers: [ { custom_event: { name: e } } ]
                  reentry: { allowed: true, after: 3600 }
                  limits: { per_day: 5 }
                  send_to: subscribed_or_opted_in
                exit_on: [ { purchase: { product_id: p1 } }, { custom_attribute_changed: { name: lead_status, value: Customer } } ]
                start: paths
                steps:
                  paths:
                    type: action_paths
                    window: 2w
                    ranked: true
                    groups:
                      - { name: a, triggers: [ { custom_event: { name: x } } ], next: wait }
                      - { name: b, triggers: [ { custom_event: { name: y } } ], next: tz }
                  wait: { type: delay, duration: 2h, next: who }
                  tz: { type: delay, until: "09:30", time_zone: Europe/Lisbon, next: split }
                  who:
                    type: audience_paths
                    groups:
                      - { name: hot, filters: { attribute: "lead score", greater_than: 50 }, next: split }
                      - { name: cold, filters: { attribute: "lead score", less_than: 5 } }
                    everyone_else: { next: update }
                  split: { type: decision_split, filters: { email: present }, yes: update, no: local }
                  local: { type: delay, until: "7:05", time_zone: user }
                  update:
                    type: user_update
                    updates:
                      - { attribute: lead_status, set: MQL }
                      - { attribute: mql_at, set: "2026-01-31T09:00:00Z" }
                      - { attribute: old, unset: true }
                      - { attribute: "lead score", increment: 2.5, ceiling: 100 }
                      - { attribute: "lead score", decrement: 3, floor: -10, ceiling: 10 }
                      - { attribute: interests, add: [ai, ml] }
                      - { attribute: interests, remove: [crypto] }
                      - { attribute: profile, set: { plan: { tier: pro } } }
                      - { attribute: flags, set: [x, y] }
                """);
        assertThat(c.tags()).containsExactly("a", "b");
        assertThat(c.status()).isEqualTo(Canvas.Status.STOPPED);
        assertThat(c.entry().reentry()).isEqualTo(new Entry.Reentry(true, HOUR));
        assertThat(c.entry().limits()).isEqualTo(new Entry.Limits(null, 5L, null));
        assertThat(c.entry().sendTo()).isEqualTo(Entry.SendTo.SUBSCRIBED_OR_OPTED_IN);
        assertThat(c.exitOn()).containsExactly(new Trigger.Purchase("p1", List.of()),
                new Trigger.AttributeChanged("lead_status", new Value.Str("Customer")));
        assertThat(c.steps()).hasSize(7);
        assertThat(c.step("paths")).isEqualTo(new Step.ActionPaths("paths", 14 * DAY, true, List.of(
                new Step.ActionGroup("a", List.of(new Trigger.CustomEvent("x", List.of())), "wait", false),
                new Step.ActionGroup("b", List.of(new Trigger.CustomEvent("y", List.of())), "tz", false)), null));
        assertThat(c.step("wait")).isEqualTo(new Step.Delay("wait", 2 * HOUR, null, null, "who"));
        assertThat(c.step("tz")).isEqualTo(new Step.Delay("tz", null, 9 * 60 + 30, "Europe/Lisbon", "split"));
        assertThat(c.step("local")).isEqualTo(new Step.Delay("local", null, 7 * 60 + 5, null, null));
        assertThat(c.step("who")).isEqualTo(new Step.AudiencePaths("who", List.of(
                new Step.AudienceGroup("hot", new Filter.Attribute("lead score", new Condition.Num(Condition.Num.Op.GREATER_THAN, 50)), "split"),
                new Step.AudienceGroup("cold", new Filter.Attribute("lead score", new Condition.Num(Condition.Num.Op.LESS_THAN, 5)), null)),
                "update"));
        assertThat(c.step("split")).isEqualTo(new Step.DecisionSplit("split", new Filter.EmailAddress(true), "update", "local"));
        assertThat(c.step("update")).isEqualTo(new Step.UserUpdate("update", List.of(
                new AttributeOp.Set("lead_status", new Value.Str("MQL")),
                new AttributeOp.Set("mql_at", new Value.Time(BrazeTime.parse("2026-01-31T09:00:00Z").orElseThrow())),
                new AttributeOp.Unset("old"),
                new AttributeOp.Inc("lead score", 2.5, null, 100.0),
                new AttributeOp.Inc("lead score", -3, -10.0, 10.0),
                new AttributeOp.Add("interests", List.of("ai", "ml")),
                new AttributeOp.Remove("interests", List.of("crypto")),
                new AttributeOp.Set("profile", new Value.Obj(Map.of("plan", Map.of("tier", "pro")))),
                new AttributeOp.Set("flags", new Value.Arr(List.of("x", "y")))), null));
    }

    @Test
    void durations_take_seconds_minutes_hours_days_weeks_or_plain_seconds() {
        for (var e : Map.of("0s", 0L, "2s", 2_000L, "30m", 1_800_000L, "12h", 12 * HOUR, "1d", DAY, "1w", 7 * DAY, "90", 90_000L).entrySet()) {
            Canvas c = parse("""
                    id: c
                    name: C
                    entry: { triggers: [ { session_started: {} } ], reentry: { allowed: true, after: %s } }
                    start: s
                    steps: { s: { type: user_update, updates: [ { attribute: x, set: 1 } ] } }
                    """.formatted(e.getKey()));
            assertThat(c.entry().reentry().afterMillis()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void audience_segments_come_first_in_their_order_then_the_filters() {
        Segment mql = new Segment("mql", "MQL", new Filter.Attribute("lead_status", new Condition.Str(Condition.Str.Op.EQUALS, "MQL")));
        DefinitionSet set = DefinitionSet.of(Map.of(DefinitionLoader.SEGMENTS, Map.of("leads", LEADS, "mql", mql)));
        Parsed<Canvas> p = DefinitionLoader.parseCanvas("""
                id: c
                name: C
                entry: { triggers: [ { session_started: {} } ], audience: { segments: [mql, leads] } }
                start: s
                steps: { s: { type: user_update, updates: [ { attribute: x, set: 1 } ] } }
                """, "PUT /canvases/c", false, set);
        assertThat(p.value().orElseThrow().entry().audience()).isEqualTo(new Filter.All(List.of(mql.filter(), LEADS.filter())));
        assertThat(p.value().orElseThrow().entry().segmentIds()).containsExactly("mql", "leads");
    }

    @Test
    void a_canvas_parses_from_json_too() {
        Parsed<Canvas> p = DefinitionLoader.parse(DefinitionLoader.CANVASES, """
                {"id": "c", "name": "C", "entry": {"triggers": [{"email_added": {}}]}, "start": "s",
                 "steps": {"s": {"type": "user_update", "updates": [{"attribute": "x", "increment": 1}]}}}
                """, "PUT /canvases/c", true);
        assertThat(p.problems()).isEmpty();
        assertThat(p.value().orElseThrow().step("s")).isEqualTo(new Step.UserUpdate("s", List.of(new AttributeOp.Inc("x", 1, null, null)), null));
    }
}
