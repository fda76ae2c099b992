package dev.kiln.definitions;

import dev.kiln.engine.canvas.Canvas;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per Canvas validation rule; each asserts the exact line {@code kiln validate} prints. */
class CanvasProblemsTest {
    static final String FILE = "canvases/c.yaml";
    static final String HEAD = "id: c\nname: C\n";
    static final String ENTRY = "entry: { triggers: [ { session_started: {} } ] }\n";
    static final String STEP = "  s: { type: user_update, updates: [ { attribute: x, increment: 1 } ] }\n";

    static List<String> problems(String yaml) {
        Parsed<Canvas> parsed = DefinitionLoader.parseCanvas(yaml, FILE, false, CanvasModelTest.context());
        assertThat(parsed.value()).isEmpty();
        return parsed.problems().stream().map(Problem::toString).toList();
    }

    /** A document with the usual head and entry, starting at step {@code s}. */
    static List<String> problemsInSteps(String steps) {
        return problems(HEAD + ENTRY + "start: s\nsteps:\n" + steps);
    }

    /** A document whose entry is {@code entry} (the value after {@code entry:}). */
    static List<String> problemsInEntry(String entry) {
        return problems(HEAD + "entry: " + entry + "\nstart: s\nsteps:\n" + STEP);
    }

    /** One entry trigger. */
    static List<String> problemsInTrigger(String trigger) {
        return problemsInEntry("{ triggers: [ " + trigger + " ] }");
    }

    static String at(String path, String message) {
        return FILE + ": " + path + ": " + message;
    }

    // ---- document ------------------------------------------------------------------------------

    @Test
    void a_document_that_is_not_a_mapping_is_refused() {
        assertThat(problems("- id: c\n")).containsExactly(at("$", "expected a mapping with id, name, entry, start and steps, got a list"));
    }

    @Test
    void unknown_top_level_key_is_refused_with_a_suggestion() {
        assertThat(problems(HEAD + ENTRY + "start: s\nstep: {}\nsteps:\n" + STEP))
                .containsExactly(at("step", "unknown key; did you mean steps?"));
    }

    @Test
    void missing_id_is_reported() {
        assertThat(problems("name: C\n" + ENTRY + "start: s\nsteps:\n" + STEP)).containsExactly(at("id", "required"));
    }

    @Test
    void missing_name_is_reported() {
        assertThat(problems("id: c\n" + ENTRY + "start: s\nsteps:\n" + STEP)).containsExactly(at("name", "required"));
    }

    @Test
    void missing_entry_is_reported() {
        assertThat(problems(HEAD + "start: s\nsteps:\n" + STEP)).containsExactly(at("entry", "required"));
    }

    @Test
    void missing_start_is_reported() {
        assertThat(problems(HEAD + ENTRY + "steps:\n" + STEP)).containsExactly(at("start", "required"));
    }

    @Test
    void missing_steps_is_reported() {
        assertThat(problems(HEAD + ENTRY + "start: s\n")).containsExactly(at("steps", "required"));
    }

    @Test
    void empty_steps_are_refused() {
        assertThat(problems(HEAD + ENTRY + "start: s\nsteps: {}\n")).containsExactly(at("steps", "a Canvas needs at least one step"));
    }

    @Test
    void unknown_status_is_refused() {
        assertThat(problems(HEAD + "status: live\n" + ENTRY + "start: s\nsteps:\n" + STEP))
                .containsExactly(at("status", "expected draft, active or stopped, got string 'live'"));
    }

    @Test
    void tags_must_be_a_list_of_strings() {
        assertThat(problems(HEAD + "tags: [ok, 3]\n" + ENTRY + "start: s\nsteps:\n" + STEP))
                .containsExactly(at("tags[1]", "expected a tag, got number 3"));
    }

    // ---- steps as a graph ----------------------------------------------------------------------

    @Test
    void start_must_name_a_step() {
        assertThat(problems(HEAD + ENTRY + "start: score\nsteps:\n  scor: { type: user_update, updates: [ { attribute: x, unset: true } ] }\n"))
                .containsExactly(at("start", "no step 'score'; did you mean scor?"));
    }

