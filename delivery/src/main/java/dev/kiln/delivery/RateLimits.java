package dev.kiln.delivery;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-campaign rate limits ({@code Campaign.perMinute()}), as token buckets that refill continuously and hold
 * at most one second's worth (at least one token): sends are spread evenly instead of bursting at the top of
 * each minute. Used by the dispatcher's poller thread only; not thread-safe.
 */
final class RateLimits {
    private final Map<String, Bucket> buckets = new HashMap<>();

    static final class Bucket {
        final int perMinute;
        final double perMilli;
        final double capacity;
        double tokens;
        long last;

        Bucket(int perMinute, long now) {
            this.perMinute = perMinute;
            this.perMilli = perMinute / 60_000.0;
            this.capacity = Math.max(1.0, perMinute / 60.0);
            this.tokens = 1.0;
            this.last = now;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(capacity, tokens + (now - last) * perMilli);
                last = now;
            }
        }

        boolean tryTake(long now) {
            refill(now);
            if (tokens >= 1.0) {
                tokens -= 1.0;
                return true;
            }
            return false;
        }

        long millisUntilToken(long now) {
            refill(now);
            return tokens >= 1.0 ? 0 : (long) Math.ceil((1.0 - tokens) / perMilli);
        }
    }

    /** Takes a token for {@code key} at a rate of {@code perMinute}; false when the message must wait. */
    boolean tryTake(String key, int perMinute, long now) {
        return bucket(key, perMinute, now).tryTake(now);
    }

    /** How long until {@code key} has a token (0 = now). */
    long millisUntilToken(String key, int perMinute, long now) {
        return bucket(key, perMinute, now).millisUntilToken(now);
    }

    private Bucket bucket(String key, int perMinute, long now) {
        Bucket b = buckets.get(key);
        if (b == null || b.perMinute != perMinute) {
            b = new Bucket(perMinute, now);
            buckets.put(key, b);
        }
        return b;
    }
}
