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
}
