package dev.kiln.runtime;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.Parsed;
import dev.kiln.definitions.Problem;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.CanvasSet;
import dev.kiln.store.CanvasRow;
import dev.kiln.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every Canvas with its lifecycle: version, status ({@code draft → active → stopped}) and the document it
 * came from, whether a definitions file or {@code PUT /canvases/{id}}. The store keeps the lifecycle, so
 * versions and launches survive restarts. A changed document makes a new version: users in flight stay
 * on steps whose id still exists and the rest exit (recorded as {@code step_removed}) the next time the
 * engine touches them. A file's {@code status} applies when the file is new or changed; after that
 * {@code launch}/{@code stop} decide. Thread-safe; every change republishes the runtime's CanvasSet.
 */
public final class CanvasRegistry {
    private static final Logger log = LoggerFactory.getLogger(CanvasRegistry.class);

    /** One Canvas as the API shows it. */
    public record Entry(Canvas canvas, String origin, String document, String format, long updatedAt) {}

    /** A document with problems; nothing changed. */
    public static final class InvalidCanvasException extends RuntimeException {
        private final List<Problem> problems;

        InvalidCanvasException(List<Problem> problems) {
            super(problems.stream().map(Problem::toString).reduce((a, b) -> a + "\n" + b).orElse("invalid Canvas"));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() { return problems; }
    }

    public static final class NoSuchCanvasException extends RuntimeException {
        NoSuchCanvasException(String id) { super("no Canvas with id '" + id + "'"); }
    }

    private final Store store;
    private final KilnRuntime runtime;
    private final Clock clock;
    private final Map<String, Entry> entries = new TreeMap<>();
    private DefinitionSet context = DefinitionSet.EMPTY;

    /** Stored rows not yet parsed: API Canvases may name segments, known only once definitions load. */
    private final List<CanvasRow> stored = new ArrayList<>();

    public CanvasRegistry(Store store, KilnRuntime runtime) {
        this.store = store;
        this.runtime = runtime;
        this.clock = runtime.clock();
        stored.addAll(store.canvasRows());
        for (CanvasRow row : stored) {
            // A placeholder keeps the version and status until definitionsLoaded resolves the document.
            entries.put(row.id(), new Entry(null, row.origin(), row.document(), row.format(), row.updatedAt()));
        }
    }

    private int storedVersion(String id) {
        return stored.stream().filter(r -> r.id().equals(id)).mapToInt(CanvasRow::version).findFirst().orElse(0);
    }

    private Canvas.Status storedStatus(String id) {
        return stored.stream().filter(r -> r.id().equals(id)).map(r -> status(r.status())).findFirst().orElse(Canvas.Status.DRAFT);
    }

    private static Canvas.Status status(String s) { return Canvas.Status.valueOf(s.toUpperCase(java.util.Locale.ROOT)); }

    /**
     * The definitions directory loaded or changed: file Canvases are added, re-versioned when their
     * document changed, and removed from the running set when their file is gone (stored ones from the
     * API stay). Segment references of every Canvas are resolved against {@code set}.
     */
    public synchronized void definitionsLoaded(DefinitionSet set, Map<String, String> fileDocuments) {
        this.context = set;
        Map<String, Entry> next = new TreeMap<>();
        for (var en : entries.entrySet()) {
            String id = en.getKey();
            Entry e = en.getValue();
            if (e.origin().equals("file")) continue;
            int version = e.canvas() == null ? storedVersion(id) : e.canvas().version();
            Canvas.Status status = e.canvas() == null ? storedStatus(id) : e.canvas().status();
            Parsed<Canvas> p = DefinitionLoader.parseCanvas(e.document(), "canvas " + id, e.format().equals("json"), set);
            if (p.valid()) next.put(id, new Entry(p.value().get().withVersion(version).withStatus(status),
                    e.origin(), e.document(), e.format(), e.updatedAt()));
            else if (e.canvas() != null) {
                log.warn("canvas {} no longer valid against the definitions; kept as it was: {}", id, p.problems());
                next.put(id, e);
            } else {
                log.warn("stored canvas {} is not valid against the definitions and is not running: {}", id, p.problems());
                next.put(id, e);
            }
        }
        for (Canvas c : set.canvases().values()) {
            String doc = fileDocuments.getOrDefault(c.id(), "");
            Entry old = entries.get(c.id());
            int oldVersion = old == null ? 0 : old.canvas() == null ? storedVersion(c.id()) : old.canvas().version();
            Canvas.Status oldStatus = old == null ? null : old.canvas() == null ? storedStatus(c.id()) : old.canvas().status();
            Entry e;
            if (old != null && old.document().equals(doc)) {
                e = new Entry(c.withVersion(oldVersion).withStatus(oldStatus), "file", doc, "yaml", old.updatedAt());
            } else {
                int version = oldVersion + 1;
                e = new Entry(c.withVersion(version), "file", doc, "yaml", clock.millis());
                save(e);
                if (old != null) log.info("canvas {} changed: version {}", c.id(), version);
            }
            next.put(c.id(), e);
        }
        entries.clear();
        entries.putAll(next);
        publish();
    }

