package dev.kiln.server.currents;

import java.io.IOException;

/**
 * A sink failure where the sink said how long to wait before trying again (HTTP {@code Retry-After} on a 429 or
 * 503). The exporter waits the longer of its own backoff and {@link #retryAfterMillis}, never more than
 * {@link CurrentsConfig#retryMax}.
 */
final class SinkBackoff extends IOException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterMillis;

    SinkBackoff(String message, long retryAfterMillis) {
        super(message);
        if (retryAfterMillis < 0) throw new IllegalArgumentException("retryAfterMillis must not be negative");
        this.retryAfterMillis = retryAfterMillis;
    }

    /** How long the sink asked to be left alone, in milliseconds. */
    long retryAfterMillis() { return retryAfterMillis; }
}
