package dev.kiln.engine.filter;

import dev.kiln.engine.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.kiln.engine.filter.Condition.Num.Op.*;
import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class NumberConditionTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                row("equals matches the same number", new Condition.Num(EQUALS, 10), num(10), true),
                row("equals refuses another number", new Condition.Num(EQUALS, 10), num(10.5), false),
                row("equals 10 refuses blank", new Condition.Num(EQUALS, 10), null, false),
                row("equals 0 includes blank (Braze)", new Condition.Num(EQUALS, 0), null, true),
                row("equals 0 matches 0", new Condition.Num(EQUALS, 0), num(0), true),
                row("equals refuses a numeric string", new Condition.Num(EQUALS, 10), str("10"), false),
                row("not_equal matches another number", new Condition.Num(NOT_EQUAL, 10), num(9), true),
                row("not_equal refuses the same number", new Condition.Num(NOT_EQUAL, 10), num(10), false),
                row("not_equal includes blank", new Condition.Num(NOT_EQUAL, 10), null, true),
                row("not_equal 0 includes blank too", new Condition.Num(NOT_EQUAL, 0), null, true),
                row("not_equal refuses a wrong type", new Condition.Num(NOT_EQUAL, 10), str("x"), false),
                row("greater_than is strict", new Condition.Num(GREATER_THAN, 10), num(10), false),
                row("greater_than matches above", new Condition.Num(GREATER_THAN, 10), num(10.01), true),
                row("greater_than refuses blank", new Condition.Num(GREATER_THAN, -5), null, false),
                row("greater_than refuses a wrong type", new Condition.Num(GREATER_THAN, 0), bool(true), false),
                row("less_than is strict", new Condition.Num(LESS_THAN, 10), num(10), false),
                row("less_than matches below", new Condition.Num(LESS_THAN, 10), num(-3), true),
                row("less_than includes blank (Braze)", new Condition.Num(LESS_THAN, 10), null, true),
                row("less_than includes blank for any operand", new Condition.Num(LESS_THAN, -10), null, true),
                row("less_than refuses a wrong type", new Condition.Num(LESS_THAN, 10), str("1"), false),
                row("blank matches absent", new Condition.Blank(), null, true),
                row("blank refuses 0", new Condition.Blank(), num(0), false),
                row("not_blank matches 0", new Condition.NotBlank(), num(0), true),
                row("not_blank refuses absent", new Condition.NotBlank(), null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void number_conditions_follow_braze(Condition c, Value value, boolean expected) {
        assertThat(test(c, value)).isEqualTo(expected);
    }
}
