package dev.kiln.server.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Input;
import dev.kiln.runtime.Op;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.TrackRequests;

/**
 * Turns one line of the events file into a {@link Line}: the line is a {@code /users/track} body plus
 * Kiln's {@code time} field, read by the API's own JSON reader and parsers ({@link TrackRequests}).
 * Stateless, so it can run ahead of the simulation on another thread.
 */
final class LineParser {
    static final String TIME = "time";
    static final String BAD_JSON = "invalid_json";
    static final String BAD_BODY = "invalid_request";
    static final String BAD_TIME = "invalid_time";

    private LineParser() {}

    static Line parse(long number, byte[] bytes) {
        JsonNode body;
        try {
            body = TrackRequests.readJson(bytes);
        } catch (ApiException e) {
            return Line.failed(number, BAD_JSON, e.getMessage());
        }
        long time = Line.NO_TIME;
        if (body instanceof ObjectNode o && o.has(TIME)) {
            JsonNode t = o.remove(TIME);
            Long parsed = t.isTextual() ? BrazeTime.parse(t.textValue()).orElse(null) : null;
            if (parsed == null)
                return Line.failed(number, BAD_TIME, "time must be an ISO 8601 string such as 2026-03-01T09:00:00Z, was " + shorten(t.toString()));
            time = parsed;
        }
        TrackRequests.Parsed parsed;
        try {
            parsed = TrackRequests.parse(body, "line-" + number);
        } catch (ApiException e) {
            return Line.failed(number, BAD_BODY, e.reason() == null ? e.getMessage() : e.getMessage() + ": " + e.reason());
        }
        if (time == Line.NO_TIME) time = latest(parsed);
        return new Line(number, time, parsed, null, null, null);
    }

    private static String shorten(String s) { return s.length() <= 64 ? s : s.substring(0, 64) + "…"; }

    /** The latest event or purchase time in the request; {@link Line#NO_TIME} when it has neither. */
    private static long latest(TrackRequests.Parsed parsed) {
        long t = Line.NO_TIME;
        for (TrackRequests.Item item : parsed.items()) {
            if (!(item.op() instanceof Op.Apply a)) continue;
            switch (a.input()) {
                case Input.TrackEvent e -> t = Math.max(t, e.time());
                case Input.TrackPurchase p -> t = Math.max(t, p.time());
                default -> { }
            }
        }
        return t;
    }
}
