package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Filter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code canvases/*.yaml}: {@code id}, {@code name}, {@code tags}, {@code status}, {@code entry},
 * {@code exit_on}, {@code start} and {@code steps} (see {@code docs/canvases.md}). Parsing leaves the
 * audience's segments unresolved; {@link #resolve} folds their filters in.
 */
final class CanvasKind implements DocumentKind<Canvas> {
    static final List<String> KEYS = List.of("id", "name", "tags", "status", "entry", "exit_on", "start", "steps");
    static final List<String> STATUSES = List.of("draft", "active", "stopped");
    static final String API_IN_EXIT = "api_triggered only enters a Canvas (entry.triggers); it is not an exception event";

    @Override public String folder() { return "canvases"; }

    @Override public String singular() { return "canvas"; }

    @Override public Canvas parse(JsonNode document, ProblemSink problems) {
        CountingSink sink = new CountingSink(problems);
        Cursor root = Cursor.root(document, sink);
        if (!root.isMapping()) {
            root.problem("expected a mapping with id, name, entry, start and steps, got " + root.describe());
            return null;
        }
        Documents.refuseUnknownKeys(root, KEYS);
        Optional<String> id = Documents.id(root);
        Optional<String> name = Documents.name(root);
        List<String> tags = tags(root.field("tags"));
        Canvas.Status status = status(root.field("status"));
        Entry entry = EntryParser.parse(root.field("entry"), sink);
        Cursor exit = root.field("exit_on");
        List<Trigger> exitOn = exit.present() ? TriggerParser.list(exit, API_IN_EXIT) : List.of();
        Optional<String> start = root.field("start").text("a step id");

        Cursor stepsAt = root.field("steps");
        StepParser stepParser = new StepParser(sink);
        Map<String, Step> steps = steps(stepsAt, stepParser);
        if (steps == null) return null;
        List<String> stepIds = stepsAt.keys();
        boolean linked = CanvasGraph.references(stepParser.refs(), stepIds);
        if (start.isPresent() && !stepIds.contains(start.get())) {
            root.field("start").problem("no step '" + start.get() + "'; " + Words.suggest(start.get(), stepIds));
            linked = false;
        }
        if (sink.count() > 0) return null;
        // Only a clean document gets the whole-graph checks: with a step missing they would mislead.
        if (linked) {
            CanvasGraph.reachable(stepsAt, start.get(), steps);
            CanvasGraph.loopsWithoutWaiting(stepsAt, steps);
        }
        if (sink.count() > 0) return null;
        Canvas canvas = new Canvas(id.get(), name.get(), tags, 1, status, entry, start.get(), steps, exitOn);
        CanvasGraph.warnSelfReentry(root, canvas);
        return canvas;
    }

    static List<String> tags(Cursor t) {
        if (!t.present()) return List.of();
        if (!t.isList()) {
            t.problem("expected a list of tags, got " + t.describe());
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Cursor c : t.elements()) c.text("a tag").ifPresent(out::add);
        return out;
    }

    static Canvas.Status status(Cursor s) {
        if (!s.present()) return Canvas.Status.DRAFT;
        if (s.node().isTextual() && STATUSES.contains(s.node().textValue()))
            return Canvas.Status.valueOf(s.node().textValue().toUpperCase(Locale.ROOT));
        s.problem("expected " + Words.oneOf(STATUSES) + ", got " + s.describeAsText());
        return null;
    }

    /** Steps by id in document order; null when there are none to check. */
    private static Map<String, Step> steps(Cursor at, StepParser parser) {
        if (!at.present()) {
            at.problem("required");
            return null;
        }
        if (!at.isMapping()) {
            at.problem("expected a mapping of step ids to steps, got " + at.describe());
            return null;
        }
        if (at.keys().isEmpty()) {
            at.problem("a Canvas needs at least one step");
            return null;
        }
        Map<String, Step> steps = new LinkedHashMap<>();
        for (String id : at.keys()) {
            Cursor c = at.field(id);
            if (!Documents.ID.matcher(id).matches()) {
                c.problem("a step id must be 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit");
                continue;
            }
            Step step = parser.parse(id, c);
            if (step != null) steps.put(id, step);
        }
        return steps;
    }

    /**
     * Folds the audience's segments, in order, and its own filters into one {@link Filter.All}; checks
     * the connections that webhook steps name.
     */
    @Override public Canvas resolve(Canvas canvas, DefinitionSet context, ProblemSink problems) {
        Entry e = canvas.entry();
        Filter audience = References.audience(e.segmentIds(), e.audience(), "entry.audience.segments", context, problems);
        boolean connections = true;
        Cursor steps = new Cursor(null, "steps", problems);
        for (Step step : new java.util.TreeMap<>(canvas.steps()).values()) // sorted: messages in a stable order
            if (step instanceof Step.WebhookStep w)
                connections &= References.connections(WebhookParser.templates(w.webhook(), steps.field(w.id())), context);
        if (audience == null || !connections) return null;
        Entry resolved = new Entry(e.triggers(), e.apiTriggered(), audience, e.segmentIds(), e.reentry(), e.limits(), e.sendTo());
        return new Canvas(canvas.id(), canvas.name(), canvas.tags(), canvas.version(), canvas.status(), resolved,
                canvas.start(), canvas.steps(), canvas.exitOn());
    }

    @Override public String toString() { return "canvases"; }
}