    /** {@code PUT /canvases/{id}}: creates or replaces (a new version) from a document. */
    public synchronized Entry put(String id, String document, boolean json) {
        Parsed<Canvas> p = DefinitionLoader.parseCanvas(document, "canvases/" + id + (json ? ".json" : ".yaml"), json, context);
        if (!p.valid()) throw new InvalidCanvasException(p.problems());
        Canvas c = p.value().get();
        if (!c.id().equals(id)) throw new InvalidCanvasException(List.of(new Problem("canvases/" + id, "id",
                "the document's id '" + c.id() + "' differs from the id in the URL '" + id + "'")));
        Entry old = entries.get(id);
        if (old != null && old.canvas() == null) old = null; // unresolved stored row: replaced
        // A document without `status` keeps the Canvas's current status: editing an active Canvas
        // makes a new active version, as a Braze user expects.
        if (old != null && !mentionsStatus(document)) c = c.withStatus(old.canvas().status());
        if (old != null && old.canvas().sameDefinition(c) && old.canvas().status() == c.status()) return old;
        int version = old == null ? Math.max(1, storedVersion(id) + 1) : old.canvas().version() + (old.canvas().sameDefinition(c) ? 0 : 1);
        Entry e = new Entry(c.withVersion(version), "api", document, json ? "json" : "yaml", clock.millis());
        save(e);
        entries.put(id, e);
        publish();
        return e;
    }

    private static boolean mentionsStatus(String document) {
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(document);
            return node != null && node.has("status");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    public synchronized Entry launch(String id) { return setStatus(id, Canvas.Status.ACTIVE); }

    public synchronized Entry stop(String id) { return setStatus(id, Canvas.Status.STOPPED); }

    private Entry setStatus(String id, Canvas.Status status) {
        Entry old = entries.get(id);
        if (old == null || old.canvas() == null) throw new NoSuchCanvasException(id);
        if (old.canvas().status() == status) return old;
        Entry e = new Entry(old.canvas().withStatus(status), old.origin(), old.document(), old.format(), clock.millis());
        save(e);
        entries.put(id, e);
        publish();
        log.info("canvas {} v{} is now {}", id, e.canvas().version(), status.name().toLowerCase(java.util.Locale.ROOT));
        return e;
    }

    public synchronized List<Entry> all() { return entries.values().stream().filter(e -> e.canvas() != null).toList(); }

    public synchronized Optional<Entry> get(String id) { return Optional.ofNullable(entries.get(id)).filter(e -> e.canvas() != null); }

    private void save(Entry e) {
        store.saveCanvasRow(new CanvasRow(e.canvas().id(), e.canvas().version(), e.canvas().status().name().toLowerCase(java.util.Locale.ROOT),
                e.document(), e.format(), e.origin(), e.updatedAt()));
    }

    private void publish() {
        Map<String, Canvas> set = new HashMap<>();
        for (Entry e : entries.values()) if (e.canvas() != null) set.put(e.canvas().id(), e.canvas());
        runtime.canvases(new CanvasSet(set));
    }
}
