package dev.kiln.server.simulate;

import dev.kiln.engine.Value;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --threshold '"lead score">100'}: a number attribute compared with a constant ({@code >},
 * {@code >=}, {@code <}, {@code <=}). The name may be quoted (it may hold spaces). A user lacking the
 * attribute, or holding a value that is not a number, does not satisfy it.
 */
record Threshold(String attribute, String operator, double value) {
    private static final Pattern FORM = Pattern.compile("\\s*(?:\"([^\"]+)\"|([^<>=]+?))\\s*(>=|<=|>|<)\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*");

    static Threshold parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches())
            throw new IllegalArgumentException("--threshold must look like '\"lead score\">100' (operators >, >=, <, <=), was " + text);
        String name = m.group(1) != null ? m.group(1) : m.group(2).trim();
        return new Threshold(name, m.group(3), Double.parseDouble(m.group(4)));
    }

    boolean test(Value v) {
        if (!(v instanceof Value.Num n)) return false;
        double x = n.value();
        return switch (operator) {
            case ">" -> x > value;
            case ">=" -> x >= value;
            case "<" -> x < value;
            default -> x <= value;
        };
    }

    @Override public String toString() { return "\"" + attribute + "\" " + operator + " " + Numbers.format(value); }
}
