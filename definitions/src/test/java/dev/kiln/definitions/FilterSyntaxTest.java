package dev.kiln.definitions;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.filter.Activity;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.EventCondition;
import dev.kiln.engine.filter.Filter;
import dev.kiln.engine.filter.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every operator of docs/filters.md, read into the engine's filter model. */
class FilterSyntaxTest {
    static final long DAY = 86_400_000L;

    static Filter parse(String filterYaml) {
        Parsed<Segment> p = DefinitionLoader.parseSegment("id: s\nname: S\nfilters: " + filterYaml + "\n", "segments/s.yaml", false);
        assertThat(p.problems()).isEmpty();
        return p.value().orElseThrow().filter();
    }

    static Filter attr(String name, Condition c) { return new Filter.Attribute(name, c); }

    static Stream<Arguments> operators() {
        long jan31 = BrazeTime.parse("2026-01-31").orElseThrow();
        return Stream.of(
                Arguments.of("{ attribute: \"lead score\", equals: 10 }", attr("lead score", new Condition.Num(Condition.Num.Op.EQUALS, 10))),
                Arguments.of("{ attribute: plan, equals: \"10\" }", attr("plan", new Condition.Str(Condition.Str.Op.EQUALS, "10"))),
                Arguments.of("{ attribute: score, not_equal: 1.5 }", attr("score", new Condition.Num(Condition.Num.Op.NOT_EQUAL, 1.5))),
                Arguments.of("{ attribute: status, not_equal: MQL }", attr("status", new Condition.Str(Condition.Str.Op.NOT_EQUAL, "MQL"))),
                Arguments.of("{ attribute: score, greater_than: 10 }", attr("score", new Condition.Num(Condition.Num.Op.GREATER_THAN, 10))),
                Arguments.of("{ attribute: score, less_than: -1 }", attr("score", new Condition.Num(Condition.Num.Op.LESS_THAN, -1))),
                Arguments.of("{ attribute: s, any_of: [MQL, SQL] }", attr("s", new Condition.Str(Condition.Str.Op.ANY_OF, List.of("MQL", "SQL")))),
                Arguments.of("{ attribute: s, none_of: [MQL] }", attr("s", new Condition.Str(Condition.Str.Op.NONE_OF, List.of("MQL")))),
                Arguments.of("{ attribute: s, contains_any: [gold] }", attr("s", new Condition.Str(Condition.Str.Op.CONTAINS_ANY, List.of("gold")))),
                Arguments.of("{ attribute: s, not_contains_any: [gold] }", attr("s", new Condition.Str(Condition.Str.Op.NOT_CONTAINS_ANY, List.of("gold")))),
                Arguments.of("{ attribute: email, matches_regex: '@acme\\.com$' }", attr("email", new Condition.Regex("@acme\\.com$", false))),
                Arguments.of("{ attribute: company, not_matches_regex: acme }", attr("company", new Condition.Regex("acme", true))),
                Arguments.of("{ attribute: e, is: true }", attr("e", new Condition.Bool(Condition.Bool.Op.TRUE))),
                Arguments.of("{ attribute: e, is: false }", attr("e", new Condition.Bool(Condition.Bool.Op.FALSE))),
                Arguments.of("{ attribute: e, is: true_or_not_set }", attr("e", new Condition.Bool(Condition.Bool.Op.TRUE_OR_NOT_SET))),
                Arguments.of("{ attribute: e, is: false_or_not_set }", attr("e", new Condition.Bool(Condition.Bool.Op.FALSE_OR_NOT_SET))),
                Arguments.of("{ attribute: t, before: 2026-01-31 }", attr("t", new Condition.Before(jan31))),
                Arguments.of("{ attribute: t, after: 2026-01-31 }", attr("t", new Condition.After(jan31 + DAY - 1))),
                Arguments.of("{ attribute: t, after: '2026-01-31T09:30:00Z' }", attr("t", new Condition.After(jan31 + 9 * 3_600_000L + 30 * 60_000L))),
                Arguments.of("{ attribute: t, more_than_days_ago: 7 }", attr("t", new Condition.Relative(Condition.Relative.Op.MORE_THAN_DAYS_AGO, 7))),
                Arguments.of("{ attribute: t, less_than_days_ago: 0 }", attr("t", new Condition.Relative(Condition.Relative.Op.LESS_THAN_DAYS_AGO, 0))),
                Arguments.of("{ attribute: t, in_more_than_days: 3 }", attr("t", new Condition.Relative(Condition.Relative.Op.IN_MORE_THAN_DAYS, 3))),
                Arguments.of("{ attribute: t, in_less_than_days: 3 }", attr("t", new Condition.Relative(Condition.Relative.Op.IN_LESS_THAN_DAYS, 3))),
                Arguments.of("{ attribute: tags, includes_any: [a, b] }", attr("tags", new Condition.Arr(Condition.Arr.Op.INCLUDES_ANY, List.of("a", "b")))),
                Arguments.of("{ attribute: tags, includes_none: [a] }", attr("tags", new Condition.Arr(Condition.Arr.Op.INCLUDES_NONE, List.of("a")))),
                Arguments.of("{ attribute: company, blank: true }", attr("company", new Condition.Blank())),
                Arguments.of("{ attribute: company, not_blank: true }", attr("company", new Condition.NotBlank())),
                Arguments.of("{ event: demo_requested, count: { greater_than: 0 }, in_last_days: 7 }",
                        new Filter.Event(new Activity.CustomEvent("demo_requested"), new EventCondition.Count(EventCondition.Count.Op.GREATER_THAN, 0, 7))),
                Arguments.of("{ event: kiln.email.open, count: { exactly: 3 } }",
                        new Filter.Event(new Activity.CustomEvent("kiln.email.open"), new EventCondition.Count(EventCondition.Count.Op.EXACTLY, 3))),
                Arguments.of("{ purchase: any, count: { less_than: 2 } }",
                        new Filter.Event(new Activity.AnyPurchase(), new EventCondition.Count(EventCondition.Count.Op.LESS_THAN, 2))),
                Arguments.of("{ product: pro-plan, never_performed: true }",
                        new Filter.Event(new Activity.Product("pro-plan"), new EventCondition.Never())),
                Arguments.of("{ session: any, last_performed: { more_than_days_ago: 30 } }",
                        new Filter.Event(new Activity.Sessions(), new EventCondition.LastPerformed(EventCondition.LastPerformed.Op.MORE_THAN_DAYS_AGO, 30))),
                Arguments.of("{ event: webinar, last_performed: { less_than_days_ago: 2 } }",
                        new Filter.Event(new Activity.CustomEvent("webinar"), new EventCondition.LastPerformed(EventCondition.LastPerformed.Op.LESS_THAN_DAYS_AGO, 2))),
                Arguments.of("{ email: present }", new Filter.EmailAddress(true)),
                Arguments.of("{ email: absent }", new Filter.EmailAddress(false)),
                Arguments.of("{ email_subscribe: { any_of: [opted_in, subscribed] } }", new Filter.EmailSubscribe(Set.of("opted_in", "subscribed"))),
                Arguments.of("{ not: { email: present } }", new Filter.Not(new Filter.EmailAddress(true))),
                Arguments.of("{ none: [ { email: present } ] }", new Filter.None(List.of(new Filter.EmailAddress(true)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void each_operator_reads_into_the_engine_model(String yaml, Filter expected) {
        assertThat(parse(yaml)).isEqualTo(expected);
    }

    @Test
    void the_seed_leads_segment_reads_as_nested_combinators() {
        Parsed<Segment> p = DefinitionLoader.parseSegment("""
                id: leads
                name: Leads
                filters:
                  all:
                    - { attribute: "lead score", greater_than: 10 }
                    - { attribute: lead_status, none_of: [MQL, SQL] }
                    - { attribute: is_employee, is: false_or_not_set }
                    - any:
                        - { event: demo_requested, count: { greater_than: 0 }, in_last_days: 7 }
                        - { email: present }
                    - none: [ { attribute: company, matches_regex: "acme" } ]
                """, "segments/leads.yaml", false);
        assertThat(p.problems()).isEmpty();
        assertThat(p.value().orElseThrow()).isEqualTo(new Segment("leads", "Leads", new Filter.All(List.of(
                attr("lead score", new Condition.Num(Condition.Num.Op.GREATER_THAN, 10)),
                attr("lead_status", new Condition.Str(Condition.Str.Op.NONE_OF, List.of("MQL", "SQL"))),
                attr("is_employee", new Condition.Bool(Condition.Bool.Op.FALSE_OR_NOT_SET)),
                new Filter.Any(List.of(
                        new Filter.Event(new Activity.CustomEvent("demo_requested"), new EventCondition.Count(EventCondition.Count.Op.GREATER_THAN, 0, 7)),
                        new Filter.EmailAddress(true))),
                new Filter.None(List.of(attr("company", new Condition.Regex("acme", false))))))));
    }

    @Test
    void a_segment_without_filters_is_everyone() {
        assertThat(DefinitionLoader.parseSegment("id: all\nname: All users\n", "segments/all.yaml", false).value())
                .contains(new Segment("all", "All users", Filter.EVERYONE));
    }

    @Test
    void json_documents_use_the_same_syntax() {
        Parsed<Segment> p = DefinitionLoader.parseSegment(
                "{\"id\": \"mql\", \"name\": \"MQL\", \"filters\": {\"attribute\": \"lead_status\", \"equals\": \"MQL\"}}", "body", true);
        assertThat(p.value()).contains(new Segment("mql", "MQL", attr("lead_status", new Condition.Str(Condition.Str.Op.EQUALS, "MQL"))));
    }
}
