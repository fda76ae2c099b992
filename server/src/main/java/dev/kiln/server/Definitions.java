package dev.kiln.server;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.DefinitionWatcher;
import dev.kiln.definitions.LoadResult;
import dev.kiln.definitions.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The definitions the server runs with: loaded at start (an invalid set refuses to start), swapped
 * atomically when the directory changes or on {@link #reload()} (an invalid set is refused and the
 * previous one stays).
 */
public final class Definitions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Definitions.class);

    /** The definitions directory holds problems; the message lists every one as {@code file: path: message}. */
    public static final class InvalidDefinitionsException extends RuntimeException {
        private final List<Problem> problems;

        InvalidDefinitionsException(Path dir, List<Problem> problems) {
            super("invalid definitions in " + dir + ":\n" + problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() { return problems; }
    }

    private final Path dir;
    private final DefinitionLoader loader = new DefinitionLoader();
    private final DefinitionWatcher watcher;
    private volatile DefinitionSet current;
    private final java.util.List<java.util.function.Consumer<Definitions>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Definitions(Path dir, DefinitionSet initial, Duration watchInterval) {
        this.dir = dir;
        this.current = initial;
        this.watcher = dir == null ? null : DefinitionWatcher.start(dir, watchInterval, this::changed);
    }

    /** Called with this object after every applied change (and not for refused ones). */
    void onChange(java.util.function.Consumer<Definitions> listener) { listeners.add(listener); }

    /**
     * The source text of every Canvas file, by Canvas id: the Canvas registry compares it with the stored
     * document to tell an edit (a new version) from a reload of the same file.
     */
    java.util.Map<String, String> canvasDocuments() { return documents("canvases"); }

    /** The source text of every campaign file, by campaign id (see {@link #canvasDocuments()}). */
    java.util.Map<String, String> campaignDocuments() { return documents("campaigns"); }

    private java.util.Map<String, String> documents(String folder) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        if (dir == null) return out;
        Path canvases = dir.resolve(folder);
        if (!java.nio.file.Files.isDirectory(canvases)) return out;
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        try (var files = java.nio.file.Files.walk(canvases)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || !(name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))) continue;
                String text = java.nio.file.Files.readString(f);
                var node = yaml.readTree(text);
                if (node != null && node.path("id").isTextual()) out.put(node.path("id").asText(), text);
            }
        } catch (java.io.IOException e) {
            log.warn("could not read {} files under {}: {}", folder, canvases, e.getMessage());
        }
        return out;
    }

    /** Loads {@code dir} (null = no definitions) and watches it. */
    static Definitions load(Path dir, Duration watchInterval) {
        if (dir == null) return new Definitions(null, DefinitionSet.EMPTY, watchInterval);
        LoadResult r = new DefinitionLoader().load(dir);
        if (!r.valid()) throw new InvalidDefinitionsException(dir, r.problems());
        DefinitionSet set = r.definitions();
        log.info("definitions loaded from {}: {} segments, {} canvases", dir, set.segments().size(), set.canvases().size());
        return new Definitions(dir, set, watchInterval);
    }

    public DefinitionSet current() { return current; }

    /** Reloads now; returns the problems (empty when the new set was applied). */
    public List<Problem> reload() {
        if (dir == null) return List.of();
        LoadResult r = loader.load(dir);
        if (!r.valid()) {
            log.warn("definitions reload refused, keeping the previous set:\n{}",
                    r.problems().stream().map(Problem::toString).collect(Collectors.joining("\n")));
            return r.problems();
        }
        apply(r.definitions());
        return List.of();
    }

    private void changed(LoadResult r) {
        if (r.valid()) apply(r.definitions());
    }

    private synchronized void apply(DefinitionSet set) {
        if (set.equals(current)) return;
        current = set;
        log.info("definitions reloaded from {}: {} segments, {} canvases", dir, set.segments().size(), set.canvases().size());
        for (var l : listeners) l.accept(this);
    }

    @Override public void close() {
        if (watcher != null) watcher.close();
    }
}
