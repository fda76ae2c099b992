package dev.kiln.definitions;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@code currents/*.yaml} document: one Currents connector, streaming event log rows whose type matches
 * one of {@code events} to a sink, at least once (see {@code docs/currents.md}).
 *
 * <pre>
 * id: warehouse-files
 * events: [users.behaviors.*, users.messages.webhook.*, users.canvas.Entry, users.attributes.Change]
 * sink:
 *   type: files                 # jdbc and http: not yet
 *   path: ./kiln-data/currents
 *   format: ndjson_gzip         # avro: not yet
 *   roll_seconds: 300
 *   roll_events: 15000
 * </pre>
 *
 * @param events globs on Currents event types; {@code *} matches any run of characters (dots included)
 */
public record CurrentsConnector(String id, List<String> events, Sink sink) {
    /** Every event type Kiln writes to the event log today. */
    public static final List<String> EVENT_TYPES = List.of(
            "users.behaviors.CustomEvent", "users.behaviors.Purchase", "users.behaviors.app.SessionStart",
            "users.behaviors.LandingPageView", "users.behaviors.FormSubmit",
            "users.messages.email.Delivery", "users.messages.email.Open", "users.messages.email.Click", "users.messages.email.Bounce",
            "users.messages.webhook.Send", "users.messages.webhook.Abort", "users.messages.webhook.Failure", "users.messages.webhook.Retry",
            "users.canvas.Entry", "users.canvas.Exit", "users.attributes.Change", "users.Delete");

    public CurrentsConnector {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sink, "sink");
        events = List.copyOf(events);
    }

    /** Whether an event of this type goes to this connector. */
    public boolean matches(String type) {
        for (String glob : events) if (globMatches(glob, type)) return true;
        return false;
    }

    public static boolean globMatches(String glob, String type) {
        if (!glob.contains("*")) return glob.equals(type);
        StringBuilder re = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!re.isEmpty()) re.append(".*");
            re.append(Pattern.quote(part));
        }
        return type.matches(re.toString());
    }

    /** A files sink: newline-delimited JSON, gzip, rolled every {@code rollSeconds} or {@code rollEvents}. */
    public record Sink(String type, String path, String format, long rollSeconds, int rollEvents) {
        public static final String FILES = "files";
        public static final String NDJSON_GZIP = "ndjson_gzip";
        public static final long DEFAULT_ROLL_SECONDS = 300;
        public static final int DEFAULT_ROLL_EVENTS = 15_000;

        public Sink {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
        }
    }
}
