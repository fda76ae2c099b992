package dev.kiln.definitions;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;

import java.util.List;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/** {@code { attribute: NAME, OPERATOR: OPERAND }}: one attribute, one operator. */
final class AttributeParser {
    private AttributeParser() {}

    static final List<String> OPERATORS = List.of(
            "equals", "not_equal", "greater_than", "less_than",
            "any_of", "none_of", "contains_any", "not_contains_any", "matches_regex", "not_matches_regex",
            "is", "before", "after",
            "more_than_days_ago", "less_than_days_ago", "in_more_than_days", "in_less_than_days",
            "includes_any", "includes_none", "blank", "not_blank");

    /** Braze's limit on values in one filter (IS ANY OF, INCLUDES ANY OF, …). */
    static final int MAX_VALUES = 256;
    /** Braze's limit on a segmentation regex. */
    static final int MAX_REGEX_LENGTH = 32_764;
    static final int MAX_DAYS = 36_500;
    static final long DAY_MILLIS = 86_400_000L;

    static Filter parse(Cursor at) {
        Optional<String> name = at.field("attribute").text("an attribute name");
        Condition condition = condition(at, "attribute", "an attribute filter");
        return name.isPresent() && condition != null ? new Filter.Attribute(name.get(), condition) : null;
    }

    /**
     * The one operator beside {@code subject} and its operand, as a condition on one value (also used
     * for event property filters: {@code { property: plan.tier, equals: pro }}). Null after a problem.
     */
    static Condition condition(Cursor at, String subject, String what) {
        Optional<String> op = at.operator(OPERATORS, subject, what);
        return op.map(o -> condition(o, at.field(o))).orElse(null);
    }

    private static Condition condition(String op, Cursor v) {
        return switch (op) {
            case "equals" -> equality(v, Condition.Num.Op.EQUALS, Condition.Str.Op.EQUALS);
            case "not_equal" -> equality(v, Condition.Num.Op.NOT_EQUAL, Condition.Str.Op.NOT_EQUAL);
            case "greater_than" -> number(v).map(x -> new Condition.Num(Condition.Num.Op.GREATER_THAN, x)).orElse(null);
            case "less_than" -> number(v).map(x -> new Condition.Num(Condition.Num.Op.LESS_THAN, x)).orElse(null);
            case "any_of" -> strings(v, Condition.Str.Op.ANY_OF);
            case "none_of" -> strings(v, Condition.Str.Op.NONE_OF);
            case "contains_any" -> strings(v, Condition.Str.Op.CONTAINS_ANY);
            case "not_contains_any" -> strings(v, Condition.Str.Op.NOT_CONTAINS_ANY);
            case "matches_regex" -> regex(v, false);
            case "not_matches_regex" -> regex(v, true);
            case "is" -> bool(v);
            case "before" -> time(v, false).map(t -> (Condition) new Condition.Before(t)).orElse(null);
            case "after" -> time(v, true).map(t -> (Condition) new Condition.After(t)).orElse(null);
            case "more_than_days_ago" -> relative(v, Condition.Relative.Op.MORE_THAN_DAYS_AGO);
            case "less_than_days_ago" -> relative(v, Condition.Relative.Op.LESS_THAN_DAYS_AGO);
            case "in_more_than_days" -> relative(v, Condition.Relative.Op.IN_MORE_THAN_DAYS);
            case "in_less_than_days" -> relative(v, Condition.Relative.Op.IN_LESS_THAN_DAYS);
            case "includes_any" -> v.strings(MAX_VALUES).map(l -> new Condition.Arr(Condition.Arr.Op.INCLUDES_ANY, l)).orElse(null);
            case "includes_none" -> v.strings(MAX_VALUES).map(l -> new Condition.Arr(Condition.Arr.Op.INCLUDES_NONE, l)).orElse(null);
            case "blank" -> v.flag() ? new Condition.Blank() : null;
            case "not_blank" -> v.flag() ? new Condition.NotBlank() : null;
            default -> throw new IllegalStateException("operator without a parser: " + op);
        };
    }

