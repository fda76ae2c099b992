package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        // The same parsing as tools that replay bodies (kiln simulate) use: one place decides what is valid.
        TrackRequests.Parsed parsed = TrackRequests.parse(body, requestId, parser);
        Batch batch = new Batch(ARRAYS);
        // Batch reports errors in body order, so feeding parsed and rejected objects separately is fine.
        for (TrackRequests.Item item : parsed.items()) batch.add(item.array(), item.index(), item::op);
        for (TrackRequests.Rejected r : parsed.rejected()) batch.reject(r.array(), r.index(), r.type(), r.reason());
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
