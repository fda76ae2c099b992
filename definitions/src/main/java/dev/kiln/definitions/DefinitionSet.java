package dev.kiln.definitions;

import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.filter.Segment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every definition loaded from one directory, by kind and id. Immutable; ids in sorted order. */
public final class DefinitionSet {
    public static final DefinitionSet EMPTY = new DefinitionSet(Map.of(), Map.of());

    private final Map<String, Map<String, ?>> byFolder;
    /**
     * Only while the loader resolves references: folder → id → file, for documents that exist but have
     * problems, so that a reference to one says so instead of calling the id unknown. Not part of equality.
     */
    private final Map<String, Map<String, String>> invalidFiles;

    private DefinitionSet(Map<String, Map<String, ?>> byFolder, Map<String, Map<String, String>> invalidFiles) {
        this.byFolder = byFolder;
        this.invalidFiles = invalidFiles;
    }

    /** Builds a set from definitions by kind and id (used by the loader, and by tests of other modules). */
    public static DefinitionSet of(Map<DocumentKind<?>, ? extends Map<String, ?>> definitions) {
        Map<String, Map<String, ?>> copy = new LinkedHashMap<>();
        definitions.forEach((kind, byId) -> copy.put(kind.folder(), Collections.unmodifiableMap(new TreeMap<>(byId))));
        return new DefinitionSet(Collections.unmodifiableMap(copy), Map.of());
    }

    /** This set, knowing which ids name documents with problems (folder → id → file). */
    DefinitionSet withInvalidFiles(Map<String, Map<String, String>> invalid) {
        return new DefinitionSet(byFolder, Map.copyOf(invalid));
    }

    /** The file of a document of {@code kind} with this id that exists but has problems. */
    Optional<String> invalidFile(DocumentKind<?> kind, String id) {
        return Optional.ofNullable(invalidFiles.getOrDefault(kind.folder(), Map.of()).get(id));
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

    /** Canvases by id, each at version 1 with the status its file gives (the runtime keeps versions). */
    public Map<String, Canvas> canvases() {
        return all(DefinitionLoader.CANVASES);
    }

    public Optional<Canvas> canvas(String id) {
        return Optional.ofNullable(canvases().get(id));
    }

    /** Webhook campaigns by id, each at version 1 with the status its file gives. */
    public Map<String, Campaign> campaigns() {
        return all(DefinitionLoader.CAMPAIGNS);
    }

    public Optional<Campaign> campaign(String id) {
        return Optional.ofNullable(campaigns().get(id));
    }

    /** Connections (credentials by reference) by id. */
    public Map<String, Connection> connections() {
        return all(DefinitionLoader.CONNECTIONS);
    }

    public Optional<Connection> connection(String id) {
        return Optional.ofNullable(connections().get(id));
    }

    /** CDI integrations ({@code cdi/*.yaml}) by id. */
    public Map<String, CdiIntegration> cdi() {
        return all(DefinitionLoader.CDI);
    }

    /** Currents connectors by id. */
    public Map<String, CurrentsConnector> currents() {
        return all(DefinitionLoader.CURRENTS);
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
