package dev.kiln.engine.filter;

import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;

/** Evaluates {@link Filter}s. Pure: reads the user and {@code now}, nothing else. */
public final class Filters {
    private Filters() {}

    /** One day in Braze's relative filters: 24 hours, not a calendar day. */
    static final long DAY_MILLIS = 86_400_000L;

    /** Whether one value (null = absent) meets a condition; used for event property filters. */
    public static boolean testValue(Condition condition, dev.kiln.engine.Value value, long now) {
        return AttributeConditions.test(condition, value, now);
    }

    public static boolean test(Filter filter, UserState user, long now) {
        return switch (filter) {
            case Filter.All all -> {
                for (Filter f : all.filters()) if (!test(f, user, now)) yield false;
                yield true;
            }
            case Filter.Any any -> {
                for (Filter f : any.filters()) if (test(f, user, now)) yield true;
                yield false;
            }
            case Filter.None none -> {
                for (Filter f : none.filters()) if (test(f, user, now)) yield false;
                yield true;
            }
            case Filter.Not not -> !test(not.filter(), user, now);
            case Filter.Attribute a -> AttributeConditions.test(a.condition(), user.attribute(a.name()).orElse(null), now);
            case Filter.Event e -> EventConditions.test(e.condition(), EventConditions.summary(e.activity(), user), now);
            case Filter.EmailAddress e -> e.present() == user.email().filter(s -> !s.isEmpty()).isPresent();
            case Filter.EmailSubscribe s -> s.states().contains(
                    user.attribute("email_subscribe").orElse(null) instanceof Value.Str state
                            ? state.value() : Filter.EmailSubscribe.DEFAULT_STATE);
        };
    }
}
