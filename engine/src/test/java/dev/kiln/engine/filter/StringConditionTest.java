package dev.kiln.engine.filter;

import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.kiln.engine.filter.Condition.Str.Op.*;
import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StringConditionTest {

    static Stream<Arguments> cases() {
        List<String> mqlSql = List.of("MQL", "SQL");
        return Stream.of(
                row("equals matches exactly", new Condition.Str(EQUALS, "MQL"), str("MQL"), true),
                row("equals is case sensitive", new Condition.Str(EQUALS, "MQL"), str("mql"), false),
                row("equals counts spaces", new Condition.Str(EQUALS, "MQL"), str("MQL "), false),
                row("equals refuses blank", new Condition.Str(EQUALS, "MQL"), null, false),
                row("equals refuses empty string", new Condition.Str(EQUALS, "MQL"), str(""), false),
                row("equals refuses a wrong type", new Condition.Str(EQUALS, "1"), num(1), false),
                row("not_equal matches another string", new Condition.Str(NOT_EQUAL, "MQL"), str("SQL"), true),
                row("not_equal is case sensitive", new Condition.Str(NOT_EQUAL, "MQL"), str("mql"), true),
                row("not_equal refuses the same string", new Condition.Str(NOT_EQUAL, "MQL"), str("MQL"), false),
                row("not_equal includes blank", new Condition.Str(NOT_EQUAL, "MQL"), null, true),
                row("not_equal includes empty string", new Condition.Str(NOT_EQUAL, "MQL"), str(""), true),
                row("not_equal refuses a wrong type", new Condition.Str(NOT_EQUAL, "MQL"), num(1), false),
                row("any_of matches one of", new Condition.Str(ANY_OF, mqlSql), str("SQL"), true),
                row("any_of is case sensitive", new Condition.Str(ANY_OF, mqlSql), str("sql"), false),
                row("any_of refuses blank", new Condition.Str(ANY_OF, mqlSql), null, false),
                row("none_of matches others", new Condition.Str(NONE_OF, mqlSql), str("lead"), true),
                row("none_of refuses a listed value", new Condition.Str(NONE_OF, mqlSql), str("MQL"), false),
                row("none_of includes blank", new Condition.Str(NONE_OF, mqlSql), null, true),
                row("none_of refuses a wrong type", new Condition.Str(NONE_OF, mqlSql), bool(false), false),
                row("contains_any matches a part", new Condition.Str(CONTAINS_ANY, List.of("gold", "silver")), str("former_gold_tier"), true),
                row("contains_any is case sensitive", new Condition.Str(CONTAINS_ANY, List.of("gold")), str("GOLD"), false),
                row("contains_any refuses blank", new Condition.Str(CONTAINS_ANY, List.of("gold")), null, false),
                row("not_contains_any matches without the part", new Condition.Str(NOT_CONTAINS_ANY, List.of("gold")), str("silver"), true),
                row("not_contains_any refuses with the part", new Condition.Str(NOT_CONTAINS_ANY, List.of("gold")), str("gold_tier"), false),
                row("not_contains_any includes blank", new Condition.Str(NOT_CONTAINS_ANY, List.of("gold")), null, true),
                row("blank matches empty string", new Condition.Blank(), str(""), true),
                row("blank matches absent", new Condition.Blank(), null, true),
                row("blank refuses a space", new Condition.Blank(), str(" "), false),
                row("not_blank matches text", new Condition.NotBlank(), str("a"), true),
                row("not_blank refuses empty string", new Condition.NotBlank(), str(""), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void string_conditions_follow_braze(Condition c, Value value, boolean expected) {
        assertThat(test(c, value)).isEqualTo(expected);
    }

    @Test
    void equals_takes_exactly_one_operand() {
        assertThatThrownBy(() -> new Condition.Str(EQUALS, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
