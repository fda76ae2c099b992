package dev.kiln.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What a benchmark opened (servers, stores, tables, directories), closed newest first — servers before the
 * stores they drain into — by {@link #closeAll} at the end or from a Ctrl-C hook. A close that fails is
 * printed and the rest still close.
 */
final class BenchResources {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Remembers {@code r} for {@link #closeAll}; returns it. */
    <T extends AutoCloseable> T opened(T r) {
        synchronized (open) { open.add(r); }
        return r;
    }

    /** Closes {@code r} now (null is ignored) and forgets it. */
    void close(AutoCloseable r) {
        if (r == null) return;
        synchronized (open) { open.remove(r); }
        closeQuietly(r);
    }

    /** Closes everything still open, newest first. */
    void closeAll() {
        List<AutoCloseable> all;
        synchronized (open) {
            all = new ArrayList<>(open);
            open.clear();
        }
        for (int i = all.size() - 1; i >= 0; i--) closeQuietly(all.get(i));
    }

    private static void closeQuietly(AutoCloseable r) {
        try {
            r.close();
        } catch (Exception e) {
            System.out.println("  ! closing " + r + " failed: " + e);
        }
    }
}
