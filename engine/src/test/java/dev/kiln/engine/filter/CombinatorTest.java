package dev.kiln.engine.filter;

import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kiln.engine.filter.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

class CombinatorTest {
    static final Filter YES = new Filter.EmailAddress(false);
    static final Filter NO = new Filter.EmailAddress(true);
    static final UserState USER = new UserState("u1", 0);

    @Test
    void all_needs_every_filter_and_empty_all_is_everyone() {
        assertThat(new Filter.All(List.of(YES, YES)).test(USER, NOW)).isTrue();
        assertThat(new Filter.All(List.of(YES, NO)).test(USER, NOW)).isFalse();
        assertThat(Filter.EVERYONE.test(USER, NOW)).isTrue();
    }

    @Test
    void any_needs_one_filter_and_empty_any_is_no_one() {
        assertThat(new Filter.Any(List.of(NO, YES)).test(USER, NOW)).isTrue();
        assertThat(new Filter.Any(List.of(NO, NO)).test(USER, NOW)).isFalse();
        assertThat(new Filter.Any(List.of()).test(USER, NOW)).isFalse();
    }

    @Test
    void none_refuses_when_any_filter_matches() {
        assertThat(new Filter.None(List.of(NO, NO)).test(USER, NOW)).isTrue();
        assertThat(new Filter.None(List.of(NO, YES)).test(USER, NOW)).isFalse();
        assertThat(new Filter.None(List.of()).test(USER, NOW)).isTrue();
    }

    @Test
    void not_inverts() {
        assertThat(new Filter.Not(YES).test(USER, NOW)).isFalse();
        assertThat(new Filter.Not(NO).test(USER, NOW)).isTrue();
    }

    @Test
    void the_seed_leads_segment_selects_scored_non_employees_without_a_status() {
        Filter leads = new Filter.All(List.of(
                new Filter.Attribute("lead score", new Condition.Num(Condition.Num.Op.GREATER_THAN, 10)),
                new Filter.Attribute("lead_status", new Condition.Str(Condition.Str.Op.NONE_OF, List.of("MQL", "SQL"))),
                new Filter.Attribute("is_employee", new Condition.Bool(Condition.Bool.Op.FALSE_OR_NOT_SET))));
        Segment segment = new Segment("leads", "Leads", leads);

        UserState lead = new UserState("u1", 0);
        lead.custom().put("lead score", new Value.Num(42));
        assertThat(segment.includes(lead, NOW)).isTrue();

        lead.custom().put("lead_status", new Value.Str("MQL"));
        assertThat(segment.includes(lead, NOW)).isFalse();

        UserState employee = new UserState("u2", 0);
        employee.custom().put("lead score", new Value.Num(42));
        employee.custom().put("is_employee", new Value.Bool(true));
        assertThat(segment.includes(employee, NOW)).isFalse();
    }
}
