package dev.kiln.engine.filter;

import dev.kiln.engine.StandardAttributes;
import dev.kiln.engine.UserState;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A condition on one user, in Braze's segment-filter vocabulary. Immutable; evaluate with
 * {@link #test(UserState, long)}. Braze's rules for blank (absent) values and letter case are documented
 * on each {@link Condition} and {@link EventCondition}, and in {@code docs/filters.md}.
 */
public sealed interface Filter {

    /** Matches every user: a segment without filters. */
    Filter EVERYONE = new All(List.of());

    /** Whether {@code user} matches at time {@code now} (epoch ms); pure and deterministic. */
    default boolean test(UserState user, long now) {
        return Filters.test(this, user, now);
    }

    /** AND. An empty list matches everyone. */
    record All(List<Filter> filters) implements Filter {
        public All { filters = List.copyOf(filters); }
    }

    /** OR. An empty list matches no one. */
    record Any(List<Filter> filters) implements Filter {
        public Any { filters = List.copyOf(filters); }
    }

    /** NOT any of: matches when no filter in the list does. An empty list matches everyone. */
    record None(List<Filter> filters) implements Filter {
        public None { filters = List.copyOf(filters); }
    }

    record Not(Filter filter) implements Filter {
        public Not { Objects.requireNonNull(filter, "filter"); }
    }

    /** A condition on one attribute, looked up with {@link UserState#attribute(String)} (standard first, then custom). */
    record Attribute(String name, Condition condition) implements Filter {
        public Attribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(condition, "condition");
        }
    }

    /** A condition on what the user did: a custom event, purchases, one product, or sessions. */
    record Event(Activity activity, EventCondition condition) implements Filter {
        public Event {
            Objects.requireNonNull(activity, "activity");
            Objects.requireNonNull(condition, "condition");
        }
    }

    /** Whether the standard attribute {@code email} holds a non-empty string. */
    record EmailAddress(boolean present) implements Filter {}

    /**
     * The email subscription state (standard attribute {@code email_subscribe}) is one of {@code states}.
     * An absent state counts as {@code subscribed}: Braze gives every new profile that state
     * (braze-docs, message_building_by_channel/email/managing_user_subscriptions.md, "Subscription states").
     */
    record EmailSubscribe(Set<String> states) implements Filter {
        public static final String DEFAULT_STATE = "subscribed";

        public EmailSubscribe {
            states = Set.copyOf(states);
            for (String s : states)
                if (!StandardAttributes.SUBSCRIPTION_STATES.contains(s))
                    throw new IllegalArgumentException("unknown subscription state: " + s);
        }
    }
}
