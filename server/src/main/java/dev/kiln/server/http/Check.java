package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Limits;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Validation of JSON values shared by the endpoints; failures are {@link Invalid} with a reason naming the field. */
final class Check {
    private Check() {}

    /** A string field: at most 255 characters, and text every store can hold (no NUL, no lone surrogate). */
    static String string(JsonNode v, String what, String type) {
        if (v == null || !v.isTextual()) throw new Invalid(type, what + " must be a string, was " + describe(v));
        return text(v.textValue(), what, type);
    }

    static String nonEmptyString(JsonNode v, String what, String type) {
        String s = string(v, what, type);
        if (s.isEmpty()) throw new Invalid(type, what + " must not be empty");
        return s;
    }

    static String text(String s, String what, String type) {
        if (s.length() > Limits.MAX_STRING_LENGTH && s.codePointCount(0, s.length()) > Limits.MAX_STRING_LENGTH)
            throw new Invalid(type, what + " is longer than " + Limits.MAX_STRING_LENGTH + " characters");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) throw new Invalid(type, what + " contains a NUL character");
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else throw new Invalid(type, what + " contains an unpaired surrogate (not valid Unicode)");
            } else if (Character.isLowSurrogate(c)) {
                throw new Invalid(type, what + " contains an unpaired surrogate (not valid Unicode)");
            }
        }
        return s;
    }

    /** A finite number within ±{@link Limits#MAX_NUMBER}. */
    static double number(JsonNode v, String what, String type) {
        if (v == null || !v.isNumber()) throw new Invalid(type, what + " must be a number, was " + describe(v));
        double d = v.doubleValue();
        if (!Double.isFinite(d) || Math.abs(d) > Limits.MAX_NUMBER)
            throw new Invalid(type, what + " is out of range (at most ±" + Limits.MAX_NUMBER + ")");
        return d;
    }

    /** An optional boolean; {@code dflt} when absent or null. */
    static boolean bool(JsonNode obj, String field, boolean dflt, String type) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new Invalid(type, field + " must be true or false, was " + describe(v));
        return v.booleanValue();
    }

    /** A key of an event property or nested attribute: Braze's rules (non-empty, ≤ 255, no leading {@code $}). */
    static String key(String k, String where, String type) {
        if (k.isEmpty()) throw new Invalid(type, where + " has an empty key");
        text(k, where + " key " + quote(k), type);
        if (k.charAt(0) == '$') throw new Invalid(type, where + " key " + quote(k) + " must not start with $");
        return k;
    }

    /**
     * Converts a JSON value to plain Java (Map, List, String, Long, Double, Boolean, null), checking every
     * key, string and number on the way, and the nesting depth.
     */
    static Object plain(JsonNode v, String where, int depth, boolean allowNull, String type) {
        if (v.isContainerNode() && depth > Limits.MAX_NESTING_DEPTH)
            throw new Invalid(type, where + " is nested deeper than " + Limits.MAX_NESTING_DEPTH + " levels");
        switch (v.getNodeType()) {
            case NULL -> {
                if (!allowNull) throw new Invalid(type, where + " must not be null");
                return null;
            }
            case BOOLEAN -> { return v.booleanValue(); }
            case STRING -> { return text(v.textValue(), where, type); }
            case NUMBER -> {
                double d = number(v, where, type);
                if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
                return d;
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) out.add(plain(v.get(i), where + "[" + i + "]", depth + 1, allowNull, type));
                return out;
            }
            case OBJECT -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (var e : v.properties()) {
                    key(e.getKey(), where, type);
                    out.put(e.getKey(), plain(e.getValue(), where + "." + e.getKey(), depth + 1, allowNull, type));
                }
                return out;
            }
            default -> throw new Invalid(type, where + " has an unsupported JSON value");
        }
    }

    static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) return "missing";
        return switch (v.getNodeType()) {
            case NULL -> "null";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> v.getNodeType().name().toLowerCase();
        };
    }

    /**
     * Quotes a client string for a message: shortened so a huge value is not echoed whole, and with
     * control characters and unpaired surrogates replaced so the response itself is always valid text.
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (n++ == 64) { b.append('…'); break; }
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c) || Character.isISOControl(c)) {
                b.append('\uFFFD');
            } else {
                b.append(c == '"' ? "\\\"" : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }
}
