package dev.kiln.engine.filter;

import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserState;

/** The rules of {@link EventCondition}, applied to one activity's summary ({@code null} when never done). */
final class EventConditions {
    private EventConditions() {}

    static EventSummary summary(Activity activity, UserState user) {
        return switch (activity) {
            case Activity.CustomEvent e -> user.events().get(e.name());
            case Activity.AnyPurchase p -> user.purchases();
            case Activity.Product p -> user.products().get(p.productId());
            case Activity.Sessions s -> user.sessions();
        };
    }

    static boolean test(EventCondition condition, EventSummary summary, long now) {
        boolean never = summary == null || summary.count() == 0;
        return switch (condition) {
            case EventCondition.Never n -> never;
            case EventCondition.Count c -> {
                long count = never ? 0
                        : c.inLastDays() == EventCondition.ALL_TIME ? summary.count()
                        : summary.countInLastDays(c.inLastDays(), now);
                yield switch (c.op()) {
                    case GREATER_THAN -> count > c.n();
                    case LESS_THAN -> count < c.n();
                    case EXACTLY -> count == c.n();
                };
            }
            case EventCondition.LastPerformed l -> {
                if (never) yield false;
                long since = now - l.days() * Filters.DAY_MILLIS;
                yield switch (l.op()) {
                    case MORE_THAN_DAYS_AGO -> summary.last() < since;
                    case LESS_THAN_DAYS_AGO -> summary.last() > since;
                };
            }
        };
    }
}
