package dev.kiln.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it. Thread-safe; clocks made by
 * {@link #withZone} share the same instant, so moving one moves them all.
 */
public final class SettableClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private SettableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A UTC clock at {@code start}. */
    public static SettableClock at(Instant start) {
        return new SettableClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /** A UTC clock at an ISO-8601 instant such as {@code 2026-11-28T10:00:00Z}. */
    public static SettableClock at(String isoInstant) {
        return at(Instant.parse(isoInstant));
    }

    /** Moves the clock to {@code instant} (backwards too: tests of clock skew need that). */
    public SettableClock set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
        return this;
    }

    /** Moves the clock forward by {@code d} (negative moves it back) and returns the new instant. */
    public Instant advance(Duration d) {
        Objects.requireNonNull(d, "d");
        return now.updateAndGet(t -> t.plus(d));
    }

    @Override public Instant instant() { return now.get(); }

    @Override public long millis() { return now.get().toEpochMilli(); }

    @Override public ZoneId getZone() { return zone; }

    @Override public Clock withZone(ZoneId zone) {
        return new SettableClock(now, Objects.requireNonNull(zone, "zone"));
    }

    @Override public boolean equals(Object o) {
        return o instanceof SettableClock c && c.now == now && c.zone.equals(zone);
    }

    @Override public int hashCode() { return System.identityHashCode(now) * 31 + zone.hashCode(); }

    @Override public String toString() { return "SettableClock[" + now.get() + "," + zone + "]"; }
}
