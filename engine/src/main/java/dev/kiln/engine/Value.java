package dev.kiln.engine;

import java.util.List;
import java.util.Map;

/**
 * A typed attribute value. Custom attributes carry one of these types; the type of an attribute is the
 * type of its current value (as in Braze, setting a value of another type changes the type).
 */
public sealed interface Value {

    /** Numbers are doubles; integral values print without a fraction. */
    record Num(double value) implements Value {
        public Num {
            if (!Double.isFinite(value)) throw new IllegalArgumentException("number must be finite");
        }
        public boolean integral() { return value == Math.rint(value) && Math.abs(value) < 9.007199254740992E15; }
        @Override public String toString() { return integral() ? Long.toString((long) value) : Double.toString(value); }
    }

    record Str(String value) implements Value {
        @Override public String toString() { return value; }
    }

    record Bool(boolean value) implements Value {
        @Override public String toString() { return Boolean.toString(value); }
    }

    /** A point in time, epoch milliseconds UTC. */
    record Time(long epochMillis) implements Value {
        @Override public String toString() { return BrazeTime.format(epochMillis); }
    }

    /** An array of unique strings, in insertion order. */
    record Arr(List<String> values) implements Value {
        public Arr { values = List.copyOf(values); }
    }

    /** A nested object: a tree of String, Double/Long, Boolean, List and Map (null allowed as a leaf). */
    record Obj(Map<String, Object> value) implements Value {
        public Obj { value = Json.immutableCopy(value); }
    }

    /**
     * A number value; whole numbers from {@value NumCache#LOW} to {@value NumCache#HIGH} (scores, counts) come from a
     * cache. Values are compared with {@code equals}, never by identity, so this only saves allocations —
     * and, on the engine's hot path, a fresh object written into a long-lived profile per change.
     */
    static Num num(double v) {
        int i = (int) v;
        if (i == v && i >= NumCache.LOW && i <= NumCache.HIGH && (i != 0 || Double.doubleToRawLongBits(v) == 0)) return NumCache.CACHE[i - NumCache.LOW];
        return new Num(v);
    }
    static Str str(String v) { return new Str(v); }
    static Bool bool(boolean v) { return new Bool(v); }

    /** Plain Java form of the value (for JSON output): Long/Double, String, Boolean, ISO string, List, Map. */
    default Object toJava() {
        return switch (this) {
            case Num n -> n.integral() ? (Object) (long) n.value() : (Object) n.value();
            case Str s -> s.value();
            case Bool b -> b.value();
            case Time t -> BrazeTime.format(t.epochMillis());
            case Arr a -> a.values();
            case Obj o -> o.value();
        };
    }

    /** The type name used in filters and error messages. */
    default String typeName() {
        return switch (this) {
            case Num n -> "number";
            case Str s -> "string";
            case Bool b -> "boolean";
            case Time t -> "time";
            case Arr a -> "array";
            case Obj o -> "object";
        };
    }
}
