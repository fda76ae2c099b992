package dev.kiln.server.cdi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * How far a CDI integration has synced: the highest {@code UPDATED_AT} applied ({@link #max}, epoch ms) and the
 * fingerprints of the rows applied (or skipped as bad) with {@code UPDATED_AT ≥ max − overlap}. The next
 * sync reads from {@code max − overlap} and passes over rows whose fingerprint is known, so a row committed
 * late with an equal or slightly older {@code UPDATED_AT} is applied, and no row is applied twice. Stored as
 * JSON under {@code cdi:<id>} in the meta table, in the same commit as the rows it covers. Not thread-safe.
 */
final class Watermark {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Highest UPDATED_AT seen, epoch ms; {@link Long#MIN_VALUE} before the first row. */
    long max = Long.MIN_VALUE;
    /** How UPDATED_AT is typed in the source, so the lower bound is bound as the same type. */
    TimeColumn.Shape shape;
    /** Fingerprint → UPDATED_AT (epoch ms) of rows at or above {@code max − overlap}. */
    final Map<String, Long> recent = new HashMap<>();

    boolean started() { return max != Long.MIN_VALUE; }

    /** The lowest UPDATED_AT the next read needs. */
    long from(long overlapMillis) { return max - overlapMillis; }

    boolean seen(String fingerprint) { return recent.containsKey(fingerprint); }

    void add(String fingerprint, long updatedAt, TimeColumn.Shape rowShape) {
        recent.put(fingerprint, updatedAt);
        if (updatedAt > max) {
            max = updatedAt;
            shape = rowShape;
        }
    }

    /** Drops fingerprints below the window: those rows are never read again. */
    void prune(long overlapMillis) {
        long from = from(overlapMillis);
        recent.values().removeIf(t -> t < from);
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("v", 1);
        o.put("max", max);
        if (shape != null) o.put("shape", shape.name());
        ObjectNode r = o.putObject("recent");
        recent.forEach(r::put);
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Watermark parse(String json) {
        Watermark w = new Watermark();
        if (json == null) return w;
        try {
            JsonNode o = JSON.readTree(json);
            w.max = o.path("max").asLong(Long.MIN_VALUE);
            if (o.hasNonNull("shape")) w.shape = TimeColumn.Shape.valueOf(o.get("shape").asText());
            o.path("recent").properties().forEach(e -> w.recent.put(e.getKey(), e.getValue().asLong()));
            return w;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the stored CDI watermark cannot be read: " + e.getMessage(), e);
        }
    }
}
