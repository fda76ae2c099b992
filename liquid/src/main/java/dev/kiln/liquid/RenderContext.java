package dev.kiln.liquid;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one user's render can see, built from plain data. Immutable; one context may be rendered by several
 * templates (URL, headers, body) at once. Variables bound by {@code connected_content} or {@code assign} live only
 * in the render that made them, as in Braze, where they are visible only within the field that made the call.
 */
public final class RenderContext {

    /** The {@code ${name}} forms Kiln knows, with Braze's names; {@code user_id} is the external id. */
    public static final Set<String> STANDARD_ATTRIBUTES = Set.of("user_id", "braze_id", "first_name", "last_name",
            "email_address", "phone_number", "country", "language", "time_zone", "city", "gender", "date_of_birth");

    /** Variable names the dialect reserves: {@code ${…}} reads {@value #BRAZE}. */
    static final String BRAZE = "__braze";
    static final String CUSTOM_ATTRIBUTE = "custom_attribute";
    static final String EVENT_PROPERTIES = "event_properties";
    static final String CANVAS_ENTRY_PROPERTIES = "canvas_entry_properties";
    private static final Set<String> RESERVED = Set.of(BRAZE, CUSTOM_ATTRIBUTE, EVENT_PROPERTIES, CANVAS_ENTRY_PROPERTIES);

    private final Map<String, Object> variables;
    private final ConnectedContent connectedContent;
    private final Clock clock;
    private final boolean lastAttempt;

    private RenderContext(Builder b) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.putAll(b.extra);
        vars.put(BRAZE, Values.map(b.standard));
        vars.put(CUSTOM_ATTRIBUTE, Values.map(b.customAttributes));
        vars.put(EVENT_PROPERTIES, Values.map(b.eventProperties));
        vars.put(CANVAS_ENTRY_PROPERTIES, Values.map(b.canvasEntryProperties));
        this.variables = Collections.unmodifiableMap(vars);
        this.connectedContent = b.connectedContent;
        this.clock = b.clock;
        this.lastAttempt = b.lastAttempt;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A context with no user data (previews of static templates, tests). */
    public static RenderContext empty() {
        return builder().build();
    }

    Map<String, Object> variables() { return variables; }

    ConnectedContent connectedContent() { return connectedContent; }

    Clock clock() { return clock; }

    boolean lastAttempt() { return lastAttempt; }

    public static final class Builder {
        private final Map<String, Object> standard = new LinkedHashMap<>();
        private final Map<String, Object> extra = new LinkedHashMap<>();
        private Map<String, ?> customAttributes = Map.of();
        private Map<String, ?> eventProperties = Map.of();
        private Map<String, ?> canvasEntryProperties = Map.of();
        private ConnectedContent connectedContent = ConnectedContent.UNAVAILABLE;
        private Clock clock = Clock.systemUTC();
        private boolean lastAttempt;

        private Builder() {}

        /** {@code ${user_id}}. */
        public Builder externalId(String externalId) { return standardAttribute("user_id", externalId); }

        public Builder brazeId(String brazeId) { return standardAttribute("braze_id", brazeId); }

        public Builder firstName(String v) { return standardAttribute("first_name", v); }

        public Builder lastName(String v) { return standardAttribute("last_name", v); }

        /** {@code ${email_address}}. */
        public Builder email(String v) { return standardAttribute("email_address", v); }

        /** {@code ${phone_number}}. */
        public Builder phone(String v) { return standardAttribute("phone_number", v); }

        public Builder country(String v) { return standardAttribute("country", v); }

        public Builder language(String v) { return standardAttribute("language", v); }

        /** {@code ${time_zone}}, an IANA zone id such as {@code America/Sao_Paulo}. */
        public Builder timeZone(String v) { return standardAttribute("time_zone", v); }

        /** Any of {@link #STANDARD_ATTRIBUTES} by its Braze name; null leaves it unset. */
        public Builder standardAttribute(String brazeName, Object value) {
            if (!STANDARD_ATTRIBUTES.contains(brazeName)) {
                throw new IllegalArgumentException("unknown standard attribute '" + brazeName + "'; known: "
                        + new java.util.TreeSet<>(STANDARD_ATTRIBUTES));
            }
            if (value == null) {
                standard.remove(brazeName);
            } else {
                standard.put(brazeName, value);
            }
            return this;
        }

        /** {@code custom_attribute.${name}}; names may contain spaces. Numbers should be numbers, not strings. */
        public Builder customAttributes(Map<String, ?> attributes) {
            this.customAttributes = Objects.requireNonNull(attributes, "customAttributes");
            return this;
        }

        public Builder eventProperties(Map<String, ?> properties) {
            this.eventProperties = Objects.requireNonNull(properties, "eventProperties");
            return this;
        }

        public Builder canvasEntryProperties(Map<String, ?> properties) {
            this.canvasEntryProperties = Objects.requireNonNull(properties, "canvasEntryProperties");
            return this;
        }

        /** A top-level variable such as {@code connections}; the dialect's own names are refused. */
        public Builder variable(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("variable name '" + name + "' is reserved; use the builder's own setter");
            }
            if (!name.matches("[A-Za-z_][A-Za-z0-9_-]*")) {
                throw new IllegalArgumentException("variable name '" + name + "' is not a Liquid identifier");
            }
            extra.put(name, Values.normalize(value));
            return this;
        }

        /** Where {@code connected_content} calls go; default {@link ConnectedContent#UNAVAILABLE}. */
        public Builder connectedContent(ConnectedContent port) {
            this.connectedContent = Objects.requireNonNull(port, "connectedContent");
            return this;
        }

        /** Read only by {@code "now" | date: …} and {@code time_zone}; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The caller's last try: a failed {@code :retry} connected-content call then aborts the message (Braze gives
         * up after five tries) instead of throwing a retryable {@link RenderException}.
         */
        public Builder lastAttempt(boolean lastAttempt) {
            this.lastAttempt = lastAttempt;
            return this;
        }

        public RenderContext build() {
            return new RenderContext(this);
        }
    }
}
