package dev.kiln.engine.filter;

import dev.kiln.engine.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.kiln.engine.filter.Condition.Arr.Op.*;
import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class ArrayConditionTest {

    static Stream<Arguments> cases() {
        List<String> genres = List.of("sci-fi", "fantasy");
        return Stream.of(
                row("includes_any matches one shared value", new Condition.Arr(INCLUDES_ANY, genres), arr("horror", "fantasy"), true),
                row("includes_any is exact and case sensitive", new Condition.Arr(INCLUDES_ANY, genres), arr("Fantasy", "sci"), false),
                row("includes_any refuses an empty array", new Condition.Arr(INCLUDES_ANY, genres), arr(), false),
                row("includes_any refuses blank", new Condition.Arr(INCLUDES_ANY, genres), null, false),
                row("includes_any refuses a string", new Condition.Arr(INCLUDES_ANY, genres), str("fantasy"), false),
                row("includes_none matches without the values", new Condition.Arr(INCLUDES_NONE, genres), arr("horror"), true),
                row("includes_none refuses a shared value", new Condition.Arr(INCLUDES_NONE, genres), arr("horror", "sci-fi"), false),
                row("includes_none includes an empty array", new Condition.Arr(INCLUDES_NONE, genres), arr(), true),
                row("includes_none includes blank", new Condition.Arr(INCLUDES_NONE, genres), null, true),
                row("includes_none refuses a wrong type", new Condition.Arr(INCLUDES_NONE, genres), str("x"), false),
                row("blank matches an empty array", new Condition.Blank(), arr(), true),
                row("not_blank matches a non-empty array", new Condition.NotBlank(), arr("a"), true),
                row("not_blank refuses an empty array", new Condition.NotBlank(), arr(), false),
                row("not_blank matches an object (present, wrong type for everything else)", new Condition.NotBlank(), obj(), true),
                row("an object never matches a value condition", new Condition.Str(Condition.Str.Op.NOT_EQUAL, "x"), obj(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void array_conditions_follow_braze(Condition c, Value value, boolean expected) {
        assertThat(test(c, value)).isEqualTo(expected);
    }
}
