package dev.kiln.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.liquid.RenderContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An outbox row's snapshot ({@link dev.kiln.runtime.Snapshots} writes it): what the templates may read,
 * as the profile was when the message was made.
 */
record Snapshot(String brazeId, String externalId, Map<String, Object> standard, Map<String, Object> custom,
                Map<String, Object> eventProperties, Map<String, Object> entryProperties) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    static final Snapshot EMPTY = new Snapshot(null, null, Map.of(), Map.of(), Map.of(), Map.of());

    /** @throws IllegalArgumentException when the text is not a snapshot object */
    static Snapshot parse(String json) {
        if (json == null || json.isBlank()) return EMPTY;
        Map<String, Object> m;
        try {
            m = JSON.readValue(json, MAP);
        } catch (Exception e) {
            throw new IllegalArgumentException("snapshot is not a JSON object");
        }
        if (m == null) return EMPTY;
        return new Snapshot(string(m.get("braze_id")), string(m.get("external_id")), map(m.get("standard")),
                map(m.get("custom")), map(m.get("event_properties")), map(m.get("canvas_entry_properties")));
    }

    /** A render context for this user; the caller adds variables, the port and the clock. */
    RenderContext.Builder context() {
        RenderContext.Builder b = RenderContext.builder().brazeId(brazeId).externalId(externalId);
        standard.forEach((k, v) -> {
            if (RenderContext.STANDARD_ATTRIBUTES.contains(k) && !k.equals("user_id") && !k.equals("braze_id"))
                b.standardAttribute(k, v);
        });
        return b.customAttributes(custom).eventProperties(eventProperties).canvasEntryProperties(entryProperties);
    }

    private static String string(Object o) { return o == null ? null : o.toString(); }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        if (!(o instanceof Map<?, ?> m)) return Map.of();
        // Null values are kept out: Liquid reads an absent key as nil anyway.
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<String, Object>) m).forEach((k, v) -> { if (v != null) out.put(k, v); });
        return out;
    }
}
