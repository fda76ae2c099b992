package dev.kiln.engine.filter;

import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class RegexConditionTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                row("matches a partial match", new Condition.Regex("acme", false), str("ACME Corp"), true),
                row("matches ignores case (Braze /gi)", new Condition.Regex("^san \\w", false), str("San Jose"), true),
                row("matches honours anchors", new Condition.Regex("^acme$", false), str("acme corp"), false),
                row("matches refuses blank", new Condition.Regex(".*", false), null, false),
                row("matches refuses empty string", new Condition.Regex(".*", false), str(""), false),
                row("matches refuses a wrong type", new Condition.Regex("1", false), num(1), false),
                row("not_matches matches a non-match", new Condition.Regex("@acme\\.com$", true), str("a@b.com"), true),
                row("not_matches refuses a match", new Condition.Regex("@ACME\\.com$", true), str("a@acme.com"), false),
                row("not_matches excludes blank (Braze regex FAQ)", new Condition.Regex("x", true), null, false),
                row("not_matches excludes empty string", new Condition.Regex("x", true), str(""), false),
                row("not_matches refuses a wrong type", new Condition.Regex("x", true), num(1), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void regex_conditions_follow_braze(Condition c, Value value, boolean expected) {
        assertThat(test(c, value)).isEqualTo(expected);
    }

    @Test
    void regexes_with_the_same_expression_are_equal_and_case_insensitive() {
        var fromPattern = new Condition.Regex(Pattern.compile("abc"), false);
        assertThat(fromPattern).isEqualTo(new Condition.Regex("abc", false)).hasSameHashCodeAs(new Condition.Regex("abc", false));
        assertThat(fromPattern.pattern().flags()).isEqualTo(Condition.Regex.FLAGS);
        assertThat(fromPattern).isNotEqualTo(new Condition.Regex("abc", true));
    }
}
