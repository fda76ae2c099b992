package dev.kiln.server.http;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed windows per API key, aligned to the epoch so every key's window ends at the same instant
 * ({@code X-RateLimit-Reset}, epoch seconds, as Braze). Time comes from the runtime clock.
 */
final class RateLimiter {
    record Decision(int limit, int remaining, long resetEpochSeconds, boolean allowed) {}

    private record Window(long start, int count) {}

    private final int limit;
    private final long windowMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    RateLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** Counts one request for {@code keyId}. */
    Decision acquire(String keyId) {
        long now = clock.millis();
        long start = Math.floorDiv(now, windowMillis) * windowMillis;
        Window w = windows.compute(keyId, (k, old) ->
                old == null || old.start != start ? new Window(start, 1) : new Window(start, old.count == Integer.MAX_VALUE ? old.count : old.count + 1));
        long reset = Math.ceilDiv(start + windowMillis, 1000L);
        return new Decision(limit, Math.max(0, limit - w.count), reset, w.count <= limit);
    }

    /** Seconds until the current window ends, at least 1 (for {@code Retry-After}). */
    long secondsUntilReset(Decision d) {
        return Math.max(1, d.resetEpochSeconds() - Math.floorDiv(clock.millis(), 1000L));
    }
}
