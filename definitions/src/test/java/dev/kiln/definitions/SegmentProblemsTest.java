package dev.kiln.definitions;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per validation rule; each asserts the exact line {@code kiln validate} prints. */
class SegmentProblemsTest {
    static final String FILE = "segments/leads.yaml";

    static List<String> problems(String yaml) {
        Parsed<?> parsed = DefinitionLoader.parseSegment(yaml, FILE, false);
        assertThat(parsed.value()).isEmpty();
        return parsed.problems().stream().map(Problem::toString).toList();
    }

    static List<String> problemsInFilter(String filterYaml) {
        return problems("id: leads\nname: Leads\nfilters: " + filterYaml + "\n");
    }

    static String at(String path, String message) {
        return FILE + ": " + path + ": " + message;
    }

    // ---- document ------------------------------------------------------------------------------

    @Test
    void unknown_top_level_key_is_refused_with_a_suggestion() {
        assertThat(problems("id: leads\nname: Leads\nfilter: { email: present }\n"))
                .containsExactly(at("filter", "unknown key; did you mean filters?"));
    }

    @Test
    void unknown_top_level_key_far_from_any_lists_the_keys() {
        assertThat(problems("id: leads\nname: Leads\ncolour: red\n"))
                .containsExactly(at("colour", "unknown key; expected id, name or filters"));
    }

    @Test
    void missing_id_is_reported() {
        assertThat(problems("name: Leads\n")).containsExactly(at("id", "required"));
    }

    @Test
    void missing_name_is_reported() {
        assertThat(problems("id: leads\n")).containsExactly(at("name", "required"));
    }

    @Test
    void id_of_wrong_type_is_reported() {
        assertThat(problems("id: 42\nname: Leads\n")).containsExactly(at("id", "expected a string, got number 42"));
    }

    @Test
    void id_with_spaces_is_refused() {
        assertThat(problems("id: lead scoring\nname: Leads\n")).containsExactly(at("id",
                "must be 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit; got string 'lead scoring'"));
    }

    @Test
    void empty_name_is_refused() {
        assertThat(problems("id: leads\nname: ''\n")).containsExactly(at("name", "must not be empty"));
    }

    @Test
    void a_document_that_is_not_a_mapping_is_refused() {
        assertThat(problems("- id: leads\n")).containsExactly(at("$", "expected a mapping with id, name and filters, got a list"));
    }

    @Test
    void an_empty_document_is_refused() {
        assertThat(problems("# nothing yet\n")).containsExactly(at("$", "empty document"));
    }

    @Test
    void two_documents_in_one_file_are_refused() {
        assertThat(problems("id: a\nname: A\n---\nid: b\nname: B\n"))
                .containsExactly(at("$", "a file holds one document; found another after ---"));
    }

    @Test
    void invalid_yaml_names_line_and_column() {
        assertThat(problems("id: leads\nname: [Leads\nfilters: {}\n")).containsExactly(at("$",
                "invalid YAML at line 3, column 8: while parsing a flow sequence; expected ',' or ']', but got :"));
    }

    @Test
    void a_repeated_key_is_refused() {
        assertThat(problems("id: leads\nname: A\nname: B\n")).containsExactly(at("$",
                "invalid YAML at line 3, column 5: Duplicate field 'name'"));
    }

