package dev.kiln.server.simulate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Pending timers in (due, set order), held as numbers only: an entry is {@code (due, seq, user, key)}, where
 * {@code seq} orders timers due at the same instant by when they were set and {@code key} is the caller's
 * (Canvas, token). Holding no objects matters at millions of timers: a timer waits for hours of virtual
 * time, so an object per timer would outlive young collections, and every user pointing at a fresh one
 * would dirty an old card for the collector to scan.
 *
 * <p>Most waits are a fixed duration from now (an Action Paths window, a delay) and the clock never goes
 * back, so timers of one duration come due in the order they were set: each duration gets a FIFO lane (a
 * ring buffer), and the rest (waits until a time of day) a binary heap. Cancelled timers stay queued; the
 * caller skips them when they come up.
 */
final class TimerQueue {
    private static final int MAX_LANES = 64;
    /** Longs per entry: due, seq, user, key. */
    private static final int W = 4;

    /** One entry taken off the queue by {@link #poll}. */
    long due, seq, key;
    int user;

    private final Map<Long, Ring> byDuration = new HashMap<>();
    private Ring[] lanes = new Ring[0];
    private final Heap others = new Heap();
    /** The lane of the last duration added (most waits have the same one). */
    private long lastDuration = Long.MIN_VALUE;
    private Ring lastLane;

    void add(long due, long seq, int user, long key, long now) {
        long duration = due - now;
        Ring lane = duration == lastDuration ? lastLane : byDuration.get(duration);
        if (lane != null) {
            lastDuration = duration;
            lastLane = lane;
        } else if (lanes.length < MAX_LANES) {
            lane = new Ring();
            byDuration.put(duration, lane);
            lanes = Arrays.copyOf(lanes, lanes.length + 1);
            lanes[lanes.length - 1] = lane;
        }
        if (lane != null && lane.acceptsLast(due, seq)) lane.addLast(due, seq, user, key);
        else others.add(due, seq, user, key);
    }

    /**
     * Takes the first entry due at or before {@code t} into {@link #due}, {@link #seq}, {@link #user} and
     * {@link #key}; false when none is due.
     */
    boolean poll(long t) {
        Ring best = null;
        long bestDue = Long.MAX_VALUE, bestSeq = Long.MAX_VALUE;
        for (Ring lane : lanes) {
            if (lane.size == 0) continue;
            int h = lane.head * W;
            long d = lane.e[h], s = lane.e[h + 1];
            if (best == null || before(d, s, bestDue, bestSeq)) { best = lane; bestDue = d; bestSeq = s; }
        }
        boolean heap = false;
        if (others.size > 0 && (best == null || before(others.e[0], others.e[1], bestDue, bestSeq))) {
            heap = true;
            bestDue = others.e[0];
        }
        if ((best == null && !heap) || bestDue > t) return false;
        long[] e;
        int at;
        if (heap) {
            e = others.e;
            at = 0;
        } else {
            e = best.e;
            at = best.head * W;
        }
        due = e[at];
        seq = e[at + 1];
        user = (int) e[at + 2];
        key = e[at + 3];
        if (heap) others.removeFirst();
        else best.removeFirst();
        return true;
    }

    private static boolean before(long due, long seq, long otherDue, long otherSeq) {
        return due != otherDue ? due < otherDue : seq < otherSeq;
    }

    /** A FIFO of entries in (due, seq) order. */
    private static final class Ring {
        long[] e = new long[W * 64];
        int head, size;

        boolean acceptsLast(long due, long seq) {
            if (size == 0) return true;
            int last = ((head + size - 1) & (capacity() - 1)) * W;
            return !before(due, seq, e[last], e[last + 1]);
        }

        void addLast(long due, long seq, int user, long key) {
            if (size == capacity()) grow();
            int at = ((head + size) & (capacity() - 1)) * W;
            e[at] = due;
            e[at + 1] = seq;
            e[at + 2] = user;
            e[at + 3] = key;
            size++;
        }

        void removeFirst() {
            head = (head + 1) & (capacity() - 1);
            size--;
        }

        private int capacity() { return e.length / W; }

        private void grow() {
            long[] bigger = new long[e.length * 2];
            int firstPart = Math.min(size, capacity() - head);
            System.arraycopy(e, head * W, bigger, 0, firstPart * W);
            System.arraycopy(e, 0, bigger, firstPart * W, (size - firstPart) * W);
            e = bigger;
            head = 0;
        }
    }

    /** A binary min-heap of entries by (due, seq). */
    private static final class Heap {
        long[] e = new long[W * 16];
        int size;

        void add(long due, long seq, int user, long key) {
            if ((size + 1) * W > e.length) e = Arrays.copyOf(e, e.length * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (!before(due, seq, e[parent * W], e[parent * W + 1])) break;
                System.arraycopy(e, parent * W, e, i * W, W);
                i = parent;
            }
            set(i, due, seq, user, key);
        }

        void removeFirst() {
            int last = --size;
            if (last == 0) return;
            long due = e[last * W], seq = e[last * W + 1], user = e[last * W + 2], key = e[last * W + 3];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && before(e[(child + 1) * W], e[(child + 1) * W + 1], e[child * W], e[child * W + 1])) child++;
                if (!before(e[child * W], e[child * W + 1], due, seq)) break;
                System.arraycopy(e, child * W, e, i * W, W);
                i = child;
            }
            set(i, due, seq, (int) user, key);
        }

        private void set(int i, long due, long seq, int user, long key) {
            e[i * W] = due;
            e[i * W + 1] = seq;
            e[i * W + 2] = user;
            e[i * W + 3] = key;
        }
    }
}
