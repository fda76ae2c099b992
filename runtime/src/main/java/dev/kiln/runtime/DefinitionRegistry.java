package dev.kiln.runtime;

import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.Parsed;
import dev.kiln.definitions.Problem;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.store.CanvasRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Definitions with a lifecycle — Canvases and campaigns: version, status ({@code draft → active →
 * stopped}) and the document each came from, a definitions file or the API ({@code PUT /canvases/{id}},
 * {@code PUT /campaigns/{id}}). The store keeps the lifecycle, so versions and launches survive restarts.
 * A changed document makes a new version. A file's {@code status} applies when the file is new or
 * changed; after that {@code launch}/{@code stop} decide. A document put without {@code status} keeps the
 * current one. Thread-safe; every change republishes the running set through {@link Kind#publish}.
 *
 * @param <T> the engine's immutable model (Canvas, Campaign)
 */
public class DefinitionRegistry<T> {
    private static final Logger log = LoggerFactory.getLogger(DefinitionRegistry.class);

    /** What differs between the kinds of definition. */
    public interface Kind<T> {
        /** "canvas", "campaign": for messages and the API paths ({@code noun + "es"} is not assumed). */
        String noun();

        /** The API/URL folder: "canvases", "campaigns". */
        String folder();

        Parsed<T> parse(String document, String nameForMessages, boolean json, DefinitionSet context);

        Map<String, T> fromFiles(DefinitionSet set);

        String id(T t);

        int version(T t);

        Canvas.Status status(T t);

        T withVersion(T t, int version);

        T withStatus(T t, Canvas.Status status);

        boolean sameDefinition(T a, T b);

        List<CanvasRow> rows();

        void save(CanvasRow row);

        /** Hands the running set to the runtime. */
        void publish(Map<String, T> definitions);
    }

    /** One definition as the API shows it; {@code definition} is null while a stored row awaits its context. */
    public record Entry<T>(T definition, String origin, String document, String format, long updatedAt) {}

    /** A document with problems; nothing changed. */
    public static final class InvalidDefinitionException extends RuntimeException {
        private final List<Problem> problems;

        InvalidDefinitionException(String noun, List<Problem> problems) {
            super(problems.stream().map(Problem::toString).reduce((a, b) -> a + "\n" + b).orElse("invalid " + noun));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() { return problems; }
    }

    public static final class NoSuchDefinitionException extends RuntimeException {
        NoSuchDefinitionException(String noun, String id) { super("no " + noun + " with id '" + id + "'"); }
    }

    private final Kind<T> kind;
    private final Clock clock;
    private final Map<String, Entry<T>> entries = new TreeMap<>();
    private DefinitionSet context = DefinitionSet.EMPTY;

    /** Stored rows not yet parsed: API documents may name segments, known only once definitions load. */
    private final List<CanvasRow> stored = new ArrayList<>();

    protected DefinitionRegistry(Kind<T> kind, Clock clock) {
        this.kind = kind;
        this.clock = clock;
        stored.addAll(kind.rows());
        for (CanvasRow row : stored) {
            // A placeholder keeps the version and status until definitionsLoaded resolves the document.
            entries.put(row.id(), new Entry<>(null, row.origin(), row.document(), row.format(), row.updatedAt()));
        }
    }

    private int storedVersion(String id) {
        return stored.stream().filter(r -> r.id().equals(id)).mapToInt(CanvasRow::version).findFirst().orElse(0);
    }

    private Canvas.Status storedStatus(String id) {
        return stored.stream().filter(r -> r.id().equals(id)).map(r -> status(r.status())).findFirst().orElse(Canvas.Status.DRAFT);
    }

    private static Canvas.Status status(String s) { return Canvas.Status.valueOf(s.toUpperCase(Locale.ROOT)); }

    /**
     * The definitions directory loaded or changed: file definitions are added, re-versioned when their
     * document changed, and removed from the running set when their file is gone (API ones stay).
     * Segment references of every definition are resolved against {@code set}.
     */
    public synchronized void definitionsLoaded(DefinitionSet set, Map<String, String> fileDocuments) {
        this.context = set;
        Map<String, Entry<T>> next = new TreeMap<>();
        for (var en : entries.entrySet()) {
            String id = en.getKey();
            Entry<T> e = en.getValue();
            if (e.origin().equals("file")) continue;
            T cur = e.definition();
            int version = cur == null ? storedVersion(id) : kind.version(cur);
            Canvas.Status status = cur == null ? storedStatus(id) : kind.status(cur);
            Parsed<T> p = kind.parse(e.document(), kind.noun() + " " + id, e.format().equals("json"), set);
            if (p.valid()) {
                next.put(id, new Entry<>(kind.withStatus(kind.withVersion(p.value().get(), version), status),
                        e.origin(), e.document(), e.format(), e.updatedAt()));
            } else {
                log.warn("{} {} is not valid against the definitions; {}: {}", kind.noun(), id,
                        cur == null ? "not running" : "kept as it was", p.problems());
                next.put(id, e);
            }
        }
        for (T d : kind.fromFiles(set).values()) {
            String id = kind.id(d);
            String doc = fileDocuments.getOrDefault(id, "");
            Entry<T> old = entries.get(id);
            int oldVersion = old == null ? 0 : old.definition() == null ? storedVersion(id) : kind.version(old.definition());
            Canvas.Status oldStatus = old == null ? null : old.definition() == null ? storedStatus(id) : kind.status(old.definition());
            Entry<T> e;
            if (old != null && old.document().equals(doc)) {
                e = new Entry<>(kind.withStatus(kind.withVersion(d, oldVersion), oldStatus), "file", doc, "yaml", old.updatedAt());
            } else {
                int version = oldVersion + 1;
                e = new Entry<>(kind.withVersion(d, version), "file", doc, "yaml", clock.millis());
                save(e);
                if (old != null) log.info("{} {} changed: version {}", kind.noun(), id, version);
            }
            next.put(id, e);
        }
        entries.clear();
        entries.putAll(next);
        publish();
    }

    /** {@code PUT /<folder>/{id}}: creates or replaces (a new version) from a document. */
    public synchronized Entry<T> put(String id, String document, boolean json) {
        String file = kind.folder() + "/" + id + (json ? ".json" : ".yaml");
        Parsed<T> p = kind.parse(document, file, json, context);
        if (!p.valid()) throw new InvalidDefinitionException(kind.noun(), p.problems());
        T d = p.value().get();
        if (!kind.id(d).equals(id)) throw new InvalidDefinitionException(kind.noun(), List.of(new Problem(file, "id",
                "the document's id '" + kind.id(d) + "' differs from the id in the URL '" + id + "'")));
        Entry<T> old = entries.get(id);
        if (old != null && old.definition() == null) old = null; // unresolved stored row: replaced
        // A document without `status` keeps the current status: editing an active definition makes a
        // new active version, as a Braze user expects.
        if (old != null && !mentionsStatus(document)) d = kind.withStatus(d, kind.status(old.definition()));
        if (old != null && kind.sameDefinition(old.definition(), d) && kind.status(old.definition()) == kind.status(d)) return old;
        int version = old == null ? Math.max(1, storedVersion(id) + 1)
                : kind.version(old.definition()) + (kind.sameDefinition(old.definition(), d) ? 0 : 1);
        Entry<T> e = new Entry<>(kind.withVersion(d, version), "api", document, json ? "json" : "yaml", clock.millis());
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

    public synchronized Entry<T> launch(String id) { return setStatus(id, Canvas.Status.ACTIVE); }

    public synchronized Entry<T> stop(String id) { return setStatus(id, Canvas.Status.STOPPED); }

    private Entry<T> setStatus(String id, Canvas.Status status) {
        Entry<T> old = entries.get(id);
        if (old == null || old.definition() == null) throw new NoSuchDefinitionException(kind.noun(), id);
        if (kind.status(old.definition()) == status) return old;
        Entry<T> e = new Entry<>(kind.withStatus(old.definition(), status), old.origin(), old.document(), old.format(), clock.millis());
        save(e);
        entries.put(id, e);
        publish();
        log.info("{} {} v{} is now {}", kind.noun(), id, kind.version(e.definition()), status.name().toLowerCase(Locale.ROOT));
        return e;
    }

    public synchronized List<Entry<T>> all() { return entries.values().stream().filter(e -> e.definition() != null).toList(); }

    public synchronized Optional<Entry<T>> get(String id) {
        return Optional.ofNullable(entries.get(id)).filter(e -> e.definition() != null);
    }

    private void save(Entry<T> e) {
        T d = e.definition();
        kind.save(new CanvasRow(kind.id(d), kind.version(d), kind.status(d).name().toLowerCase(Locale.ROOT),
                e.document(), e.format(), e.origin(), e.updatedAt()));
    }

    private void publish() {
        Map<String, T> set = new TreeMap<>();
        for (Entry<T> e : entries.values()) if (e.definition() != null) set.put(kind.id(e.definition()), e.definition());
        kind.publish(set);
    }
}
