package dev.kiln.server.fake;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The requests the fake answered, oldest first, bounded: past the limit the oldest are dropped (and counted), so a
 * fake left running under a benchmark keeps a window of recent requests instead of growing without end. Counts by
 * status cover every request, dropped or not.
 */
final class RequestLog {
    private final ArrayDeque<Recorded> entries = new ArrayDeque<>();
    private final Map<Integer, Long> byStatus = new TreeMap<>();
    private int limit;
    private long total;
    private long dropped;

    RequestLog(int limit) {
        limit(limit);
    }

    synchronized void limit(int limit) {
        if (limit < 1) throw new IllegalArgumentException("recordLimit must be >= 1, was " + limit);
        this.limit = limit;
        trim();
    }

    synchronized void add(Recorded r) {
        entries.addLast(r);
        total++;
        byStatus.merge(r.status(), 1L, Long::sum);
        trim();
    }

    private void trim() {
        while (entries.size() > limit) {
            entries.removeFirst();
            dropped++;
        }
    }

    synchronized List<Recorded> snapshot() {
        return List.copyOf(entries);
    }

    synchronized void clear() {
        entries.clear();
        byStatus.clear();
        total = 0;
        dropped = 0;
    }

    synchronized long total() { return total; }

    synchronized long dropped() { return dropped; }

    synchronized Map<Integer, Long> countsByStatus() {
        return Map.copyOf(byStatus);
    }

    /** The most recent {@code limit} entries matching, oldest first. */
    synchronized List<Recorded> recent(int limit, java.util.function.Predicate<Recorded> filter) {
        List<Recorded> out = new ArrayList<>();
        var it = entries.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            Recorded r = it.next();
            if (filter.test(r)) out.add(r);
        }
        return out.reversed();
    }

    synchronized TreeMap<String, Long> countsView() {
        TreeMap<String, Long> v = new TreeMap<>();
        byStatus.forEach((k, n) -> v.put(String.valueOf(k), n));
        return v;
    }
}
