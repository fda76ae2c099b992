package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for plain-Java JSON trees (Map, List, String, Number, Boolean, null). */
public final class Json {
    private Json() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> immutableCopy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, copyValue(v)));
        return Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object v) {
        if (v instanceof Map<?, ?> m) return immutableCopy((Map<String, Object>) m);
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(copyValue(o));
            return Collections.unmodifiableList(out);
        }
        return v;
    }

    /** Follows a dotted/segmented path into a JSON tree; null when any step is missing. */
    public static Object at(Object root, List<String> path) {
        Object cur = root;
        for (String p : path) {
            if (cur instanceof Map<?, ?> m) cur = m.get(p);
            else return null;
        }
        return cur;
    }
}
