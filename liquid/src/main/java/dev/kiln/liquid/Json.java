package dev.kiln.liquid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON for connected content: responses into plain values, {@code :headers}, and Braze's form-to-JSON body. */
final class Json {
    private Json() {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A JSON object or array as plain maps and lists; null for anything else (Braze inserts that as text). */
    static Object parseStructured(String body) {
        int i = 0;
        while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        if (i == body.length() || (body.charAt(i) != '{' && body.charAt(i) != '[')) {
            return null;
        }
        try {
            return plain(MAPPER.readTree(body));
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    static Object plain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                m.put(e.getKey(), plain(e.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode e : n) {
                l.add(plain(e));
            }
            return Collections.unmodifiableList(l);
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return Values.normalize(n.bigIntegerValue());
        }
        if (n.isNumber()) {
            return Values.normalize(n.doubleValue());
        }
        return n.asText();
    }

    /** {@code {"k": "v", …}}, scalar values as text; anything else is refused. */
    static Map<String, String> stringObject(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new IllegalArgumentException("value of \"" + e.getKey() + "\" is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /**
     * Braze: with {@code :content_type application/json}, a form body {@code a=b&c=d} is sent as
     * {@code {"a":"b","c":"d"}}. A body that already looks like JSON is left alone.
     */
    static String formBodyAsJson(String body) {
        String t = body.strip();
        if (t.isEmpty() || t.startsWith("{") || t.startsWith("[") || !t.contains("=")) {
            return body;
        }
        ObjectNode o = MAPPER.createObjectNode();
        for (String pair : t.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            o.put(decode(k), decode(v));
        }
        return o.toString();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return s;
        }
    }
}
