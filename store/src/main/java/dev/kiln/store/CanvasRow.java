package dev.kiln.store;

/** A Canvas's stored lifecycle: its current version, status and document (YAML or JSON text). */
public record CanvasRow(String id, int version, String status, String document, String format, String origin, long updatedAt) {}
