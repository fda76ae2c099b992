package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for plain-Java JSON trees (Map, List, String, Number, Boolean, null). */
public final class Json {
    private Json() {}

    /**
     * An immutable map of the given keys and values in this order ({@code key1, value1, key2, value2, …};
     * keys distinct strings, values may be null), as the engine's logged event data. Small maps only
     * ({@value SmallMap#MAX} entries at most); the array is kept, not copied.
     */
    public static Map<String, Object> fields(Object... keysAndValues) {
        if ((keysAndValues.length & 1) != 0 || keysAndValues.length > 2 * SmallMap.MAX)
            throw new IllegalArgumentException("fields takes up to " + SmallMap.MAX + " key, value pairs, got " + keysAndValues.length + " arguments");
        for (int i = 0; i < keysAndValues.length; i += 2)
            if (!(keysAndValues[i] instanceof String)) throw new IllegalArgumentException("field name " + i / 2 + " is not a string: " + keysAndValues[i]);
        return new SmallMap(keysAndValues);
    }

    /** A deep immutable copy of a JSON object, in the same order. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> immutableCopy(Map<String, Object> map) {
        int n = map.size();
        if (n <= SmallMap.MAX) {
            Object[] kv = new Object[2 * n];
            int i = 0;
            for (Map.Entry<String, Object> e : map.entrySet()) {
                if (i == kv.length) throw new java.util.ConcurrentModificationException();
                kv[i++] = e.getKey();
                kv[i++] = copyValue(e.getValue());
            }
            if (i != kv.length) throw new java.util.ConcurrentModificationException();
            return new SmallMap(kv);
        }
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
