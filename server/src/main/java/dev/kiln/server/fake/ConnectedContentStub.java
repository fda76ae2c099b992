package dev.kiln.server.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.ConnectedContentException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link ConnectedContent} port that answers from a table instead of the network, for {@code kiln render}: each
 * key is a URL, or a method and a URL ({@code "POST https://…"}, which wins over the bare URL), exactly as the
 * template renders it, query string included. Its value is the response body: a JSON object or array is answered as
 * JSON, a string as text, both with status 200. For another status write {@code {"$status": 404, "$body": …}}.
 *
 * <pre>{@code
 * {
 *   "https://x.my.salesforce.com/services/oauth2/token": {"access_token": "00Dxx!fake", "instance_url": "https://x.my.salesforce.com"},
 *   "GET https://api.example.com/weather": "sunny",
 *   "https://api.example.com/down": {"$status": 503, "$body": "maintenance"}
 * }
 * }</pre>
 *
 * A URL that is not in the table refuses the call, which aborts the message with a reason naming the file.
 */
public final class ConnectedContentStub implements ConnectedContent {
    static final String STATUS = "$status";
    static final String BODY = "$body";

    private final String source;
    private final Map<String, Response> answers;

    private ConnectedContentStub(String source, Map<String, Response> answers) {
        this.source = source;
        this.answers = answers;
    }

    /** A stub from a JSON object; {@code source} names it in messages. */
    public static ConnectedContentStub of(String source, JsonNode table) {
        Objects.requireNonNull(source, "source");
        if (table == null || !table.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object mapping URLs to responses");
        }
        Map<String, Response> answers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : table.properties()) {
            answers.put(key(source, e.getKey()), response(source, e.getKey(), e.getValue()));
        }
        return new ConnectedContentStub(source, answers);
    }

    @Override public Response call(Request request) {
        Response r = answers.get(request.method() + " " + request.url());
        if (r == null) r = answers.get(request.url());
        if (r == null) {
            throw new ConnectedContentException("no answer for " + request.method() + " " + withoutQuery(request.url())
                    + " in " + source + " (stubbed: " + stubbed() + ")", false);
        }
        return r;
    }

    /** The keys, as written, with query strings cut (they may carry secrets). */
    private String stubbed() {
        List<String> keys = new ArrayList<>();
        for (String k : answers.keySet()) {
            if (keys.size() == 5) {
                keys.add("… " + (answers.size() - 5) + " more");
                break;
            }
            keys.add(withoutQuery(k));
        }
        return keys.isEmpty() ? "none" : String.join(", ", keys);
    }

    private static String key(String source, String key) {
        String k = key.strip();
        int space = k.indexOf(' ');
        String method = space < 0 ? null : k.substring(0, space).toUpperCase(Locale.ROOT);
        String url = space < 0 ? k : k.substring(space + 1).strip();
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException(source + ": key '" + key + "' must be a URL or METHOD URL, such as "
                    + "\"POST https://example.com/token\"");
        }
        if (method != null && !List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
            throw new IllegalArgumentException(source + ": key '" + key + "': method must be GET, POST, PUT, PATCH or DELETE");
        }
        return method == null ? url : method + " " + url;
    }

    private static Response response(String source, String key, JsonNode v) {
        if (v.isObject() && (v.has(STATUS) || v.has(BODY))) {
            JsonNode status = v.get(STATUS), body = v.get(BODY);
            if (status == null || !status.isIntegralNumber() || status.intValue() < 100 || status.intValue() > 599) {
                throw new IllegalArgumentException(source + ": '" + key + "': \"" + STATUS + "\" must be an HTTP status (100..599)");
            }
            if (v.size() != (body == null ? 1 : 2)) {
                throw new IllegalArgumentException(source + ": '" + key + "': an explicit response has only \""
                        + STATUS + "\" and \"" + BODY + "\"");
            }
            return new Response(status.intValue(), body == null || body.isNull() ? "" : text(body));
        }
        return new Response(200, text(v));
    }

    private static String text(JsonNode v) {
        return v.isTextual() ? v.textValue() : v.toString();
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?…";
    }

    @Override public String toString() {
        return "ConnectedContentStub[" + source + ", " + answers.size() + " answers]";
    }
}
