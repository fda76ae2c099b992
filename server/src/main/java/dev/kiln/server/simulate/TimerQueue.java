package dev.kiln.server.simulate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Pending timers in (due, set order). Most waits are a fixed duration from now (an Action Paths window,
 * a delay) and the clock never goes back, so timers of one duration come due in the order they were set:
 * each duration gets a FIFO lane (constant time, cache-friendly), and the rest (waits until a time of
 * day) a heap. Cancelled timers stay queued and are dropped when they reach the front.
 */
final class TimerQueue {
    private static final int MAX_LANES = 64;

    private final Map<Long, ArrayDeque<Simulation.Timer>> byDuration = new HashMap<>();
    private final List<ArrayDeque<Simulation.Timer>> lanes = new ArrayList<>();
    private final PriorityQueue<Simulation.Timer> others = new PriorityQueue<>(TimerQueue::compare);

    private static int compare(Simulation.Timer a, Simulation.Timer b) {
        return a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq);
    }

    void add(Simulation.Timer t, long now) {
        long duration = t.due - now;
        ArrayDeque<Simulation.Timer> lane = byDuration.get(duration);
        if (lane == null && lanes.size() < MAX_LANES) {
            lane = new ArrayDeque<>();
            byDuration.put(duration, lane);
            lanes.add(lane);
        }
        if (lane != null && (lane.isEmpty() || compare(lane.peekLast(), t) <= 0)) lane.addLast(t);
        else others.add(t);
    }

    /** Removes and returns the first live timer due at or before {@code t}, or null. */
    Simulation.Timer pollDue(long t) {
        while (true) {
            ArrayDeque<Simulation.Timer> best = null;
            Simulation.Timer head = null;
            for (int i = 0, n = lanes.size(); i < n; i++) {
                ArrayDeque<Simulation.Timer> lane = lanes.get(i);
                Simulation.Timer h = lane.peekFirst();
                if (h != null && (head == null || compare(h, head) < 0)) { head = h; best = lane; }
            }
            Simulation.Timer h = others.peek();
            if (h != null && (head == null || compare(h, head) < 0)) { head = h; best = null; }
            if (head == null || head.due > t) return null;
            if (best != null) best.pollFirst();
            else others.poll();
            if (head.live) return head;
        }
    }
}
