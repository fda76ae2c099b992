package dev.kiln.engine;

import java.util.Arrays;

/**
 * What a user did of one kind: first and last time, total count, and per-day counts for the last
 * {@value #DAYS} days (a ring indexed by epoch day), enough for "performed X at least N times in the
 * last D days" with D ≤ 30. Mutable; owned by its {@link UserState}.
 */
public final class EventSummary {
    public static final int DAYS = 31;

    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;
    private long count;
    private final long[] dayOf = new long[DAYS];
    private final int[] countOf = new int[DAYS];

    public EventSummary() {
        Arrays.fill(dayOf, Long.MIN_VALUE);
    }

    /** Rebuilds a summary from stored parts; {@code days} and {@code counts} are parallel arrays. */
    public static EventSummary restore(long first, long last, long count, long[] days, int[] counts) {
        EventSummary s = new EventSummary();
        s.first = first;
        s.last = last;
        s.count = count;
        for (int i = 0; i < days.length; i++) {
            int slot = slot(days[i]);
            if (s.dayOf[slot] < days[i]) { s.dayOf[slot] = days[i]; s.countOf[slot] = counts[i]; }
        }
        return s;
    }

    private static int slot(long day) { return (int) Math.floorMod(day, DAYS); }

    /** Records {@code n} occurrences at {@code time}. Occurrences older than the ring only count in the totals. */
    public void record(long time, int n) {
        if (count == 0 || time < first) first = time;
        if (count == 0 || time > last) last = time;
        count += n;
        long day = BrazeTime.epochDay(time);
        int slot = slot(day);
        if (dayOf[slot] == day) countOf[slot] += n;
        else if (dayOf[slot] < day) { dayOf[slot] = day; countOf[slot] = n; }
        // else: a day older than what the slot holds now, outside the ring: totals only.
    }

    /** Merges another summary into this one (identify). */
    public void merge(EventSummary o) {
        if (o.count == 0) return;
        if (count == 0 || o.first < first) first = o.first;
        if (count == 0 || o.last > last) last = o.last;
        count += o.count;
        for (int i = 0; i < DAYS; i++) {
            if (o.dayOf[i] == Long.MIN_VALUE) continue;
            if (dayOf[i] == o.dayOf[i]) countOf[i] += o.countOf[i];
            else if (dayOf[i] < o.dayOf[i]) { dayOf[i] = o.dayOf[i]; countOf[i] = o.countOf[i]; }
        }
    }

    /** Occurrences on the {@code days} calendar days (UTC) ending with the day of {@code now}, days ≤ 31. */
    public long countInLastDays(int days, long now) {
        if (days < 1 || days > DAYS) throw new IllegalArgumentException("days must be 1.." + DAYS + ": " + days);
        long today = BrazeTime.epochDay(now);
        long sum = 0;
        for (int i = 0; i < DAYS; i++) {
            long d = dayOf[i];
            if (d != Long.MIN_VALUE && d <= today && d > today - days) sum += countOf[i];
        }
        return sum;
    }

    public long first() { return first; }
    public long last() { return last; }
    public long count() { return count; }

    /** Days held in the ring (for storage), oldest first, with {@link #dailyCounts()} in the same order. */
    public long[] days() {
        int[] o = order();
        long[] out = new long[o.length];
        for (int i = 0; i < o.length; i++) out[i] = dayOf[o[i]];
        return out;
    }

    public int[] dailyCounts() {
        int[] o = order();
        int[] out = new int[o.length];
        for (int i = 0; i < o.length; i++) out[i] = countOf[o[i]];
        return out;
    }

    /** Ring slots in use, oldest day first; a plain insertion sort (at most 31 slots, on the encode path). */
    private int[] order() {
        int[] idx = new int[DAYS];
        int n = 0;
        for (int i = 0; i < DAYS; i++) {
            if (dayOf[i] == Long.MIN_VALUE) continue;
            int j = n++;
            while (j > 0 && dayOf[idx[j - 1]] > dayOf[i]) { idx[j] = idx[j - 1]; j--; }
            idx[j] = i;
        }
        return Arrays.copyOf(idx, n);
    }

    public EventSummary copy() {
        return restore(first, last, count, days(), dailyCounts());
    }

    @Override public boolean equals(Object o) {
        return o instanceof EventSummary s && s.first == first && s.last == last && s.count == count
                && Arrays.equals(s.days(), days()) && Arrays.equals(s.dailyCounts(), dailyCounts());
    }

    @Override public int hashCode() { return Long.hashCode(count) * 31 + Long.hashCode(last); }

    @Override public String toString() { return "EventSummary[first=" + first + ", last=" + last + ", count=" + count + "]"; }
}
