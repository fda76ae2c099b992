package dev.kiln.engine;

import java.util.Map;

/**
 * Event names reserved for what a browser SDK or an email service reports. Clients send them as
 * ordinary events in /users/track; Kiln records them under Braze's Currents types. Names starting with
 * {@code kiln.} that are not listed here are refused.
 */
public final class ReservedEvents {
    private ReservedEvents() {}

    public static final String PREFIX = "kiln.";
    public static final String SESSION_START = "kiln.session_start";

    /** Reserved name → Currents event type. */
    public static final Map<String, String> TYPES = Map.of(
            SESSION_START, "users.behaviors.app.SessionStart",
            "kiln.email.delivery", "users.messages.email.Delivery",
            "kiln.email.open", "users.messages.email.Open",
            "kiln.email.click", "users.messages.email.Click",
            "kiln.email.bounce", "users.messages.email.Bounce",
            "kiln.landing_page.view", "users.behaviors.LandingPageView",
            "kiln.form.submit", "users.behaviors.FormSubmit");

    public static boolean isReserved(String name) { return TYPES.containsKey(name); }
}
