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
        Documents.refuseUnknownKeys(s, SINK_KEYS);
        Cursor t = s.field("type");
        Optional<String> type = t.text(Words.oneOf(List.of("files")));
        if (type.isEmpty()) return null;
        switch (type.get()) {
            case "files" -> { }
            case "jdbc", "http" -> {
                t.problem("the " + type.get() + " sink is not yet supported; use type: files");
                return null;
            }
            default -> {
                t.problem("unknown sink type; " + Words.suggest(type.get(), SINK_TYPES));
                return null;
            }
        }
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
            Optional<String> text = f.text("ndjson_gzip");
            if (text.isEmpty()) return null;
            if (text.get().equals("avro")) {
                f.problem("avro is not yet supported; use format: ndjson_gzip (newline-delimited JSON, gzip)");
                return null;
            }
            if (!text.get().equals(format)) {
                f.problem("unknown format; " + Words.suggest(text.get(), FORMATS));
                return null;
            }
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
        return new CurrentsConnector.Sink(CurrentsConnector.Sink.FILES, path.get(), format, rollSeconds, rollEvents);
    }

    @Override public String toString() { return "currents"; }
}
