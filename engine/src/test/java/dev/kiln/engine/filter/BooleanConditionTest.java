package dev.kiln.engine.filter;

import dev.kiln.engine.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.kiln.engine.filter.Condition.Bool.Op.*;
import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class BooleanConditionTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                row("is true matches true", new Condition.Bool(TRUE), bool(true), true),
                row("is true refuses false", new Condition.Bool(TRUE), bool(false), false),
                row("is true refuses blank", new Condition.Bool(TRUE), null, false),
                row("is false matches false", new Condition.Bool(FALSE), bool(false), true),
                row("is false refuses blank", new Condition.Bool(FALSE), null, false),
                row("true_or_not_set matches true", new Condition.Bool(TRUE_OR_NOT_SET), bool(true), true),
                row("true_or_not_set matches blank", new Condition.Bool(TRUE_OR_NOT_SET), null, true),
                row("true_or_not_set refuses false", new Condition.Bool(TRUE_OR_NOT_SET), bool(false), false),
                row("true_or_not_set refuses a wrong type", new Condition.Bool(TRUE_OR_NOT_SET), str("true"), false),
                row("false_or_not_set matches false", new Condition.Bool(FALSE_OR_NOT_SET), bool(false), true),
                row("false_or_not_set matches blank", new Condition.Bool(FALSE_OR_NOT_SET), null, true),
                row("false_or_not_set refuses true", new Condition.Bool(FALSE_OR_NOT_SET), bool(true), false),
                row("false_or_not_set refuses a wrong type", new Condition.Bool(FALSE_OR_NOT_SET), num(0), false),
                row("blank matches absent", new Condition.Blank(), null, true),
                row("not_blank matches false", new Condition.NotBlank(), bool(false), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void boolean_conditions_follow_braze(Condition c, Value value, boolean expected) {
        assertThat(test(c, value)).isEqualTo(expected);
    }
}
