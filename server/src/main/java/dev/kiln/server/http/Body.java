package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Checks of a request body's top level; failures are whole-request 400s that submit nothing. */
final class Body {
    private Body() {}

    static void object(JsonNode body, String endpoint, Set<String> allowed) {
        if (!body.isObject())
            throw new ApiException.BadRequest("The body of " + endpoint + " must be a JSON object, was " + Check.describe(body));
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equals("api_key"))
                throw new ApiException.BadRequest("api_key in the body is not supported; send the key as Authorization: Bearer YOUR_REST_API_KEY");
            if (!allowed.contains(f))
                throw new ApiException.BadRequest("Unknown field " + Check.quote(f) + " in " + endpoint + "; allowed: " + allowed.stream().sorted().toList());
        }
    }

    /** An optional array field; empty when absent or null. */
    static List<JsonNode> array(JsonNode body, String field, String elements) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw new ApiException.BadRequest("'" + field + "' must be an array of " + elements + ", was " + Check.describe(v));
        List<JsonNode> out = new java.util.ArrayList<>(v.size());
        v.forEach(out::add);
        return out;
    }

    static boolean present(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    /** Runs a parse that may fail with {@link Invalid}, turning it into a whole-request 400. */
    static <T> T strict(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (Invalid e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
    }
}
