package dev.kiln.definitions;

import dev.kiln.engine.filter.Segment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every definition loaded from one directory, by kind and id. Immutable; ids in sorted order. */
public final class DefinitionSet {
    public static final DefinitionSet EMPTY = new DefinitionSet(Map.of());

    private final Map<String, Map<String, ?>> byFolder;

    private DefinitionSet(Map<String, Map<String, ?>> byFolder) {
        this.byFolder = byFolder;
    }

    /** Builds a set from definitions by kind and id (used by the loader, and by tests of other modules). */
    public static DefinitionSet of(Map<DocumentKind<?>, ? extends Map<String, ?>> definitions) {
        Map<String, Map<String, ?>> copy = new LinkedHashMap<>();
        definitions.forEach((kind, byId) -> copy.put(kind.folder(), Collections.unmodifiableMap(new TreeMap<>(byId))));
        return new DefinitionSet(Collections.unmodifiableMap(copy));
    }

    /** The definitions of one kind by id; empty when the kind has none. */
    @SuppressWarnings("unchecked")
    public <T> Map<String, T> all(DocumentKind<T> kind) {
        return (Map<String, T>) byFolder.getOrDefault(kind.folder(), Map.of());
    }

    public Map<String, Segment> segments() {
        return all(DefinitionLoader.SEGMENTS);
    }

    public Optional<Segment> segment(String id) {
        return Optional.ofNullable(segments().get(id));
    }

    /** How many definitions of {@code kind}. */
    public int count(DocumentKind<?> kind) {
        return all(kind).size();
    }

    @Override public boolean equals(Object o) {
        return o instanceof DefinitionSet s && s.nonEmpty().equals(nonEmpty());
    }

    @Override public int hashCode() { return nonEmpty().hashCode(); }

    // A kind with no documents equals a kind that was never loaded.
    private Map<String, Map<String, ?>> nonEmpty() {
        Map<String, Map<String, ?>> m = new TreeMap<>(byFolder);
        m.values().removeIf(Map::isEmpty);
        return m;
    }

    @Override public String toString() {
        return "DefinitionSet" + byFolder;
    }
}
