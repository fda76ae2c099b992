package dev.kiln.engine.filter;

import dev.kiln.engine.Value;

import java.util.List;

/** The rules of {@link Condition}, applied to one attribute value ({@code null} when absent). */
final class AttributeConditions {
    private AttributeConditions() {}

    static boolean test(Condition condition, Value value, long now) {
        boolean blank = isBlank(value);
        return switch (condition) {
            case Condition.Blank b -> blank;
            case Condition.NotBlank b -> !blank;
            case Condition.Num c -> number(c, value);
            case Condition.Str c -> blank ? isNegative(c.op()) : value instanceof Value.Str s && string(c, s.value());
            case Condition.Regex c -> value instanceof Value.Str s && !blank
                    && c.pattern().matcher(s.value()).find() != c.negated();
            case Condition.Bool c -> bool(c.op(), value);
            case Condition.Before c -> value instanceof Value.Time t && t.epochMillis() < c.epochMillis();
            case Condition.After c -> value instanceof Value.Time t && t.epochMillis() > c.epochMillis();
            case Condition.Relative c -> value instanceof Value.Time t && relative(c, t.epochMillis(), now);
            case Condition.Arr c -> blank ? c.op() == Condition.Arr.Op.INCLUDES_NONE
                    : value instanceof Value.Arr a && includesAny(a.values(), c.values()) == (c.op() == Condition.Arr.Op.INCLUDES_ANY);
        };
    }

    static boolean isBlank(Value value) {
        return value == null
                || value instanceof Value.Str s && s.value().isEmpty()
                || value instanceof Value.Arr a && a.values().isEmpty();
    }

    private static boolean number(Condition.Num c, Value value) {
        if (value == null) {
            return switch (c.op()) {
                case EQUALS -> c.operand() == 0;
                case NOT_EQUAL, LESS_THAN -> true;
                case GREATER_THAN -> false;
            };
        }
        if (!(value instanceof Value.Num n)) return false;
        double v = n.value();
        return switch (c.op()) {
            case EQUALS -> v == c.operand();
            case NOT_EQUAL -> v != c.operand();
            case GREATER_THAN -> v > c.operand();
            case LESS_THAN -> v < c.operand();
        };
    }

    private static boolean isNegative(Condition.Str.Op op) {
        return switch (op) {
            case NOT_EQUAL, NONE_OF, NOT_CONTAINS_ANY -> true;
            case EQUALS, ANY_OF, CONTAINS_ANY -> false;
        };
    }

    private static boolean string(Condition.Str c, String v) {
        return switch (c.op()) {
            case EQUALS, ANY_OF -> c.operands().contains(v);
            case NOT_EQUAL, NONE_OF -> !c.operands().contains(v);
            case CONTAINS_ANY -> containsAny(v, c.operands());
            case NOT_CONTAINS_ANY -> !containsAny(v, c.operands());
        };
    }

    private static boolean containsAny(String v, List<String> parts) {
        for (String p : parts) if (v.contains(p)) return true;
        return false;
    }

    private static boolean bool(Condition.Bool.Op op, Value value) {
        if (value == null) return op == Condition.Bool.Op.TRUE_OR_NOT_SET || op == Condition.Bool.Op.FALSE_OR_NOT_SET;
        if (!(value instanceof Value.Bool b)) return false;
        return switch (op) {
            case TRUE, TRUE_OR_NOT_SET -> b.value();
            case FALSE, FALSE_OR_NOT_SET -> !b.value();
        };
    }

    private static boolean relative(Condition.Relative c, long t, long now) {
        long d = c.days() * Filters.DAY_MILLIS;
        return switch (c.op()) {
            case MORE_THAN_DAYS_AGO -> t < now - d;
            case LESS_THAN_DAYS_AGO -> t > now - d && t <= now;
            case IN_MORE_THAN_DAYS -> t > now + d;
            case IN_LESS_THAN_DAYS -> t > now && t < now + d;
        };
    }

    private static boolean includesAny(List<String> have, List<String> wanted) {
        for (String w : wanted) if (have.contains(w)) return true;
        return false;
    }
}
