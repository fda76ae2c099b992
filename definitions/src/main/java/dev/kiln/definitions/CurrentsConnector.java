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
 *   type: files                 # or jdbc, http (see {@link Files}, {@link Jdbc}, {@link Http})
 *   path: ./kiln-data/currents
 *   format: ndjson_gzip         # or avro
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
        return PATTERNS.computeIfAbsent(glob, CurrentsConnector::compile).matcher(type).matches();
    }

    /** Globs compiled once: an exporter matches every event log row it reads. Globs come from definitions, so few. */
    private static final java.util.Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!re.isEmpty()) re.append(".*");
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /** Where a connector's events go: {@link Files}, {@link Jdbc} or {@link Http}. */
    public sealed interface Sink permits Files, Jdbc, Http {
        String FILES = "files";
        String JDBC = "jdbc";
        String HTTP = "http";
        String NDJSON_GZIP = "ndjson_gzip";
        String AVRO = "avro";
        long DEFAULT_ROLL_SECONDS = 300;
        int DEFAULT_ROLL_EVENTS = 15_000;

        /** {@code files}, {@code jdbc} or {@code http}. */
        String type();
    }

    /**
     * Files under {@code path/event_type=<type>/date=<YYYY-MM-DD-HH>/}: {@code ndjson_gzip} (newline-delimited
     * JSON, gzip) or {@code avro} (Avro object container files, one schema per event type), rolled every
     * {@code rollSeconds} or {@code rollEvents}.
     */
    public record Files(String path, String format, long rollSeconds, int rollEvents) implements Sink {
        public Files {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
        }

        @Override public String type() { return FILES; }
    }

    /**
     * A warehouse table with one row per event, inserted idempotently by event {@code id} (PostgreSQL, DuckDB,
     * SQLite). The table is created when absent. Rows are written in transactions of up to {@code batchEvents},
     * or of what arrived within {@code flushMillis}.
     *
     * @param password where to read the password from, or null
     */
    public record Jdbc(String jdbcUrl, String user, Connection.SecretRef password, String table, int batchEvents,
                       long flushMillis) implements Sink {
        public static final String DEFAULT_TABLE = "kiln_currents_events";
        public static final int DEFAULT_BATCH_EVENTS = 5_000;
        public static final long DEFAULT_FLUSH_MILLIS = 1_000;

        public Jdbc {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(table, "table");
        }

        @Override public String type() { return JDBC; }
    }

    /**
     * Batches POSTed as JSON ({@code {"events": [...]}}) to {@code url}, retried with backoff until a 2xx. Up to
     * {@code batchEvents} per request, or what arrived within {@code flushMillis}.
     *
     * @param headers extra request headers; values are literal text (not secrets)
     * @param authorization where to read the {@code Authorization} header value from, or null
     */
    public record Http(String url, java.util.Map<String, String> headers, Connection.SecretRef authorization,
                       int batchEvents, long flushMillis, long timeoutMillis) implements Sink {
        public static final int DEFAULT_BATCH_EVENTS = 1_000;
        public static final long DEFAULT_FLUSH_MILLIS = 1_000;
        public static final long DEFAULT_TIMEOUT_MILLIS = 10_000;

        public Http {
            Objects.requireNonNull(url, "url");
            headers = java.util.Map.copyOf(headers);
        }

        @Override public String type() { return HTTP; }
    }
}
