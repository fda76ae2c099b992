package dev.kiln.server.currents;

import java.time.Duration;

/**
 * Settings shared by every Currents connector.
 *
 * @param poll         how long an exporter that has caught up waits before reading the event log again
 * @param batch        event log rows read per query
 * @param maxRetention event log rows older than this are pruned even when a connector has not exported them
 *                     (a sink down that long loses them; a warning is logged)
 * @param retryMax     the longest wait between retries of a failing sink (backoff doubles from 1 s)
 */
public record CurrentsConfig(Duration poll, int batch, Duration maxRetention, Duration retryMax) {
    public static final Duration DEFAULT_MAX_RETENTION = Duration.ofDays(90);

    public CurrentsConfig {
        if (poll == null || poll.isNegative() || poll.isZero()) throw new IllegalArgumentException("Currents poll must be positive");
        if (batch < 1) throw new IllegalArgumentException("Currents batch must be at least 1");
        if (maxRetention == null || maxRetention.isNegative() || maxRetention.isZero())
            throw new IllegalArgumentException("Currents maximum retention must be positive");
        if (retryMax == null || retryMax.isNegative() || retryMax.isZero()) throw new IllegalArgumentException("Currents retry wait must be positive");
    }

    public static CurrentsConfig defaults() {
        return new CurrentsConfig(Duration.ofMillis(500), 5000, DEFAULT_MAX_RETENTION, Duration.ofMinutes(1));
    }

    /**
     * The defaults, with the maximum retention from {@code KILN_CURRENTS_MAX_RETENTION_DAYS} when it is set.
     */
    public static CurrentsConfig fromEnvironment() {
        String days = System.getenv("KILN_CURRENTS_MAX_RETENTION_DAYS");
        if (days == null || days.isBlank()) return defaults();
        try {
            return defaults().withMaxRetention(Duration.ofDays(Long.parseLong(days.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("KILN_CURRENTS_MAX_RETENTION_DAYS must be a whole number of days, was " + days);
        }
    }

    public CurrentsConfig withPoll(Duration v) { return new CurrentsConfig(v, batch, maxRetention, retryMax); }
    public CurrentsConfig withBatch(int v) { return new CurrentsConfig(poll, v, maxRetention, retryMax); }
    public CurrentsConfig withMaxRetention(Duration v) { return new CurrentsConfig(poll, batch, v, retryMax); }
    public CurrentsConfig withRetryMax(Duration v) { return new CurrentsConfig(poll, batch, maxRetention, v); }
}
