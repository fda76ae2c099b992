package dev.kiln.engine.filter;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A condition on one attribute value, with Braze's rules. Sources: braze-docs
 * {@code user_guide/data_and_analytics/custom_data/custom_attributes.md} ("Custom attribute data types")
 * and {@code user_guide/engagement_tools/segments/regex.md}.
 *
 * <p><b>Blank</b> means absent, an empty string or an empty array. <b>Wrong type</b>: a value whose type
 * does not fit the condition (a string under a number condition, an object under anything) never matches,
 * neither positive nor negative conditions; only {@link Blank}/{@link NotBlank} look at it (it is not
 * blank). Blank values match only where each condition says so.
 */
public sealed interface Condition {

    /** Absent, {@code ""} or {@code []}. */
    record Blank() implements Condition {}

    /** Present and not {@code ""} or {@code []}, of any type. */
    record NotBlank() implements Condition {}

    /**
     * A number compared with {@code operand}. As Braze ("Exactly 0" and "Less Than" filters include users
     * with NULL fields): a blank attribute matches {@code LESS_THAN} any operand and {@code EQUALS 0}.
     * {@code NOT_EQUAL} also matches blank (the user does not have the value), so {@code EQUALS 0} and
     * {@code NOT_EQUAL 0} both match blank users; add {@link NotBlank} to leave them out.
     * {@code GREATER_THAN} never matches blank.
     */
    record Num(Op op, double operand) implements Condition {
        public enum Op { EQUALS, NOT_EQUAL, GREATER_THAN, LESS_THAN }

        public Num {
            Objects.requireNonNull(op, "op");
            if (!Double.isFinite(operand)) throw new IllegalArgumentException("operand must be finite");
        }
    }

    /**
     * A string compared with {@code operands}, exactly (case and spaces count). Braze documents
     * EQUALS, IS ANY OF, IS NONE OF, CONTAINS ANY OF and DOESN'T CONTAIN ANY OF as case sensitive. Its
     * table calls DOES NOT EQUAL "not case sensitive"; Kiln keeps {@code NOT_EQUAL} case sensitive so
     * that it is the exact opposite of {@code EQUALS} and the one-value form of {@code NONE_OF}.
     * The negative operators ({@code NOT_EQUAL}, {@code NONE_OF}, {@code NOT_CONTAINS_ANY}) match blank
     * users; the positive ones do not. {@code EQUALS}/{@code NOT_EQUAL} take exactly one operand.
     */
    record Str(Op op, List<String> operands) implements Condition {
        public enum Op { EQUALS, NOT_EQUAL, ANY_OF, NONE_OF, CONTAINS_ANY, NOT_CONTAINS_ANY }

        public Str {
            Objects.requireNonNull(op, "op");
            operands = List.copyOf(operands);
            if ((op == Op.EQUALS || op == Op.NOT_EQUAL) && operands.size() != 1)
                throw new IllegalArgumentException(op + " takes one operand: " + operands);
        }

        public Str(Op op, String operand) { this(op, List.of(operand)); }
    }

    /**
     * A regular expression found anywhere in a string value, ignoring case: Braze adds the {@code /gi}
     * modifiers to segmentation regexes (regex.md, "Regex debugger"). Braze answers "Does the does not
     * match regex filter include blank values? No." (regex.md FAQ), so unlike the other negative
     * operators a {@code negated} regex does <em>not</em> match blank users. Java regex syntax, close to
     * Braze's PCRE for common patterns.
     */
    record Regex(Pattern pattern, boolean negated) implements Condition {
        public static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

        public Regex {
            Objects.requireNonNull(pattern, "pattern");
            if (pattern.flags() != FLAGS) pattern = Pattern.compile(pattern.pattern(), FLAGS);
        }

        /** @throws java.util.regex.PatternSyntaxException when {@code regex} is not a valid expression */
        public Regex(String regex, boolean negated) { this(Pattern.compile(regex, FLAGS), negated); }

        // Pattern has identity equality; two conditions with the same expression are equal.
        @Override public boolean equals(Object o) {
            return o instanceof Regex r && r.negated == negated && r.pattern.pattern().equals(pattern.pattern());
        }

        @Override public int hashCode() { return pattern.pattern().hashCode() * 31 + Boolean.hashCode(negated); }
    }

    /** Braze's boolean IS: {@code TRUE_OR_NOT_SET} and {@code FALSE_OR_NOT_SET} also match absent values. */
    record Bool(Op op) implements Condition {
        public enum Op { TRUE, FALSE, TRUE_OR_NOT_SET, FALSE_OR_NOT_SET }

        public Bool { Objects.requireNonNull(op, "op"); }
    }

    /** A time strictly before {@code epochMillis}. */
    record Before(long epochMillis) implements Condition {}

    /** A time strictly after {@code epochMillis}. */
    record After(long epochMillis) implements Condition {}

    /**
     * A time relative to now, one day being 24 hours as in Braze. With d = {@code days} × 24 h:
     * {@code MORE_THAN_DAYS_AGO}: t &lt; now − d; {@code LESS_THAN_DAYS_AGO}: now − d &lt; t ≤ now;
     * {@code IN_MORE_THAN_DAYS}: t &gt; now + d; {@code IN_LESS_THAN_DAYS}: now &lt; t &lt; now + d.
     */
    record Relative(Op op, int days) implements Condition {
        public enum Op { MORE_THAN_DAYS_AGO, LESS_THAN_DAYS_AGO, IN_MORE_THAN_DAYS, IN_LESS_THAN_DAYS }

        public Relative {
            Objects.requireNonNull(op, "op");
            if (days < 0) throw new IllegalArgumentException("days must be >= 0: " + days);
        }
    }

    /**
     * An array of strings includes any / none of {@code values}, exactly (case sensitive, as Braze).
     * {@code INCLUDES_NONE} matches blank (absent or empty) arrays.
     */
    record Arr(Op op, List<String> values) implements Condition {
        public enum Op { INCLUDES_ANY, INCLUDES_NONE }

        public Arr {
            Objects.requireNonNull(op, "op");
            values = List.copyOf(values);
        }
    }
}
