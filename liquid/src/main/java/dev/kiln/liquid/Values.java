package dev.kiln.liquid;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns caller data into the few types Liqp handles well. Numbers stay numbers (so {@code >=} compares numerically,
 * where a String would make Liqp refuse the comparison); integral doubles become Long so {@code 120.0} prints as
 * {@code 120}; times become UTC {@link ZonedDateTime} for the {@code date} filter; maps and lists are copied and
 * made read-only, so one context can be rendered by many templates at once.
 */
final class Values {
    private Values() {}

    private static final double LONG_RANGE = 9.223372036854775807E18;

    static Object normalize(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < LONG_RANGE) {
                return (long) d;
            }
            return d;
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : new BigDecimal(b);
        }
        if (v instanceof BigDecimal b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException notIntegral) {
                return b;
            }
        }
        if (v instanceof Number n) {
            return normalize(n.doubleValue());
        }
        if (v instanceof CharSequence || v instanceof Character) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof ZonedDateTime z) {
            return z;
        }
        if (v instanceof Instant i) {
            return i.atZone(ZoneOffset.UTC);
        }
        if (v instanceof OffsetDateTime o) {
            return o.toZonedDateTime();
        }
        if (v instanceof LocalDate d) {
            return d.atStartOfDay(ZoneOffset.UTC);
        }
        if (v instanceof java.util.Date d) {
            return d.toInstant().atZone(ZoneOffset.UTC);
        }
        if (v instanceof Map<?, ?> m) {
            return map(m);
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object o : c) {
                out.add(normalize(o));
            }
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Object[] a) {
            return normalize(java.util.Arrays.asList(a));
        }
        return String.valueOf(v);
    }

    static Map<String, Object> map(Map<?, ?> m) {
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>(m.size() * 2);
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put(String.valueOf(e.getKey()), normalize(e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }
}
