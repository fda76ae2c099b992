package dev.kiln.engine;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable map of a few entries in insertion order, held as one array of keys and values (keys unique; null
 * values allowed). What the engine logs and copies per input — event data, event properties — has a
 * handful of fields; a {@link java.util.LinkedHashMap} costs a table and an entry object per field for it.
 * Lookups are linear, so only {@link Json} makes these, and only for small maps.
 */
final class SmallMap extends AbstractMap<String, Object> {
    /** Larger maps take a {@link java.util.LinkedHashMap}. */
    static final int MAX = 8;

    private final Object[] kv; // key, value, key, value, …

    SmallMap(Object[] kv) { this.kv = kv; }

    @Override public int size() { return kv.length >> 1; }

    @Override public boolean isEmpty() { return kv.length == 0; }

    @Override public boolean containsKey(Object key) { return index(key) >= 0; }

    @Override public Object get(Object key) {
        int i = index(key);
        return i < 0 ? null : kv[i + 1];
    }

    private int index(Object key) {
        for (int i = 0; i < kv.length; i += 2) if (java.util.Objects.equals(kv[i], key)) return i;
        return -1;
    }

    @Override public void forEach(BiConsumer<? super String, ? super Object> action) {
        for (int i = 0; i < kv.length; i += 2) action.accept((String) kv[i], kv[i + 1]);
    }

    @Override public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override public int size() { return kv.length >> 1; }

            @Override public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    int i;

                    @Override public boolean hasNext() { return i < kv.length; }

                    @Override public Entry<String, Object> next() {
                        if (i >= kv.length) throw new NoSuchElementException();
                        Entry<String, Object> e = new SimpleImmutableEntry<>((String) kv[i], kv[i + 1]);
                        i += 2;
                        return e;
                    }
                };
            }
        };
    }
}
