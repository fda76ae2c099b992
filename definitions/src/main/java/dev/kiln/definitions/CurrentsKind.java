package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code currents/*.yaml}: Currents connectors (see {@link CurrentsConnector} and {@code docs/currents.md}). */
final class CurrentsKind implements DocumentKind<CurrentsConnector> {
    static final List<String> KEYS = List.of("id", "events", "sink");
    static final List<String> SINK_KEYS = List.of("type", "path", "format", "roll_seconds", "roll_events");
    static final List<String> SINK_TYPES = List.of("files", "jdbc", "http");
    static final List<String> JDBC_KEYS = List.of("type", "jdbc_url", "user", "password", "table", "batch_events", "flush");
    static final List<String> HTTP_KEYS = List.of("type", "url", "headers", "authorization", "batch_events", "flush", "timeout");
    static final int MAX_BATCH_EVENTS = 100_000;
    static final long MAX_FLUSH_MILLIS = 3_600_000;
    static final long MAX_TIMEOUT_MILLIS = 300_000;
    /** Sink durations may also be given in milliseconds, such as 250ms. */
    private static final Pattern MILLIS = Pattern.compile("\\d{1,9}ms");
    /** Headers Kiln or the HTTP client sets; the JDK client refuses the last four. */
    private static final java.util.Set<String> SET_BY_KILN = java.util.Set.of("content-type", "content-length", "host",
            "connection", "expect", "upgrade", "transfer-encoding");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    static final List<String> FORMATS = List.of("ndjson_gzip", "avro");
    static final int MAX_GLOBS = 50;
    static final long MAX_ROLL_SECONDS = 86_400;
    static final int MAX_ROLL_EVENTS = 1_000_000;
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*]+");

    @Override public String folder() { return "currents"; }

    @Override public String singular() { return "Currents connector"; }

    @Override public String plural() { return "Currents connectors"; }

    @Override public CurrentsConnector parse(JsonNode document, ProblemSink problems) {
        CountingSink sink = new CountingSink(problems);
        Cursor root = Cursor.root(document, sink);
        if (!root.isMapping()) {
            root.problem("expected a mapping with id, events and sink, got " + root.describe());
            return null;
        }
        Documents.refuseUnknownKeys(root, KEYS);
        Optional<String> id = Documents.id(root);
        List<String> events = events(root.field("events"));
        CurrentsConnector.Sink s = sink(root.field("sink"));
        if (sink.count() > 0 || id.isEmpty() || events == null || s == null) return null;
        return new CurrentsConnector(id.get(), events, s);
    }

    private static List<String> events(Cursor e) {
        if (!e.present()) {
            e.problem("required: a list of event types or globs, such as [users.behaviors.*, users.canvas.Entry]");
            return null;
        }
        Optional<List<String>> globs = e.strings(MAX_GLOBS);
        if (globs.isEmpty()) return null;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < globs.get().size(); i++) {
            String g = globs.get().get(i);
            Cursor at = e.element(i);
            if (!GLOB.matcher(g).matches()) {
                at.problem("expected an event type or a glob of letters, digits, '_', '.' and '*', such as users.behaviors.*; got " + at.describe());
                continue;
            }
            if (CurrentsConnector.EVENT_TYPES.stream().noneMatch(t -> CurrentsConnector.globMatches(g, t))) {
                at.problem("matches no event type Kiln writes; " + Words.suggest(g, CurrentsConnector.EVENT_TYPES));
                continue;
            }
            if (out.contains(g)) {
                at.problem("listed twice");
                continue;
            }
            out.add(g);
        }
        return out.size() == globs.get().size() ? out : null;
    }

    private static CurrentsConnector.Sink sink(Cursor s) {
        if (!s.present()) {
            s.problem("required: { type: files, path: ./kiln-data/currents }");
            return null;
        }
        if (!s.isMapping()) {
            s.problem("expected a mapping such as { type: files, path: ./kiln-data/currents }, got " + s.describe());
            return null;
        }
        Cursor t = s.field("type");
        Optional<String> type = t.text(Words.oneOf(SINK_TYPES));
        if (type.isEmpty()) return null;
        return switch (type.get()) {
            case "files" -> files(s);
            case "jdbc" -> jdbc(s);
            case "http" -> http(s);
            default -> {
                t.problem("unknown sink type; " + Words.suggest(type.get(), SINK_TYPES));
                yield null;
            }
        };
    }

    private static CurrentsConnector.Files files(Cursor s) {
        Documents.refuseUnknownKeys(s, SINK_KEYS);
        Cursor p = s.field("path");
        Optional<String> path = p.text("a directory such as ./kiln-data/currents");
        if (path.isPresent()) {
            try {
                Path.of(path.get());
            } catch (InvalidPathException e) {
                p.problem("not a valid path: " + e.getReason());
                path = Optional.empty();
            }
        }
        String format = CurrentsConnector.Sink.NDJSON_GZIP;
        Cursor f = s.field("format");
        if (f.present()) {
            Optional<String> text = f.text(Words.oneOf(FORMATS));
            if (text.isEmpty()) return null;
            if (!FORMATS.contains(text.get())) {
                f.problem("unknown format; " + Words.suggest(text.get(), FORMATS));
                return null;
            }
            format = text.get();
        }
        long rollSeconds = CurrentsConnector.Sink.DEFAULT_ROLL_SECONDS;
        Cursor rs = s.field("roll_seconds");
        if (rs.present()) {
            Optional<Long> v = rs.whole("a whole number of seconds from 1 to " + MAX_ROLL_SECONDS, 1, MAX_ROLL_SECONDS);
            if (v.isEmpty()) return null;
            rollSeconds = v.get();
        }
        int rollEvents = CurrentsConnector.Sink.DEFAULT_ROLL_EVENTS;
        Cursor re = s.field("roll_events");
        if (re.present()) {
            Optional<Long> v = re.whole("a whole number of events from 1 to " + MAX_ROLL_EVENTS, 1, MAX_ROLL_EVENTS);
            if (v.isEmpty()) return null;
            rollEvents = v.get().intValue();
        }
        if (path.isEmpty()) return null;
        return new CurrentsConnector.Files(path.get(), format, rollSeconds, rollEvents);
    }

    private static CurrentsConnector.Jdbc jdbc(Cursor s) {
        Documents.refuseUnknownKeys(s, JDBC_KEYS);
        String url = CdiKind.jdbcUrl(s.field("jdbc_url"));
        String user = null;
        Cursor u = s.field("user");
        if (u.present()) user = u.text("a user name as text").orElse(null);
        Connection.SecretRef password = null;
        Cursor pw = s.field("password");
        if (pw.present()) password = ConnectionKind.secret(pw);
        String table = CurrentsConnector.Jdbc.DEFAULT_TABLE;
        Cursor t = s.field("table");
        if (t.present()) {
            table = t.text("a table name such as kiln_currents_events or analytics.kiln_events").orElse(null);
            if (table != null && !CdiKind.TABLE.matcher(table).matches()) {
                t.problem("expected a table name of letters, digits and '_' (schema.table allowed), got " + t.describe());
                table = null;
            }
        }
        int batch = batch(s.field("batch_events"), CurrentsConnector.Jdbc.DEFAULT_BATCH_EVENTS);
        long flush = millis(s.field("flush"), CurrentsConnector.Jdbc.DEFAULT_FLUSH_MILLIS, 1, MAX_FLUSH_MILLIS);
        if (url == null || table == null || batch < 1 || flush < 1 || (pw.present() && password == null)) return null;
        return new CurrentsConnector.Jdbc(url, user, password, table, batch, flush);
    }

    private static CurrentsConnector.Http http(Cursor s) {
        Documents.refuseUnknownKeys(s, HTTP_KEYS);
        Cursor uc = s.field("url");
        String url = uc.text("an http(s) URL such as https://collector.example.com/kiln").orElse(null);
        if (url != null) {
            try {
                java.net.URI uri = new java.net.URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    uc.problem("expected an absolute http or https URL, got " + uc.describe());
                    url = null;
                } else if (uri.getUserInfo() != null) {
                    // Never echo it: it holds a secret.
                    uc.problem("must not hold a user or password: write authorization: { env: VARIABLE_NAME }");
                    url = null;
                }
            } catch (java.net.URISyntaxException e) {
                uc.problem("not a valid URL: " + e.getReason());
                url = null;
            }
        }
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        boolean headersOk = true;
        Cursor h = s.field("headers");
        if (h.present()) {
            if (!h.isMapping()) {
                h.problem("expected a mapping of header names to text, got " + h.describe());
                headersOk = false;
            } else {
                for (String name : h.keys()) {
                    Cursor v = h.field(name);
                    if (!HEADER_NAME.matcher(name).matches()) {
                        v.problem("not a valid header name");
                        headersOk = false;
                    } else if (name.equalsIgnoreCase("authorization")) {
                        v.problem("write the Authorization header as authorization: { env: VARIABLE_NAME } or { file: /path }, never in headers");
                        headersOk = false;
                    } else if (SET_BY_KILN.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                        v.problem("set by Kiln; remove it");
                        headersOk = false;
                    } else {
                        Optional<String> text = v.text("header text");
                        if (text.isEmpty()) headersOk = false;
                        else headers.put(name, text.get());
                    }
                }
            }
        }
        Connection.SecretRef authorization = null;
        Cursor a = s.field("authorization");
        if (a.present()) authorization = ConnectionKind.secret(a);
        int batch = batch(s.field("batch_events"), CurrentsConnector.Http.DEFAULT_BATCH_EVENTS);
        long flush = millis(s.field("flush"), CurrentsConnector.Http.DEFAULT_FLUSH_MILLIS, 1, MAX_FLUSH_MILLIS);
        long timeout = millis(s.field("timeout"), CurrentsConnector.Http.DEFAULT_TIMEOUT_MILLIS, 100, MAX_TIMEOUT_MILLIS);
        if (url == null || !headersOk || batch < 1 || flush < 1 || timeout < 1 || (a.present() && authorization == null)) return null;
        return new CurrentsConnector.Http(url, headers, authorization, batch, flush, timeout);
    }

    private static int batch(Cursor b, int dflt) {
        if (!b.present()) return dflt;
        return b.whole("a whole number of events from 1 to " + MAX_BATCH_EVENTS, 1, MAX_BATCH_EVENTS).map(Long::intValue).orElse(-1);
    }

    private static long millis(Cursor d, long dflt, long min, long max) {
        if (!d.present()) return dflt;
        Optional<Long> ms = d.node().isTextual() && MILLIS.matcher(d.node().textValue().strip()).matches()
                ? Optional.of(Long.parseLong(d.node().textValue().strip().replace("ms", "")))
                : Durations.millis(d);
        if (ms.isEmpty()) return -1;
        if (ms.get() < min || ms.get() > max) {
            d.problem("expected a duration from " + min + "ms to " + (max / 1000) + "s, got " + d.describe());
            return -1;
        }
        return ms.get();
    }

    @Override public String toString() { return "currents"; }
}
