package dev.kiln.testkit;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class SettableClockTest {
    @Test
    void stands_still_until_set_or_advanced() {
        SettableClock clock = SettableClock.at("2026-11-28T10:00:00Z");

        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
        assertThat(clock.advance(Duration.ofDays(1))).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
        clock.set(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(clock.millis()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void clocks_in_other_zones_move_with_it() {
        SettableClock clock = SettableClock.at("2026-11-28T10:00:00Z");
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofHours(2));

        assertThat(paris.instant()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }

    @Test
    void advances_atomically_from_many_threads() throws InterruptedException {
        SettableClock clock = SettableClock.at(Instant.EPOCH);
        Thread[] threads = new Thread[8];
        for (int i = 0; i < threads.length; i++)
            threads[i] = Thread.ofPlatform().start(() -> { for (int j = 0; j < 1_000; j++) clock.advance(Duration.ofMillis(1)); });
        for (Thread t : threads) t.join();

        assertThat(clock.millis()).isEqualTo(8_000);
    }
}
