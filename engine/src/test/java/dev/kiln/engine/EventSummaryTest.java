package dev.kiln.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class EventSummaryTest {
    private static final long DAY = 86_400_000L;
    private static final long NOW = 20_000 * DAY + 3_600_000L;

    @Test void counts_in_the_last_days_include_today_and_exclude_older_days() {
        EventSummary s = new EventSummary();
        s.record(NOW, 1);
        s.record(NOW - DAY, 2);
        s.record(NOW - 7 * DAY, 4);
        s.record(NOW - 40 * DAY, 8); // beyond the ring: totals only
        assertThat(s.countInLastDays(1, NOW)).isEqualTo(1);
        assertThat(s.countInLastDays(2, NOW)).isEqualTo(3);
        assertThat(s.countInLastDays(7, NOW)).isEqualTo(3);
        assertThat(s.countInLastDays(8, NOW)).isEqualTo(7);
        assertThat(s.count()).isEqualTo(15);
        assertThat(s.first()).isEqualTo(NOW - 40 * DAY);
    }

    /** Against a brute-force model, over seeded random event times. */
    @ParameterizedTest @ValueSource(longs = {1, 2, 3, 42, 1234, 99999})
    void matches_a_brute_force_count_for_random_histories(long seed) {
        Random r = new Random(seed);
        EventSummary s = new EventSummary();
        long[] times = new long[200];
        for (int i = 0; i < times.length; i++) {
            times[i] = NOW - (long) (r.nextDouble() * 60 * DAY);
            s.record(times[i], 1);
        }
        for (int d = 1; d <= 31; d++) {
            long today = Math.floorDiv(NOW, DAY);
            int days = d;
            long expected = java.util.Arrays.stream(times).filter(t -> Math.floorDiv(t, DAY) > today - days).count();
            assertThat(s.countInLastDays(d, NOW)).as("seed %d, days %d", seed, d).isEqualTo(expected);
        }
        EventSummary restored = EventSummary.restore(s.first(), s.last(), s.count(), s.days(), s.dailyCounts());
        assertThat(restored).as("seed %d", seed).isEqualTo(s);
    }

    /**
     * The summary keeps only the slots in use; against the plain 31-slot ring it replaces (kept here as the
     * model), over random records out of order, merges and restores, everything it tells is the same.
     */
    @ParameterizedTest @ValueSource(longs = {1, 7, 31, 2024, 777777})
    void keeps_what_a_full_ring_keeps(long seed) {
        Random r = new Random(seed);
        for (int round = 0; round < 200; round++) {
            EventSummary s = new EventSummary(), other = new EventSummary();
            Ring model = new Ring(), otherModel = new Ring();
            int events = r.nextInt(120);
            long span = (1 + r.nextInt(90)) * DAY;
            for (int i = 0; i < events; i++) {
                long t = NOW - (long) (r.nextDouble() * span);
                int n = 1 + r.nextInt(3);
                if (r.nextInt(4) == 0) { other.record(t, n); otherModel.record(t, n); }
                else { s.record(t, n); model.record(t, n); }
            }
            if (r.nextBoolean()) { s.merge(other); model.merge(otherModel); }
            assertSame(s, model, seed, round);
            EventSummary restored = EventSummary.restore(s.first(), s.last(), s.count(), s.days(), s.dailyCounts());
            assertThat(restored).isEqualTo(s).isEqualTo(s.copy());
            assertSame(restored, model, seed, round);
        }
        // Stored parts with a repeated slot and an empty-slot marker restore as the ring did.
        long today = Math.floorDiv(NOW, DAY);
        long[] days = {today - 31, today, today - 62, Long.MIN_VALUE, today - 1};
        int[] counts = {5, 2, 9, 4, 1};
        EventSummary s = EventSummary.restore(NOW - 62 * DAY, NOW, 21, days, counts);
        assertThat(s.days()).containsExactly(today - 1, today);
        assertThat(s.dailyCounts()).containsExactly(1, 2);
    }

    private static void assertSame(EventSummary s, Ring model, long seed, int round) {
        assertThat(s.days()).as("seed %d round %d", seed, round).isEqualTo(model.days());
        assertThat(s.dailyCounts()).as("seed %d round %d", seed, round).isEqualTo(model.counts());
        assertThat(s.count()).isEqualTo(model.count);
        for (int d = 1; d <= EventSummary.DAYS; d++)
            for (long now : new long[]{NOW, NOW + 5 * DAY, NOW - 20 * DAY})
                assertThat(s.countInLastDays(d, now)).as("seed %d round %d days %d", seed, round, d).isEqualTo(model.countInLastDays(d, now));
    }

    /** The full ring: slot = epoch day mod 31, holding the newest day recorded in it. */
    private static final class Ring {
        final long[] dayOf = new long[EventSummary.DAYS];
        final int[] countOf = new int[EventSummary.DAYS];
        long count;

        Ring() { java.util.Arrays.fill(dayOf, Long.MIN_VALUE); }

        void record(long time, int n) {
            count += n;
            long day = Math.floorDiv(time, DAY);
            int slot = (int) Math.floorMod(day, EventSummary.DAYS);
            if (dayOf[slot] == day) countOf[slot] += n;
            else if (dayOf[slot] < day) { dayOf[slot] = day; countOf[slot] = n; }
        }

        void merge(Ring o) {
            count += o.count;
            for (int i = 0; i < EventSummary.DAYS; i++) {
                if (o.dayOf[i] == Long.MIN_VALUE) continue;
                if (dayOf[i] == o.dayOf[i]) countOf[i] += o.countOf[i];
                else if (dayOf[i] < o.dayOf[i]) { dayOf[i] = o.dayOf[i]; countOf[i] = o.countOf[i]; }
            }
        }

        long countInLastDays(int days, long now) {
            long today = Math.floorDiv(now, DAY), sum = 0;
            for (int i = 0; i < EventSummary.DAYS; i++)
                if (dayOf[i] != Long.MIN_VALUE && dayOf[i] <= today && dayOf[i] > today - days) sum += countOf[i];
            return sum;
        }

        long[] days() { return java.util.Arrays.stream(dayOf).filter(d -> d != Long.MIN_VALUE).sorted().toArray(); }

        int[] counts() {
            long[] d = days();
            int[] out = new int[d.length];
            for (int k = 0; k < d.length; k++) out[k] = countOf[(int) Math.floorMod(d[k], EventSummary.DAYS)];
            return out;
        }
    }
}
