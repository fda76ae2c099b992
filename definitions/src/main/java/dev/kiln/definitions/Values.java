package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attribute values written in a document, typed as {@code /users/track} types them: a string in one of
 * Braze's time formats is a time, a list of strings an array, a mapping a nested object.
 */
final class Values {
    private Values() {}

    private static final ObjectMapper PLAIN = new ObjectMapper();

    /** The value at {@code v}, or null after a problem. Null itself is the caller's business. */
    @SuppressWarnings("unchecked")
    static Value of(Cursor v) {
        JsonNode n = v.node();
        if (n.isBoolean()) return new Value.Bool(n.booleanValue());
        if (n.isNumber()) {
            if (Double.isFinite(n.doubleValue())) return new Value.Num(n.doubleValue());
            v.problem("expected a finite number, got " + v.describe());
            return null;
        }
        if (n.isTextual()) {
            String s = n.textValue();
            return BrazeTime.parse(s).<Value>map(Value.Time::new).orElse(new Value.Str(s));
        }
        if (n.isArray()) {
            List<String> out = new ArrayList<>();
            for (Cursor e : v.elements()) {
                if (e.node().isTextual()) out.add(e.node().textValue());
                else e.problem("array attributes hold strings, got " + e.describe());
            }
            return out.size() == n.size() ? new Value.Arr(out) : null;
        }
        if (n.isObject()) {
            if (containsNull(n)) {
                v.problem("a nested object must not hold null values");
                return null;
            }
            return new Value.Obj(PLAIN.convertValue(n, Map.class));
        }
        v.problem("expected a value, got " + v.describe());
        return null;
    }

    private static boolean containsNull(JsonNode n) {
        if (n.isNull()) return true;
        for (JsonNode c : n) if (containsNull(c)) return true;
        return false;
    }
}