    /** The operand's type picks the comparison: {@code equals: 10} is numeric, {@code equals: "10"} is text. */
    private static Condition equality(Cursor v, Condition.Num.Op numOp, Condition.Str.Op strOp) {
        if (v.node().isNumber()) return number(v).map(x -> new Condition.Num(numOp, x)).orElse(null);
        if (v.node().isTextual()) {
            if (v.node().textValue().isEmpty()) {
                v.problem("must not be empty (use blank: true or not_blank: true for empty values)");
                return null;
            }
            return new Condition.Str(strOp, v.node().textValue());
        }
        v.problem("expected a number or a string, got " + v.describe()
                + (v.node().isBoolean() ? " (for booleans write is: true or is: false)" : ""));
        return null;
    }

    private static Optional<Double> number(Cursor v) {
        if (v.node().isNumber() && Double.isFinite(v.node().doubleValue())) return Optional.of(v.node().doubleValue());
        v.problem("expected a number, got " + v.describe());
        return Optional.empty();
    }

    private static Condition strings(Cursor v, Condition.Str.Op op) {
        return v.strings(MAX_VALUES).map(l -> new Condition.Str(op, l)).orElse(null);
    }

    private static Condition regex(Cursor v, boolean negated) {
        Optional<String> regex = v.text("a regular expression");
        if (regex.isEmpty()) return null;
        if (regex.get().length() > MAX_REGEX_LENGTH) {
            v.problem("at most " + MAX_REGEX_LENGTH + " characters, got " + regex.get().length());
            return null;
        }
        try {
            return new Condition.Regex(regex.get(), negated);
        } catch (PatternSyntaxException e) {
            v.problem("invalid regular expression: " + e.getDescription() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
            return null;
        }
    }

    private static Condition bool(Cursor v) {
        if (v.node().isBoolean()) return new Condition.Bool(v.node().booleanValue() ? Condition.Bool.Op.TRUE : Condition.Bool.Op.FALSE);
        if (v.node().isTextual()) {
            switch (v.node().textValue()) {
                case "true" -> { return new Condition.Bool(Condition.Bool.Op.TRUE); }
                case "false" -> { return new Condition.Bool(Condition.Bool.Op.FALSE); }
                case "true_or_not_set" -> { return new Condition.Bool(Condition.Bool.Op.TRUE_OR_NOT_SET); }
                case "false_or_not_set" -> { return new Condition.Bool(Condition.Bool.Op.FALSE_OR_NOT_SET); }
                default -> { }
            }
        }
        v.problem("expected true, false, true_or_not_set or false_or_not_set, got " + v.describe());
        return null;
    }

    /**
     * A date or a time. A date alone names a whole UTC day: {@code before: 2026-01-31} means before the
     * day starts, {@code after: 2026-01-31} after it ends, as Braze's calendar-date filters read.
     */
    private static Optional<Long> time(Cursor v, boolean after) {
        Optional<String> text = v.text("a date such as 2026-01-31 or a time such as 2026-01-31T09:00:00Z");
        if (text.isEmpty()) return Optional.empty();
        Optional<Long> t = BrazeTime.parse(text.get());
        if (t.isEmpty()) {
            v.problem("expected a date such as 2026-01-31 or a time such as 2026-01-31T09:00:00Z, got " + v.describe());
            return Optional.empty();
        }
        boolean dateOnly = text.get().length() == 10;
        return Optional.of(dateOnly && after ? t.get() + DAY_MILLIS - 1 : t.get());
    }

    private static Condition relative(Cursor v, Condition.Relative.Op op) {
        return days(v).map(d -> new Condition.Relative(op, d)).orElse(null);
    }

    static Optional<Integer> days(Cursor v) {
        return v.whole("a whole number of days from 0 to " + MAX_DAYS, 0, MAX_DAYS).map(Long::intValue);
    }
}
