package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Limits;
import dev.kiln.engine.Source;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /users/track}: attributes, then events, then purchases, submitted as one unit; 201 once
 * committed with the per-array counts, objects that failed listed in {@code errors}; 400 when nothing
 * could be applied.
 */
final class TrackEndpoint {
    static final String ATTRIBUTES = "attributes", EVENTS = "events", PURCHASES = "purchases";
    private static final List<String> ARRAYS = List.of(ATTRIBUTES, EVENTS, PURCHASES);
    /** Braze's message when no object of a request could be used. */
    static final String NOTHING_VALID = "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.";

    private final EventParser parser;
    private final Submitter submitter;
    private final HttpMetrics metrics;

    TrackEndpoint(EventParser parser, Submitter submitter, HttpMetrics metrics) {
        this.parser = parser;
        this.submitter = submitter;
        this.metrics = metrics;
    }

    Reply handle(JsonNode body, String requestId) {
        Body.object(body, "/users/track", Set.copyOf(ARRAYS));
        Map<String, List<JsonNode>> arrays = new LinkedHashMap<>();
        for (String name : ARRAYS) {
            List<JsonNode> objects = Body.array(body, name, "objects");
            if (objects.size() > Limits.MAX_OBJECTS_PER_TYPE)
                throw new ApiException.BadRequest("Max Input Length Exceeded",
                        name + " has " + objects.size() + " objects; at most " + Limits.MAX_OBJECTS_PER_TYPE + " are allowed per request");
            arrays.put(name, objects);
        }
        Source source = Source.track(requestId);
        Batch batch = new Batch(ARRAYS);
        List<JsonNode> attributes = arrays.get(ATTRIBUTES), events = arrays.get(EVENTS), purchases = arrays.get(PURCHASES);
        for (int i = 0; i < attributes.size(); i++) {
            JsonNode o = attributes.get(i);
            String id = requestId + ".a" + i;
            batch.add(ATTRIBUTES, i, () -> AttributeParser.parse(o, id, source));
        }
        for (int i = 0; i < events.size(); i++) {
            JsonNode o = events.get(i);
            String id = requestId + ".e" + i;
            batch.add(EVENTS, i, () -> parser.event(o, id, source));
        }
        for (int i = 0; i < purchases.size(); i++) {
            JsonNode o = purchases.get(i);
            String id = requestId + ".p" + i;
            batch.add(PURCHASES, i, () -> parser.purchase(o, id, source));
        }
        batch.submit(submitter);
        batch.count(metrics);

        Map<String, Object> out = new LinkedHashMap<>();
        if (batch.acceptedTotal() == 0) {
            out.put("message", NOTHING_VALID);
            if (!batch.errors().isEmpty()) out.put("errors", batch.errors());
            return new Reply(400, out);
        }
        out.put("message", "success");
        for (String name : ARRAYS) if (Body.present(body, name)) out.put(name + "_processed", batch.accepted(name));
        if (!batch.errors().isEmpty()) out.put("errors", batch.errors());
        return new Reply(201, out);
    }
}
