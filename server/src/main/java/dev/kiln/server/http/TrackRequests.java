package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Limits;
import dev.kiln.engine.Source;
import dev.kiln.runtime.Op;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /users/track} parsing without HTTP or a runtime, for tools that replay request bodies (such as
 * {@code kiln simulate}): the same JSON reader, body checks and object parsers as the endpoint, so a
 * replay accepts exactly what the API accepts. Thread-safe.
 */
public final class TrackRequests {
    private TrackRequests() {}

    /** The top-level fields a /users/track body may have, in the order Braze processes them. */
    public static final List<String> ARRAYS = List.of(TrackEndpoint.ATTRIBUTES, TrackEndpoint.EVENTS, TrackEndpoint.PURCHASES);

    private static final JsonIo JSON = new JsonIo(ApiServer.Builder.DEFAULT_MAX_BODY_BYTES);
    private static final EventParser EVENTS = new EventParser(JSON.mapper());

    /** One object that parsed: {@code array} and {@code index} say where it was in the body. */
    public record Item(String array, int index, Op op) {}

    /** One object that did not parse; {@code type} is the stable code the API puts in {@code errors}. */
    public record Rejected(String type, String array, int index, String reason) {}

    /** A body's objects: those that parsed, in Braze order (attributes, events, purchases), and those that didn't. */
    public record Parsed(List<Item> items, List<Rejected> rejected) {
        public Parsed {
            items = List.copyOf(items);
            rejected = List.copyOf(rejected);
        }
    }

    /** The stable error type of an object the runtime refused (no such user, an operation that does not fit). */
    public static final String REFUSED = Batch.REJECTED;

    /**
     * Reads one JSON document with the API's limits (depth, size, duplicate keys refused).
     *
     * @throws ApiException.BadRequest for malformed JSON, with the API's message
     */
    public static JsonNode readJson(byte[] bytes) {
        return JSON.parse(bytes);
    }

    /**
     * Parses a /users/track body into ops, as the endpoint does before it submits them. Input ids are
     * {@code requestId + ".a0"}, {@code ".e0"}, {@code ".p0"}…, the source is {@code users/track:requestId}.
     *
     * @throws ApiException.BadRequest when the body as a whole is refused (not an object, unknown
     *                                 top-level field, more than 75 objects of a type): nothing is applied
     */
    public static Parsed parse(JsonNode body, String requestId) {
        return parse(body, requestId, EVENTS);
    }

    /** One attributes object as an op, or why it was refused ({@code type} is the API's stable error code). */
    public record One(Op op, String type, String reason) {
        public boolean ok() { return op != null; }
    }

    /**
     * Parses one attributes object (identifier fields and attributes, as in the {@code attributes} array of
     * /users/track) into an op with the given input id and source — for connectors such as CDI that apply
     * rows with their own provenance. Never throws for a bad object: the reason comes back instead.
     */
    public static One attributes(JsonNode object, String inputId, Source source) {
        try {
            return new One(AttributeParser.parse(object, inputId, source), null, null);
        } catch (Invalid e) {
            return new One(null, e.type(), e.getMessage());
        }
    }

    /**
     * Parses one event object (identifier, {@code name}, {@code time}, {@code properties}, as in the {@code events}
     * array of /users/track) into an op with the given input id and source. Never throws for a bad object.
     */
    public static One event(JsonNode object, String inputId, Source source) {
        try {
            return new One(EVENTS.event(object, inputId, source), null, null);
        } catch (Invalid e) {
            return new One(null, e.type(), e.getMessage());
        }
    }

    /**
     * Parses one purchase object (identifier, {@code product_id}, {@code currency}, {@code price}, {@code quantity},
     * {@code time}, {@code properties}, as in the {@code purchases} array of /users/track) into an op. Never throws
     * for a bad object.
     */
    public static One purchase(JsonNode object, String inputId, Source source) {
        try {
            return new One(EVENTS.purchase(object, inputId, source), null, null);
        } catch (Invalid e) {
            return new One(null, e.type(), e.getMessage());
        }
    }

    /** The endpoint's form: with the server's own event parser (its JSON limits). */
    static Parsed parse(JsonNode body, String requestId, EventParser events) {
        Body.object(body, "/users/track", Set.copyOf(ARRAYS));
        List<List<JsonNode>> arrays = new ArrayList<>(ARRAYS.size());
        for (String name : ARRAYS) {
            List<JsonNode> objects = Body.array(body, name, "objects");
            if (objects.size() > Limits.MAX_OBJECTS_PER_TYPE)
                throw new ApiException.BadRequest("Max Input Length Exceeded",
                        name + " has " + objects.size() + " objects; at most " + Limits.MAX_OBJECTS_PER_TYPE + " are allowed per request");
            arrays.add(objects);
        }
        Source source = Source.track(requestId);
        List<Item> items = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int a = 0; a < ARRAYS.size(); a++) {
            String name = ARRAYS.get(a);
            List<JsonNode> objects = arrays.get(a);
            for (int i = 0; i < objects.size(); i++) {
                JsonNode o = objects.get(i);
                String id = requestId + "." + name.charAt(0) + i;
                try {
                    Op op = switch (name) {
                        case TrackEndpoint.ATTRIBUTES -> AttributeParser.parse(o, id, source);
                        case TrackEndpoint.EVENTS -> events.event(o, id, source);
                        default -> events.purchase(o, id, source);
                    };
                    items.add(new Item(name, i, op));
                } catch (Invalid e) {
                    rejected.add(new Rejected(e.type(), name, i, e.getMessage()));
                }
            }
        }
        return new Parsed(items, rejected);
    }
}
