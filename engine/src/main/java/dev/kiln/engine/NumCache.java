package dev.kiln.engine;

/** The whole numbers {@link Value#num} hands out without allocating. */
final class NumCache {
    static final int LOW = -128, HIGH = 1024;
    static final Value.Num[] CACHE = new Value.Num[HIGH - LOW + 1];

    static {
        for (int i = LOW; i <= HIGH; i++) CACHE[i - LOW] = new Value.Num(i);
    }

    private NumCache() {}
}
