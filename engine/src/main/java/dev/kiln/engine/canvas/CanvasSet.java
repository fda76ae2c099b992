package dev.kiln.engine.canvas;

import java.util.List;
import java.util.Map;

/**
 * The Canvases the engine runs with: by id, including stopped ones (their users are let out). Sorted by
 * id so that every run visits Canvases in the same order (Map.copyOf's order changes between JVMs).
 */
public record CanvasSet(Map<String, Canvas> byId) {
    public static final CanvasSet EMPTY = new CanvasSet(Map.of());

    public CanvasSet { byId = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(byId)); }

    public static CanvasSet of(List<Canvas> canvases) {
        return new CanvasSet(canvases.stream().collect(java.util.stream.Collectors.toMap(Canvas::id, c -> c)));
    }

    public Canvas get(String id) { return byId.get(id); }

    public boolean isEmpty() { return byId.isEmpty(); }
}
