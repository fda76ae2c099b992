package dev.kiln.engine;

import java.util.Arrays;

/**
 * What a user did of one kind: first and last time, total count, and per-day counts for the last
 * {@value #DAYS} days (a ring indexed by epoch day), enough for "performed X at least N times in the
 * last D days" with D ≤ 30. Mutable; owned by its {@link UserState}.
 *
 * <p>The ring has {@value #DAYS} slots, one per epoch day modulo {@value #DAYS}; a slot holds the newest day
 * recorded in it. Only the slots in use are stored, as (day, count) pairs in an array that grows as days
 * are added: a profile holds one summary per event name, most of them with a few days, and a full ring for
 * each would make up most of a profile's memory.
 */
public final class EventSummary {
    public static final int DAYS = 31;

    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;
    private long count;
    /** Slots in use as pairs: {@code days[2i]} the epoch day, {@code days[2i + 1]} its count (an int). Null when none. */
    private long[] days;
    private int used;

    public EventSummary() {}

    /** Rebuilds a summary from stored parts; {@code days} and {@code counts} are parallel arrays. */
    public static EventSummary restore(long first, long last, long count, long[] days, int[] counts) {
        EventSummary s = new EventSummary();
        s.first = first;
        s.last = last;
        s.count = count;
        for (int i = 0; i < days.length; i++) {
            int at = s.inSlot(days[i]);
            if (at < 0) {
                if (days[i] != Long.MIN_VALUE) s.add(days[i], counts[i]); // MIN_VALUE: an empty slot
            } else if (s.days[at] < days[i]) {
                s.days[at] = days[i];
                s.days[at + 1] = counts[i];
            }
        }
        return s;
    }

    private static int slot(long day) { return (int) Math.floorMod(day, DAYS); }

    /** Index in {@link #days} of the pair in {@code day}'s slot, or -1 when the slot is empty. */
    private int inSlot(long day) {
        long[] d = days;
        for (int i = 0, n = 2 * used; i < n; i += 2) if (d[i] == day) return i; // the usual case: the same day
        int slot = slot(day);
        for (int i = 0, n = 2 * used; i < n; i += 2) if (slot(d[i]) == slot) return i;
        return -1;
    }

    private void add(long day, int n) {
        if (days == null) days = new long[4];
        else if (2 * used == days.length) days = Arrays.copyOf(days, Math.min(2 * DAYS, days.length * 2));
        days[2 * used] = day;
        days[2 * used + 1] = n;
        used++;
    }

    /** Records {@code n} occurrences at {@code time}. Occurrences older than the ring only count in the totals. */
    public void record(long time, int n) {
        if (count == 0 || time < first) first = time;
        if (count == 0 || time > last) last = time;
        count += n;
        long day = BrazeTime.epochDay(time);
        int at = inSlot(day);
        if (at < 0) add(day, n);
        else if (days[at] == day) days[at + 1] = (int) days[at + 1] + n;
        else if (days[at] < day) { days[at] = day; days[at + 1] = n; }
        // else: a day older than what the slot holds now, outside the ring: totals only.
    }

    /** Merges another summary into this one (identify). */
    public void merge(EventSummary o) {
        if (o.count == 0) return;
        if (count == 0 || o.first < first) first = o.first;
        if (count == 0 || o.last > last) last = o.last;
        count += o.count;
        for (int j = 0; j < 2 * o.used; j += 2) {
            long day = o.days[j];
            int n = (int) o.days[j + 1];
            int at = inSlot(day);
            if (at < 0) add(day, n);
            else if (days[at] == day) days[at + 1] = (int) days[at + 1] + n;
            else if (days[at] < day) { days[at] = day; days[at + 1] = n; }
        }
    }

    /** Occurrences on the {@code days} calendar days (UTC) ending with the day of {@code now}, days ≤ 31. */
    public long countInLastDays(int days, long now) {
        if (days < 1 || days > DAYS) throw new IllegalArgumentException("days must be 1.." + DAYS + ": " + days);
        long today = BrazeTime.epochDay(now);
        long sum = 0;
        long[] d = this.days;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            long day = d[i];
            if (day <= today && day > today - days) sum += (int) d[i + 1];
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
        for (int i = 0; i < o.length; i++) out[i] = days[o[i]];
        return out;
    }

    public int[] dailyCounts() {
        int[] o = order();
        int[] out = new int[o.length];
        for (int i = 0; i < o.length; i++) out[i] = (int) days[o[i] + 1];
        return out;
    }

    /** Indexes of the pairs in use, oldest day first; a plain insertion sort (at most 31, on the encode path). */
    private int[] order() {
        int[] idx = new int[used];
        for (int k = 0; k < used; k++) {
            int i = 2 * k, j = k;
            while (j > 0 && days[idx[j - 1]] > days[i]) { idx[j] = idx[j - 1]; j--; }
            idx[j] = i;
        }
        return idx;
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
