package dev.kiln.engine;

import java.util.List;

/** One operation on one attribute, as {@code /users/track} and User Update steps express them. */
public sealed interface AttributeOp {
    String name();

    record Set(String name, Value value) implements AttributeOp {}
    /** {@code "attr": null}. */
    record Unset(String name) implements AttributeOp {}
    /** {@code {"inc": n}}; an absent attribute counts as 0. {@code floor}/{@code ceiling} may be null. */
    record Inc(String name, double by, Double floor, Double ceiling) implements AttributeOp {
        public Inc(String name, double by) { this(name, by, null, null); }
    }
    /** {@code {"add": [...]}} to an array of strings. */
    record Add(String name, List<String> values) implements AttributeOp {}
    /** {@code {"remove": [...]}} from an array of strings. */
    record Remove(String name, List<String> values) implements AttributeOp {}
}
