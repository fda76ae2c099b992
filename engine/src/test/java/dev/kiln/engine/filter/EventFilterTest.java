package dev.kiln.engine.filter;

import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.kiln.engine.filter.EventCondition.Count.Op.*;
import static dev.kiln.engine.filter.EventCondition.LastPerformed.Op.*;
import static dev.kiln.engine.filter.Fixtures.DAY;
import static dev.kiln.engine.filter.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

class EventFilterTest {

    /** demo_requested: 3 times 40 days ago, twice 2 days ago, once 5 hours ago. */
    static UserState lead() {
        UserState u = new UserState("u1", 0);
        EventSummary s = new EventSummary();
        s.record(NOW - 40 * DAY, 3);
        s.record(NOW - 2 * DAY, 2);
        s.record(NOW - 5 * 3_600_000L, 1);
        u.events().put("demo_requested", s);
        return u;
    }

    static Stream<Arguments> cases() {
        Activity demo = new Activity.CustomEvent("demo_requested");
        Activity webinar = new Activity.CustomEvent("webinar_registered");
        return Stream.of(
                Arguments.of("count greater than 5 over all time", demo, new EventCondition.Count(GREATER_THAN, 5), true),
                Arguments.of("count greater than is strict", demo, new EventCondition.Count(GREATER_THAN, 6), false),
                Arguments.of("count exactly 6", demo, new EventCondition.Count(EXACTLY, 6), true),
                Arguments.of("count less than 7", demo, new EventCondition.Count(LESS_THAN, 7), true),
                Arguments.of("count in the last 7 days leaves old ones out", demo, new EventCondition.Count(EXACTLY, 3, 7), true),
                Arguments.of("count in the last 1 day is today only", demo, new EventCondition.Count(EXACTLY, 1, 1), true),
                Arguments.of("count in the last 30 days", demo, new EventCondition.Count(GREATER_THAN, 3, 30), false),
                Arguments.of("never performed counts as 0", webinar, new EventCondition.Count(LESS_THAN, 1), true),
                Arguments.of("never performed is exactly 0 in a window", webinar, new EventCondition.Count(EXACTLY, 0, 7), true),
                Arguments.of("never performed is not greater than 0", webinar, new EventCondition.Count(GREATER_THAN, 0), false),
                Arguments.of("last performed less than 1 day ago", demo, new EventCondition.LastPerformed(LESS_THAN_DAYS_AGO, 1), true),
                Arguments.of("last performed more than 1 day ago is false", demo, new EventCondition.LastPerformed(MORE_THAN_DAYS_AGO, 1), false),
                Arguments.of("last performed more than 0 days ago", demo, new EventCondition.LastPerformed(MORE_THAN_DAYS_AGO, 0), true),
                Arguments.of("never performed matches no last-performed condition", webinar, new EventCondition.LastPerformed(MORE_THAN_DAYS_AGO, 1), false),
                Arguments.of("never performed matches no last-performed condition (less)", webinar, new EventCondition.LastPerformed(LESS_THAN_DAYS_AGO, 100), false),
                Arguments.of("never matches an event not done", webinar, new EventCondition.Never(), true),
                Arguments.of("never refuses an event done", demo, new EventCondition.Never(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void event_conditions_follow_braze(String name, Activity activity, EventCondition condition, boolean expected) {
        assertThat(new Filter.Event(activity, condition).test(lead(), NOW)).isEqualTo(expected);
    }

    @Test
    void purchases_products_and_sessions_are_separate_activities() {
        UserState u = new UserState("u1", 0);
        u.purchases().record(NOW - DAY, 2);
        u.products().computeIfAbsent("pro-plan", k -> new EventSummary()).record(NOW - DAY, 2);
        u.sessions().record(NOW - 3 * DAY, 1);

        assertThat(new Filter.Event(new Activity.AnyPurchase(), new EventCondition.Count(EXACTLY, 2)).test(u, NOW)).isTrue();
        assertThat(new Filter.Event(new Activity.Product("pro-plan"), new EventCondition.Count(EXACTLY, 2, 7)).test(u, NOW)).isTrue();
        assertThat(new Filter.Event(new Activity.Product("starter"), new EventCondition.Never()).test(u, NOW)).isTrue();
        assertThat(new Filter.Event(new Activity.Sessions(), new EventCondition.LastPerformed(MORE_THAN_DAYS_AGO, 2)).test(u, NOW)).isTrue();
        assertThat(new Filter.Event(new Activity.Sessions(), new EventCondition.Count(EXACTLY, 0, 2)).test(u, NOW)).isTrue();
    }

    @Test
    void a_new_user_never_purchased_nor_started_a_session() {
        UserState u = new UserState("u1", 0);
        assertThat(new Filter.Event(new Activity.AnyPurchase(), new EventCondition.Never()).test(u, NOW)).isTrue();
        assertThat(new Filter.Event(new Activity.Sessions(), new EventCondition.Never()).test(u, NOW)).isTrue();
    }
}
