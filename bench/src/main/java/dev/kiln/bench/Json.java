package dev.kiln.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Figures for {@code --out}, keys kept in the order they are printed. */
final class Json {
    private Json() {}

    static Map<String, Object> obj(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }
}
