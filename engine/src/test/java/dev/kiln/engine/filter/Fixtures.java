package dev.kiln.engine.filter;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.StandardAttributes;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

import java.util.List;

/** Shared helpers for filter tests: a fixed clock and one-attribute users. */
final class Fixtures {
    private Fixtures() {}

    static final long NOW = BrazeTime.parse("2026-03-01T12:00:00Z").orElseThrow();
    static final long DAY = 86_400_000L;
    static final String ATTR = "attr";

    /** A user whose attribute {@code attr} holds {@code value} (absent when null). */
    static UserState userWith(Value value) {
        UserState u = new UserState("u1", 0);
        if (value != null) u.custom().put(ATTR, value);
        return u;
    }

    static UserState userWithStandard(String name, Value value) {
        UserState u = new UserState("u1", 0);
        if (value != null) (StandardAttributes.isStandard(name) ? u.standard() : u.custom()).put(name, value);
        return u;
    }

    static boolean test(Condition c, Value value) {
        return new Filter.Attribute(ATTR, c).test(userWith(value), NOW);
    }

    /** A table row: a readable case name, the condition, the value, and whether it matches. */
    static Arguments row(String name, Condition c, Value value, boolean expected) {
        return Arguments.of(Named.of(name, c), value, expected);
    }

    static Value num(double v) { return new Value.Num(v); }
    static Value str(String v) { return new Value.Str(v); }
    static Value bool(boolean v) { return new Value.Bool(v); }
    static Value time(long t) { return new Value.Time(t); }
    static Value arr(String... v) { return new Value.Arr(List.of(v)); }
    static Value obj() { return new Value.Obj(java.util.Map.of("a", 1L)); }
}
