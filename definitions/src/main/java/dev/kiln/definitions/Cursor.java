package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** A position in a parsed document: the node there (null when absent), its path, and where problems go. */
record Cursor(JsonNode node, String path, ProblemSink sink) {
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_\\-]+");
    private static final int SHOWN_TEXT = 60;

    static Cursor root(JsonNode node, ProblemSink sink) {
        return new Cursor(node, Problem.ROOT, sink);
    }

    Cursor field(String key) {
        String step = PLAIN_KEY.matcher(key).matches() ? key : "[\"" + key.replace("\"", "\\\"") + "\"]";
        String p = path.equals(Problem.ROOT) ? step : step.startsWith("[") ? path + step : path + "." + step;
        return new Cursor(node == null ? null : node.get(key), p, sink);
    }

    Cursor element(int index) {
        return new Cursor(node.get(index), path + "[" + index + "]", sink);
    }

    void problem(String message) { sink.report(path, message); }

    void warning(String message) { sink.warn(path, message); }

    boolean present() { return node != null; }
    boolean isMapping() { return node != null && node.isObject(); }
    boolean isList() { return node != null && node.isArray(); }

    /** The keys of a mapping, in document order. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (isMapping()) node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    List<Cursor> elements() {
        List<Cursor> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) out.add(element(i));
        return out;
    }

    /** A non-empty string, or a problem naming what is there instead. */
    Optional<String> text(String what) {
        if (node == null) { problem("required"); return Optional.empty(); }
        if (!node.isTextual()) { problem("expected " + what + ", got " + describeAsText()); return Optional.empty(); }
        if (node.textValue().isEmpty()) { problem("must not be empty"); return Optional.empty(); }
        return Optional.of(node.textValue());
    }

    /** A whole number in [min, max], or a problem. */
    Optional<Long> whole(String what, long min, long max) {
        if (node != null && node.isIntegralNumber() && node.canConvertToLong()
                && node.longValue() >= min && node.longValue() <= max) return Optional.of(node.longValue());
        problem("expected " + what + ", got " + describe());
        return Optional.empty();
    }

    /** A non-empty list of at most {@code max} non-empty strings, or problems. */
    Optional<List<String>> strings(int max) {
        if (!isList()) { problem("expected a list of strings, got " + describe()); return Optional.empty(); }
        if (node.isEmpty()) { problem("must list at least one value"); return Optional.empty(); }
        if (node.size() > max) { problem("at most " + max + " values, got " + node.size()); return Optional.empty(); }
        List<String> out = new ArrayList<>();
        for (Cursor e : elements()) e.text("a string").ifPresent(out::add);
        return out.size() == node.size() ? Optional.of(out) : Optional.empty();
    }

    /**
     * The one operator key of a mapping, ignoring {@code ignore} (a subject key beside it). Reports
     * unknown keys, none, or more than one. {@code what} names the mapping in messages.
     */
    Optional<String> operator(List<String> operators, String ignore, String what) {
        if (!isMapping()) {
            problem("expected a mapping with one of " + Words.oneOf(operators) + ", got " + describe());
            return Optional.empty();
        }
        List<String> found = new ArrayList<>();
        boolean unknown = false;
        for (String k : keys()) {
            if (k.equals(ignore)) continue;
            if (operators.contains(k)) found.add(k);
            else { unknown = true; field(k).problem("unknown operator; " + Words.suggest(k, operators)); }
        }
        if (found.size() > 1) {
            problem(what + " takes one operator; found " + found.get(0) + " and " + found.get(1) + " (combine filters with all or any)");
            return Optional.empty();
        }
        if (found.isEmpty()) {
            if (!unknown) problem(what + " needs an operator: one of " + Words.oneOf(operators));
            return Optional.empty();
        }
        return Optional.of(found.get(0));
    }

    /** Flags {@code key: true}; anything else is a problem. */
    boolean flag() {
        if (node != null && node.isBoolean() && node.booleanValue()) return true;
        problem("expected true, got " + describe());
        return false;
    }

    /** {@link #describe()}, with a hint where text was expected but YAML read a boolean. */
    String describeAsText() {
        return node != null && node.isBoolean()
                ? describe() + " (quote it if you meant text: YAML reads yes, no, on and off as booleans)"
                : describe();
    }

    /** What a node is, for messages: {@code string 'abc'}, {@code number 3}, {@code a list}, … */
    String describe() {
        if (node == null || node.isMissingNode()) return "nothing";
        if (node.isNull()) return "null";
        if (node.isTextual()) {
            String t = node.textValue();
            return "string '" + (t.length() > SHOWN_TEXT ? t.substring(0, SHOWN_TEXT) + "…" : t) + "'";
        }
        if (node.isNumber()) return "number " + node.asText();
        if (node.isBoolean()) return "boolean " + node.asText();
        if (node.isArray()) return "a list";
        if (node.isObject()) return "a mapping";
        return node.getNodeType().toString().toLowerCase();
    }
}
