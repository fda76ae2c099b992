package dev.kiln.engine;

import java.util.Set;

/** Braze's standard user attributes; every other attribute name in /users/track is a custom attribute. */
public final class StandardAttributes {
    private StandardAttributes() {}

    public static final Set<String> NAMES = Set.of(
            "first_name", "last_name", "email", "phone", "country", "language", "time_zone",
            "home_city", "gender", "dob", "email_subscribe", "push_subscribe", "date_of_first_session",
            "date_of_last_session");

    /** Allowed values of the subscription state attributes. */
    public static final Set<String> SUBSCRIPTION_STATES = Set.of("opted_in", "subscribed", "unsubscribed");

    public static boolean isStandard(String name) { return NAMES.contains(name); }
}