    @Test
    void next_must_name_a_step() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, unset: true } ], next: add_1 }\n"
                + "  add_2: { type: user_update, updates: [ { attribute: x, unset: true } ] }\n"))
                .containsExactly(at("steps.s.next", "no step 'add_1'; did you mean add_2?"));
    }

    @Test
    void group_next_everyone_else_next_and_split_branches_must_name_steps() {
        assertThat(problemsInSteps("""
                  s:
                    type: action_paths
                    groups: [ { name: g, triggers: [ { session_started: {} } ], next: nowhere } ]
                    everyone_else: { next: gone }
                  a: { type: audience_paths, groups: [ { name: h, filters: { email: present }, next: lost } ], everyone_else: { next: s } }
                  d: { type: decision_split, filters: { email: present }, yes: up, no: down }
                """)).containsExactly(
                at("steps.s.groups[0].next", "no step 'nowhere'; expected s, a or d"),
                at("steps.s.everyone_else.next", "no step 'gone'; expected s, a or d"),
                at("steps.a.groups[0].next", "no step 'lost'; expected s, a or d"),
                at("steps.d.yes", "no step 'up'; expected s, a or d"),
                at("steps.d.no", "no step 'down'; expected s, a or d"));
    }

    @Test
    void every_step_must_be_reachable_from_start() {
        assertThat(problemsInSteps(STEP + "  orphan: { type: user_update, updates: [ { attribute: x, unset: true } ] }\n"))
                .containsExactly(at("steps.orphan", "unreachable: no path from start (s) leads to this step"));
    }

    @Test
    void a_loop_of_steps_that_never_wait_is_refused() {
        assertThat(problemsInSteps("""
                  s: { type: user_update, updates: [ { attribute: x, unset: true } ], next: t }
                  t: { type: decision_split, filters: { email: present }, yes: s }
                """)).containsExactly(at("steps.s",
                "a loop without waiting: s → t → s; users would go round it at once, so put an action_paths or delay step in it"));
    }

    @Test
    void a_step_id_must_be_plain() {
        assertThat(problems(HEAD + ENTRY + "start: s\nsteps:\n" + STEP + "  \"add one\": { type: user_update, updates: [ { attribute: x, unset: true } ] }\n"))
                .containsExactly(at("steps[\"add one\"]", "a step id must be 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit"));
    }

    // ---- steps ---------------------------------------------------------------------------------

    @Test
    void a_step_needs_a_type() {
        assertThat(problemsInSteps("  s: { updates: [ { attribute: x, unset: true } ] }\n")).containsExactly(
                at("steps.s.type", "required: one of action_paths, user_update, delay, audience_paths, decision_split or webhook"));
    }

    @Test
    void unknown_step_type_is_refused_with_a_suggestion() {
        assertThat(problemsInSteps("  s: { type: user_updates, updates: [ { attribute: x, unset: true } ] }\n"))
                .containsExactly(at("steps.s.type", "unknown step type; did you mean user_update?"));
    }

    @Test
    void a_step_that_is_not_a_mapping_is_refused() {
        assertThat(problemsInSteps("  s: user_update\n"))
                .containsExactly(at("steps.s", "expected a step, a mapping with type and its settings, got string 'user_update'"));
    }

    @Test
    void unknown_keys_inside_a_step_are_refused() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, unset: true } ], nxt: s }\n"))
                .containsExactly(at("steps.s.nxt", "unknown key; did you mean next?"));
    }

    @Test
    void action_paths_take_at_most_eight_groups() {
        StringBuilder groups = new StringBuilder();
        for (int i = 0; i < 9; i++) groups.append("      - { name: g").append(i).append(", triggers: [ { session_started: {} } ], exit: true }\n");
        assertThat(problemsInSteps("  s:\n    type: action_paths\n    groups:\n" + groups))
                .containsExactly(at("steps.s.groups", "at most 8 action groups (Braze's limit), got 9"));
    }

    @Test
    void action_paths_need_a_group() {
        assertThat(problemsInSteps("  s: { type: action_paths, groups: [] }\n"))
                .containsExactly(at("steps.s.groups", "an action_paths step needs at least one action group"));
    }

    @Test
    void an_action_group_needs_a_trigger() {
        assertThat(problemsInSteps("  s: { type: action_paths, groups: [ { name: g, triggers: [], exit: true } ] }\n"))
                .containsExactly(at("steps.s.groups[0].triggers", "an action group needs at least one trigger"));
    }

    @Test
    void an_action_group_takes_next_or_exit_not_both() {
        assertThat(problemsInSteps("  s: { type: action_paths, groups: [ { name: g, triggers: [ { session_started: {} } ], next: s, exit: true } ] }\n"))
                .containsExactly(at("steps.s.groups[0]", "a group takes next or exit: true, not both"));
    }

    @Test
    void an_action_group_needs_next_or_exit() {
        assertThat(problemsInSteps("  s: { type: action_paths, groups: [ { name: g, triggers: [ { session_started: {} } ] } ] }\n"))
                .containsExactly(at("steps.s.groups[0]", "a group needs next (a step id) or exit: true"));
    }

    @Test
    void action_group_names_are_unique_in_a_step() {
        assertThat(problemsInSteps("""
                  s:
                    type: action_paths
                    groups:
                      - { name: g, triggers: [ { session_started: {} } ], exit: true }
                      - { name: g, triggers: [ { email_added: {} } ], exit: true }
                """)).containsExactly(at("steps.s.groups[1].name", "duplicate group name 'g' (also groups[0])"));
    }

    @Test
    void the_window_must_be_more_than_zero() {
        assertThat(problemsInSteps("  s: { type: action_paths, window: 0s, groups: [ { name: g, triggers: [ { session_started: {} } ], exit: true } ] }\n"))
                .containsExactly(at("steps.s.window", "must be more than 0s"));
    }

    @Test
    void the_window_is_at_most_31_days() {
        assertThat(problemsInSteps("  s: { type: action_paths, window: 32d, groups: [ { name: g, triggers: [ { session_started: {} } ], exit: true } ] }\n"))
                .containsExactly(at("steps.s.window", "at most 31d (Braze's limit), got string '32d'"));
    }

    @Test
    void a_bad_duration_is_refused() {
        assertThat(problemsInSteps("  s: { type: action_paths, window: 1 day, groups: [ { name: g, triggers: [ { session_started: {} } ], exit: true } ] }\n"))
                .containsExactly(at("steps.s.window",
                        "expected a duration such as 30s, 15m, 12h, 1d or 1w, or a whole number of seconds, got string '1 day'"));
    }

    @Test
    void ranked_is_a_boolean() {
        assertThat(problemsInSteps("  s: { type: action_paths, ranked: first, groups: [ { name: g, triggers: [ { session_started: {} } ], exit: true } ] }\n"))
                .containsExactly(at("steps.s.ranked", "expected true or false, got string 'first'"));
    }

    @Test
    void api_triggered_is_not_an_action() {
        assertThat(problemsInSteps("  s: { type: action_paths, groups: [ { name: g, triggers: [ { api_triggered: {} } ], exit: true } ] }\n"))
                .containsExactly(at("steps.s.groups[0].triggers[0].api_triggered",
                        "api_triggered only enters a Canvas (entry.triggers); an action group waits for what the user does"));
    }

    @Test
    void user_update_needs_an_update() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [] }\n"))
                .containsExactly(at("steps.s.updates", "a user_update step needs at least one update"));
    }

    @Test
    void an_update_needs_an_operation() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x } ] }\n"))
                .containsExactly(at("steps.s.updates[0]", "an update needs one operation: set, unset, increment, decrement, add or remove"));
    }

    @Test
    void an_update_takes_one_operation() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, increment: 1, set: 3 } ] }\n"))
                .containsExactly(at("steps.s.updates[0]", "an update takes one operation; found increment and set (write two updates)"));
    }

    @Test
    void an_update_needs_an_attribute() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { increment: 1 } ] }\n"))
                .containsExactly(at("steps.s.updates[0].attribute", "required"));
    }

    @Test
    void floor_above_ceiling_is_refused() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, decrement: 1, floor: 10, ceiling: 5 } ] }\n"))
                .containsExactly(at("steps.s.updates[0].floor", "floor 10 is above ceiling 5"));
    }

    @Test
    void floor_and_ceiling_go_with_increment_or_decrement_only() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, set: 3, ceiling: 5 } ] }\n"))
                .containsExactly(at("steps.s.updates[0].ceiling", "only allowed with increment or decrement"));
    }

    @Test
    void increments_are_positive_numbers() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, increment: -1 }, { attribute: y, decrement: a } ] }\n"))
                .containsExactly(
                        at("steps.s.updates[0].increment", "expected a number greater than 0, got number -1 (use increment or decrement for the direction)"),
                        at("steps.s.updates[1].decrement", "expected a number greater than 0, got string 'a'"));
    }

    @Test
    void set_null_is_refused_in_favour_of_unset() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, set: null } ] }\n"))
                .containsExactly(at("steps.s.updates[0].set", "set: null is not allowed; write unset: true"));
    }

    @Test
    void add_takes_a_list_of_strings() {
        assertThat(problemsInSteps("  s: { type: user_update, updates: [ { attribute: x, add: ai } ] }\n"))
                .containsExactly(at("steps.s.updates[0].add", "expected a list of strings, got string 'ai'"));
    }

    @Test
    void a_delay_needs_a_duration_or_a_time() {
        assertThat(problemsInSteps("  s: { type: delay }\n"))
                .containsExactly(at("steps.s", "a delay needs duration (such as 2h) or until (such as \"09:00\")"));
    }

    @Test
    void a_delay_takes_a_duration_or_a_time_not_both() {
        assertThat(problemsInSteps("  s: { type: delay, duration: 2h, until: \"09:00\" }\n"))
                .containsExactly(at("steps.s", "a delay takes duration or until, not both"));
    }

    @Test
    void a_delay_of_zero_is_refused() {
        assertThat(problemsInSteps("  s: { type: delay, duration: 0 }\n")).containsExactly(at("steps.s.duration", "must be more than 0s"));
    }

    @Test
    void until_is_a_time_of_day() {
        assertThat(problemsInSteps("  s: { type: delay, until: \"25:00\" }\n"))
                .containsExactly(at("steps.s.until", "expected a time of day from \"00:00\" to \"23:59\", got string '25:00'"));
    }

    @Test
    void time_zone_must_exist() {
        assertThat(problemsInSteps("  s: { type: delay, until: \"09:00\", time_zone: Europe/Lisbn }\n"))
                .containsExactly(at("steps.s.time_zone", "unknown time zone string 'Europe/Lisbn'; expected user or a zone such as Europe/Lisbon"));
    }

    @Test
    void time_zone_goes_with_until_only() {
        assertThat(problemsInSteps("  s: { type: delay, duration: 1h, time_zone: user }\n"))
                .containsExactly(at("steps.s.time_zone", "only allowed with until"));
    }

    @Test
    void decision_split_needs_filters() {
        assertThat(problemsInSteps("  s: { type: decision_split, yes: s }\n")).containsExactly(at("steps.s.filters", "required"));
    }

    @Test
    void bad_filters_in_steps_are_reported_with_full_paths() {
        assertThat(problemsInSteps("""
                  s: { type: decision_split, filters: { attribute: "lead score", greater_than: high }, yes: a }
                  a: { type: audience_paths, groups: [ { name: hot, filters: { all: [ { email: maybe } ] } } ] }
                """)).containsExactly(
                at("steps.s.filters.greater_than", "expected a number, got string 'high'"),
                at("steps.a.groups[0].filters.all[0].email", "expected present or absent, got string 'maybe'"));
    }

    @Test
    void audience_paths_need_a_group() {
        assertThat(problemsInSteps("  s: { type: audience_paths, groups: [] }\n"))
                .containsExactly(at("steps.s.groups", "an audience_paths step needs at least one group"));
    }

    // ---- entry ---------------------------------------------------------------------------------

    @Test
    void an_entry_needs_a_trigger() {
        assertThat(problemsInEntry("{ triggers: [] }"))
                .containsExactly(at("entry.triggers", "an entry needs at least one trigger, or api_triggered: {}"));
    }

    @Test
    void an_entry_without_triggers_is_refused() {
        assertThat(problemsInEntry("{ send_to: all_users }"))
                .containsExactly(at("entry.triggers", "required: an entry needs at least one trigger, or api_triggered: {}"));
    }

    @Test
    void unknown_keys_in_the_entry_are_refused() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], reentry: { allowed: true, afer: 0s } }"))
                .containsExactly(at("entry.reentry.afer", "unknown key; did you mean after?"));
    }

    @Test
    void negative_reentry_is_refused() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], reentry: { allowed: true, after: -5s } }"))
                .containsExactly(at("entry.reentry.after", "must not be negative, got string '-5s'"));
    }

    @Test
    void reentry_after_needs_allowed() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], reentry: { allowed: false, after: 1h } }"))
                .containsExactly(at("entry.reentry.after", "only allowed when allowed is true"));
    }

    @Test
    void reentry_says_whether_it_is_allowed() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], reentry: { after: 1h } }"))
                .containsExactly(at("entry.reentry.allowed", "required: true or false"));
    }

    @Test
    void limits_are_positive_whole_numbers() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], limits: { per_hour: 0, per_day: 1.5, lifetime: many } }"))
                .containsExactly(
                        at("entry.limits.per_hour", "expected a whole number ≥ 1, got number 0"),
                        at("entry.limits.per_day", "expected a whole number ≥ 1, got number 1.5"),
                        at("entry.limits.lifetime", "expected a whole number ≥ 1, got string 'many'"));
    }

    @Test
    void send_to_is_one_of_three() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], send_to: everyone }"))
                .containsExactly(at("entry.send_to", "expected all_users, subscribed_or_opted_in or opted_in, got string 'everyone'"));
    }

    @Test
    void an_unknown_segment_is_refused_with_a_suggestion() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], audience: { segments: [leads, lead] } }"))
                .containsExactly(at("entry.audience.segments[1]", "unknown segment 'lead'; did you mean leads?"));
    }

    @Test
    void a_segment_listed_twice_is_refused() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], audience: { segments: [leads, leads] } }"))
                .containsExactly(at("entry.audience.segments[1]", "segment 'leads' is listed twice (also segments[0])"));
    }

    @Test
    void segments_cannot_be_resolved_without_definitions() {
        Parsed<Canvas> p = DefinitionLoader.parse(DefinitionLoader.CANVASES,
                HEAD + "entry: { triggers: [ { session_started: {} } ], audience: { segments: [leads] } }\nstart: s\nsteps:\n" + STEP, FILE, false);
        assertThat(p.problems()).map(Problem::toString)
                .containsExactly(at("entry.audience.segments[0]", "unknown segment 'leads' (no segments are defined)"));
    }

    @Test
    void bad_audience_filters_are_reported_with_full_paths() {
        assertThat(problemsInEntry("{ triggers: [ { session_started: {} } ], audience: { filters: { none: [ { attribute: is_employee, is: maybe } ] } } }"))
                .containsExactly(at("entry.audience.filters.none[0].is",
                        "expected true, false, true_or_not_set or false_or_not_set, got string 'maybe'"));
    }

    // ---- triggers ------------------------------------------------------------------------------

    @Test
    void unknown_trigger_kind_is_refused_with_a_suggestion() {
        assertThat(problemsInTrigger("{ custom_evnt: { name: x } }"))
                .containsExactly(at("entry.triggers[0].custom_evnt", "unknown trigger; did you mean custom_event?"));
    }

    @Test
    void a_trigger_has_one_kind() {
        assertThat(problemsInTrigger("{ session_started: {}, email_added: {} }"))
                .containsExactly(at("entry.triggers[0]", "a trigger takes one kind; found session_started and email_added (list them as separate triggers)"));
    }

    @Test
    void custom_event_needs_a_name() {
        assertThat(problemsInTrigger("{ custom_event: { properties: [] } }"))
                .containsExactly(at("entry.triggers[0].custom_event.name", "required"));
    }

    @Test
    void trigger_settings_are_a_mapping() {
        assertThat(problemsInTrigger("{ custom_event: demo_requested }"))
                .containsExactly(at("entry.triggers[0].custom_event", "expected a mapping such as { name: demo_requested }, got string 'demo_requested'"));
    }

    @Test
    void unknown_trigger_settings_are_refused() {
        assertThat(problemsInTrigger("{ purchase: { prodct_id: p1 } }"))
                .containsExactly(at("entry.triggers[0].purchase.prodct_id", "unknown key; did you mean product_id?"));
    }

    @Test
    void triggers_without_settings_take_none() {
        assertThat(problemsInTrigger("{ email_added: { name: email } }"))
                .containsExactly(at("entry.triggers[0].email_added.name", "unknown key; email_added takes no settings"));
    }

    @Test
    void crossed_needs_a_threshold() {
        assertThat(problemsInTrigger("{ custom_attribute_crossed: { name: \"lead score\", direction: up } }"))
                .containsExactly(at("entry.triggers[0].custom_attribute_crossed.threshold", "required"));
    }

    @Test
    void crossed_direction_is_up_or_down() {
        assertThat(problemsInTrigger("{ custom_attribute_crossed: { name: \"lead score\", threshold: 100, direction: sideways } }"))
                .containsExactly(at("entry.triggers[0].custom_attribute_crossed.direction", "expected up or down, got string 'sideways'"));
    }

    @Test
    void crossed_needs_a_direction() {
        assertThat(problemsInTrigger("{ custom_attribute_crossed: { name: \"lead score\", threshold: 100 } }"))
                .containsExactly(at("entry.triggers[0].custom_attribute_crossed.direction", "required: up or down"));
    }

    @Test
    void changed_to_null_is_refused() {
        assertThat(problemsInTrigger("{ custom_attribute_changed: { name: x, value: null } }"))
                .containsExactly(at("entry.triggers[0].custom_attribute_changed.value",
                        "must not be null: the trigger never fires on an unset value (leave value out for any new value)"));
    }

    @Test
    void property_filters_reuse_the_attribute_operators() {
        assertThat(problemsInTrigger("{ custom_event: { name: x, properties: [ { property: plan, equal: pro }, { property: price, greater_than: cheap } ] } }"))
                .containsExactly(
                        at("entry.triggers[0].custom_event.properties[0].equal", "unknown operator; did you mean equals?"),
                        at("entry.triggers[0].custom_event.properties[1].greater_than", "expected a number, got string 'cheap'"));
    }

    @Test
    void a_property_path_has_no_empty_names() {
        assertThat(problemsInTrigger("{ custom_event: { name: x, properties: [ { property: plan..tier, blank: true } ] } }"))
                .containsExactly(at("entry.triggers[0].custom_event.properties[0].property",
                        "empty name in property path string 'plan..tier' (write a list of keys for names that hold dots)"));
    }

    @Test
    void api_triggered_is_not_an_exception_event() {
        assertThat(problems(HEAD + ENTRY + "exit_on: [ { api_triggered: {} } ]\nstart: s\nsteps:\n" + STEP))
                .containsExactly(at("exit_on[0].api_triggered", "api_triggered only enters a Canvas (entry.triggers); it is not an exception event"));
    }

    @Test
    void exception_events_are_checked_like_triggers() {
        assertThat(problems(HEAD + ENTRY + "exit_on: [ { custom_event: {} } ]\nstart: s\nsteps:\n" + STEP))
                .containsExactly(at("exit_on[0].custom_event.name", "required"));
    }

    @Test
    void every_problem_is_reported_at_once() {
        assertThat(problems("""
                id: c
                entry: { triggers: [ { custom_event: {} } ] }
                start: s
                steps:
                  s: { type: user_update, updates: [ { attribute: x } ], next: t }
                """)).containsExactly(
                at("name", "required"),
                at("entry.triggers[0].custom_event.name", "required"),
                at("steps.s.updates[0]", "an update needs one operation: set, unset, increment, decrement, add or remove"),
                at("steps.s.next", "no step 't'; expected s"));
    }
}