    @Test
    void invalid_json_names_line_and_column() {
        var parsed = DefinitionLoader.parseSegment("{\"id\": \"leads\",\n \"name\": }", "segments/leads.json", true);
        assertThat(parsed.problems()).map(Problem::toString).containsExactly(
                "segments/leads.json: $: invalid JSON at line 2, column 10: Unexpected character ('}' (code 125)): "
                        + "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
    }

    // ---- filter shape --------------------------------------------------------------------------

    @Test
    void filters_must_be_a_mapping() {
        assertThat(problemsInFilter("[ { email: present } ]")).containsExactly(at("filters",
                "expected a filter, a mapping such as { attribute: x, equals: 1 } or { all: [...] }, got a list"));
    }

    @Test
    void a_filter_without_a_subject_is_refused_with_a_suggestion() {
        assertThat(problemsInFilter("{ all: [ { atribute: score, equals: 1 } ] }")).containsExactly(at("filters.all[0]",
                "a filter needs one of all, any, none, not, attribute, event, purchase, product, session, email or email_subscribe; "
                        + "found atribute, equals (did you mean attribute?)"));
    }

    @Test
    void a_filter_with_two_subjects_is_refused() {
        assertThat(problemsInFilter("{ attribute: score, event: demo, equals: 1 }")).containsExactly(at("filters",
                "a filter takes one subject; found attribute and event (combine filters with all or any)"));
    }

    @Test
    void a_combinator_takes_no_other_keys() {
        assertThat(problemsInFilter("{ all: [ { email: present } ], equals: 1 }"))
                .containsExactly(at("filters.equals", "unexpected beside all; all takes no other keys"));
    }

    @Test
    void a_combinator_needs_a_list() {
        assertThat(problemsInFilter("{ any: { email: present } }"))
                .containsExactly(at("filters.any", "expected a list of filters, got a mapping"));
    }

    @Test
    void a_combinator_needs_at_least_one_filter() {
        assertThat(problemsInFilter("{ none: [] }")).containsExactly(at("filters.none", "must list at least one filter"));
    }

    @Test
    void not_takes_one_filter() {
        assertThat(problemsInFilter("{ not: [ { email: present } ] }")).containsExactly(at("filters.not",
                "expected a filter, a mapping such as { attribute: x, equals: 1 } or { all: [...] }, got a list"));
    }

    // ---- attribute operators -------------------------------------------------------------------

    @Test
    void an_unknown_operator_gets_a_suggestion() {
        assertThat(problemsInFilter("{ attribute: score, greater_then: 1 }"))
                .containsExactly(at("filters.greater_then", "unknown operator; did you mean greater_than?"));
    }

    @Test
    void an_attribute_filter_needs_an_operator() {
        assertThat(problemsInFilter("{ attribute: score }")).containsExactly(at("filters",
                "an attribute filter needs an operator: one of equals, not_equal, greater_than, less_than, any_of, none_of, "
                        + "contains_any, not_contains_any, matches_regex, not_matches_regex, is, before, after, more_than_days_ago, "
                        + "less_than_days_ago, in_more_than_days, in_less_than_days, includes_any, includes_none, blank or not_blank"));
    }

    @Test
    void an_attribute_filter_takes_one_operator() {
        assertThat(problemsInFilter("{ attribute: score, greater_than: 1, less_than: 5 }")).containsExactly(at("filters",
                "an attribute filter takes one operator; found greater_than and less_than (combine filters with all or any)"));
    }

    @Test
    void the_attribute_name_must_be_a_string() {
        assertThat(problemsInFilter("{ attribute: [a], blank: true }"))
                .containsExactly(at("filters.attribute", "expected an attribute name, got a list"));
    }

    @Test
    void attribute_names_with_spaces_work_and_keys_with_spaces_are_quoted_in_paths() {
        assertThat(problemsInFilter("{ attribute: \"lead score\", \"greater than\": 1 }"))
                .containsExactly(at("filters[\"greater than\"]", "unknown operator; did you mean greater_than?"));
    }

    @Test
    void equals_a_boolean_points_to_is() {
        assertThat(problemsInFilter("{ attribute: is_employee, equals: true }")).containsExactly(at("filters.equals",
                "expected a number or a string, got boolean true (for booleans write is: true or is: false)"));
    }

    @Test
    void equals_an_empty_string_points_to_blank() {
        assertThat(problemsInFilter("{ attribute: status, equals: '' }")).containsExactly(at("filters.equals",
                "must not be empty (use blank: true or not_blank: true for empty values)"));
    }

    @Test
    void greater_than_needs_a_number() {
        assertThat(problemsInFilter("{ attribute: score, greater_than: '10' }"))
                .containsExactly(at("filters.greater_than", "expected a number, got string '10'"));
    }

    @Test
    void any_of_needs_a_list() {
        assertThat(problemsInFilter("{ attribute: lead_status, any_of: MQL }"))
                .containsExactly(at("filters.any_of", "expected a list of strings, got string 'MQL'"));
    }

    @Test
    void none_of_needs_at_least_one_value() {
        assertThat(problemsInFilter("{ attribute: lead_status, none_of: [] }"))
                .containsExactly(at("filters.none_of", "must list at least one value"));
    }

    @Test
    void a_yaml_boolean_in_a_string_list_is_explained() {
        assertThat(problemsInFilter("{ attribute: answer, any_of: [maybe, no] }")).containsExactly(at("filters.any_of[1]",
                "expected a string, got boolean false (quote it if you meant text: YAML reads yes, no, on and off as booleans)"));
    }

    @Test
    void string_lists_hold_at_most_256_values() {
        String values = String.join(", ", java.util.Collections.nCopies(257, "x"));
        assertThat(problemsInFilter("{ attribute: a, contains_any: [" + values + "] }"))
                .containsExactly(at("filters.contains_any", "at most 256 values, got 257"));
    }

    @Test
    void a_bad_regex_is_reported_with_its_position() {
        assertThat(problemsInFilter("{ attribute: company, matches_regex: 'acme(' }"))
                .containsExactly(at("filters.matches_regex", "invalid regular expression: Unclosed group at index 5"));
    }

    @Test
    void is_takes_braze_boolean_choices() {
        assertThat(problemsInFilter("{ attribute: is_employee, is: maybe }")).containsExactly(at("filters.is",
                "expected true, false, true_or_not_set or false_or_not_set, got string 'maybe'"));
    }

    @Test
    void a_bad_date_is_reported() {
        assertThat(problemsInFilter("{ attribute: signed_up_at, before: 31/01/2026 }")).containsExactly(at("filters.before",
                "expected a date such as 2026-01-31 or a time such as 2026-01-31T09:00:00Z, got string '31/01/2026'"));
    }

    @Test
    void a_negative_number_of_days_is_refused() {
        assertThat(problemsInFilter("{ attribute: last_seen, more_than_days_ago: -3 }")).containsExactly(at("filters.more_than_days_ago",
                "expected a whole number of days from 0 to 36500, got number -3"));
    }

    @Test
    void a_fraction_of_a_day_is_refused() {
        assertThat(problemsInFilter("{ attribute: trial_ends_at, in_less_than_days: 1.5 }")).containsExactly(at("filters.in_less_than_days",
                "expected a whole number of days from 0 to 36500, got number 1.5"));
    }

    @Test
    void blank_takes_only_true() {
        assertThat(problemsInFilter("{ attribute: company, blank: false }"))
                .containsExactly(at("filters.blank", "expected true, got boolean false"));
    }

    // ---- events, email -------------------------------------------------------------------------

    @Test
    void an_event_filter_needs_a_condition() {
        assertThat(problemsInFilter("{ event: demo_requested }")).containsExactly(at("filters",
                "an event filter needs one of count, last_performed or never_performed"));
    }

    @Test
    void an_event_filter_takes_one_condition() {
        assertThat(problemsInFilter("{ event: demo_requested, count: { exactly: 0 }, never_performed: true }")).containsExactly(at("filters",
                "an event filter takes one of count, last_performed or never_performed; found count and never_performed (combine filters with all or any)"));
    }

    @Test
    void an_unknown_event_key_gets_a_suggestion() {
        assertThat(problemsInFilter("{ event: demo_requested, count: { greater_than: 0 }, in_last_day: 7 }"))
                .containsExactly(at("filters.in_last_day", "unknown key for an event filter; did you mean in_last_days?"));
    }

    @Test
    void in_last_days_goes_up_to_30() {
        assertThat(problemsInFilter("{ event: demo_requested, count: { greater_than: 0 }, in_last_days: 31 }"))
                .containsExactly(at("filters.in_last_days", "expected a whole number of days from 1 to 30, got number 31"));
    }

    @Test
    void in_last_days_only_goes_with_count() {
        assertThat(problemsInFilter("{ session: any, last_performed: { more_than_days_ago: 7 }, in_last_days: 7 }"))
                .containsExactly(at("filters.in_last_days", "only allowed with count"));
    }

    @Test
    void a_count_needs_a_whole_non_negative_number() {
        assertThat(problemsInFilter("{ product: pro-plan, count: { exactly: -1 } }"))
                .containsExactly(at("filters.count.exactly", "expected a whole number ≥ 0, got number -1"));
    }

    @Test
    void a_count_needs_a_known_operator() {
        assertThat(problemsInFilter("{ event: demo_requested, count: { at_least: 2 } }"))
                .containsExactly(at("filters.count.at_least", "unknown operator; expected greater_than, less_than or exactly"));
    }

    @Test
    void purchase_takes_any() {
        assertThat(problemsInFilter("{ purchase: pro-plan, never_performed: true }")).containsExactly(at("filters.purchase",
                "expected any (use product: ID for one product), got string 'pro-plan'"));
    }

    @Test
    void email_is_present_or_absent() {
        assertThat(problemsInFilter("{ email: yes }")).containsExactly(at("filters.email",
                "expected present or absent, got boolean true (quote it if you meant text: YAML reads yes, no, on and off as booleans)"));
    }

    @Test
    void email_subscribe_names_known_states() {
        assertThat(problemsInFilter("{ email_subscribe: { any_of: [opted_in, opted-in] } }"))
                .containsExactly(at("filters.email_subscribe.any_of[1]", "unknown subscription state; did you mean opted_in?"));
    }

    // ---- many problems -------------------------------------------------------------------------

    @Test
    void every_problem_in_a_document_is_reported() {
        assertThat(problems("""
                id: bad id
                colour: red
                filters:
                  all:
                    - { attribute: score, greater_than: high }
                    - any:
                        - { event: demo, count: { greater_than: 0 }, in_last_days: 0 }
                        - { attribute: company, matches_regex: "[" }
                    - { email: maybe }
                """)).containsExactly(
                at("colour", "unknown key; expected id, name or filters"),
                at("id", "must be 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit; got string 'bad id'"),
                at("name", "required"),
                at("filters.all[0].greater_than", "expected a number, got string 'high'"),
                at("filters.all[1].any[0].in_last_days", "expected a whole number of days from 1 to 30, got number 0"),
                at("filters.all[1].any[1].matches_regex", "invalid regular expression: Unclosed character class at index 0"),
                at("filters.all[2].email", "expected present or absent, got string 'maybe'"));
    }
}
