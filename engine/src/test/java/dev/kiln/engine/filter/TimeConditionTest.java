package dev.kiln.engine.filter;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.kiln.engine.filter.Condition.Relative.Op.*;
import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class TimeConditionTest {

    static Stream<Arguments> cases() {
        long jan31 = BrazeTime.parse("2026-01-31").orElseThrow();
        return Stream.of(
                row("before is strict", new Condition.Before(jan31), time(jan31), false),
                row("before matches earlier", new Condition.Before(jan31), time(jan31 - 1), true),
                row("before refuses blank", new Condition.Before(jan31), null, false),
                row("before refuses a date string", new Condition.Before(jan31), str("2020-01-01"), false),
                row("after is strict", new Condition.After(jan31), time(jan31), false),
                row("after matches later", new Condition.After(jan31), time(jan31 + 1), true),
                row("after refuses blank", new Condition.After(jan31), null, false),
                row("more than 7 days ago matches 8 days ago", new Condition.Relative(MORE_THAN_DAYS_AGO, 7), time(NOW - 8 * DAY), true),
                row("more than 7 days ago is 24-hour days, strict", new Condition.Relative(MORE_THAN_DAYS_AGO, 7), time(NOW - 7 * DAY), false),
                row("more than 7 days ago refuses the future", new Condition.Relative(MORE_THAN_DAYS_AGO, 7), time(NOW + DAY), false),
                row("more than 7 days ago refuses blank", new Condition.Relative(MORE_THAN_DAYS_AGO, 7), null, false),
                row("less than 7 days ago matches 6 days ago", new Condition.Relative(LESS_THAN_DAYS_AGO, 7), time(NOW - 6 * DAY), true),
                row("less than 7 days ago matches now", new Condition.Relative(LESS_THAN_DAYS_AGO, 7), time(NOW), true),
                row("less than 7 days ago is strict", new Condition.Relative(LESS_THAN_DAYS_AGO, 7), time(NOW - 7 * DAY), false),
                row("less than 7 days ago refuses the future", new Condition.Relative(LESS_THAN_DAYS_AGO, 7), time(NOW + 1), false),
                row("in more than 2 days matches 3 days ahead", new Condition.Relative(IN_MORE_THAN_DAYS, 2), time(NOW + 3 * DAY), true),
                row("in more than 2 days is strict", new Condition.Relative(IN_MORE_THAN_DAYS, 2), time(NOW + 2 * DAY), false),
                row("in more than 2 days refuses the past", new Condition.Relative(IN_MORE_THAN_DAYS, 2), time(NOW - 3 * DAY), false),
                row("in less than 2 days matches tomorrow", new Condition.Relative(IN_LESS_THAN_DAYS, 2), time(NOW + DAY), true),
                row("in less than 2 days refuses now", new Condition.Relative(IN_LESS_THAN_DAYS, 2), time(NOW), false),
                row("in less than 2 days is strict", new Condition.Relative(IN_LESS_THAN_DAYS, 2), time(NOW + 2 * DAY), false),
                row("in less than 2 days refuses blank", new Condition.Relative(IN_LESS_THAN_DAYS, 2), null, false),
                row("blank matches absent", new Condition.Blank(), null, true),
                row("not_blank matches a time", new Condition.NotBlank(), time(0), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void time_conditions_follow_braze(Condition c, Value value, boolean expected) {
        assertThat(test(c, value)).isEqualTo(expected);
    }
}
