package dev.kiln.server.currents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.EventLogRow;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns an event log row into Braze's Currents shape (see {@code docs/currents.md}): {@code id}, {@code time}
 * (epoch seconds, UTC), {@code user_id} (Kiln's internal id), {@code external_user_id}, then the type's fields
 * under Braze's names. {@code properties} is a JSON-encoded string, as in Braze's Currents schemas.
 */
public final class CurrentsMapper {
    private CurrentsMapper() {}

    static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
    private static final Set<String> CORE = Set.of("id", "time", "user_id", "external_user_id");
    /** Event types recorded from reserved event names: their properties are Braze's fields, flattened. */
    private static final Set<String> RESERVED = Set.of("users.behaviors.app.SessionStart", "users.behaviors.LandingPageView",
            "users.behaviors.FormSubmit", "users.messages.email.Delivery", "users.messages.email.Open",
            "users.messages.email.Click", "users.messages.email.Bounce");
    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);

    /** The Currents record of one row, fields in a stable order. */
    public static Map<String, Object> map(EventLogRow row) {
        Map<String, Object> data = data(row);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", row.id());
        out.put("time", Math.floorDiv(row.time(), 1000L));
        out.put("user_id", row.userId());
        out.put("external_user_id", row.externalId());
        switch (row.type()) {
            case "users.behaviors.CustomEvent" -> {
                out.put("name", data.get("name"));
                out.put("properties", json(data.get("properties")));
                out.put("source", data.get("source"));
            }
            case "users.behaviors.Purchase" -> {
                out.put("product_id", data.get("product_id"));
                out.put("price", data.get("price"));
                out.put("currency", data.get("currency"));
                out.put("quantity", data.get("quantity"));
                out.put("properties", json(data.get("properties")));
                out.put("source", data.get("source"));
            }
            case "users.Delete" -> { } // external_id is external_user_id already
            default -> {
                if (RESERVED.contains(row.type())) {
                    if (data.get("properties") instanceof Map<?, ?> props)
                        props.forEach((k, v) -> { if (!CORE.contains(String.valueOf(k))) out.put(String.valueOf(k), v); });
                    out.put("source", data.get("source"));
                } else {
                    data.forEach((k, v) -> { if (!CORE.contains(k)) out.put(k, v); });
                }
            }
        }
        return out;
    }

    /** The {@code date=} partition of a row: the UTC hour of its event time. */
    public static String hour(EventLogRow row) {
        return HOUR.format(Instant.ofEpochMilli(row.time()));
    }

    static byte[] line(EventLogRow row) {
        try {
            byte[] json = JSON.writeValueAsBytes(map(row));
            byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write event " + row.id() + " as JSON", e);
        }
    }

    private static Map<String, Object> data(EventLogRow row) {
        byte[] json = row.json();
        if (json == null || blank(json)) return Map.of();
        try {
            return JSON.readValue(json, MAP);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("event log row " + row.seq() + " holds data that is not a JSON object", e);
        }
    }

    private static boolean blank(byte[] json) {
        for (byte b : json) if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        return true;
    }

    private static String json(Object value) {
        if (value == null) return "{}";
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
