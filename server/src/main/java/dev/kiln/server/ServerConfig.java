package dev.kiln.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@link KilnServer} needs; the CLI fills it from flags and environment.
 *
 * @param port            HTTP port (0 = any free port)
 * @param jdbcUrl         store URL (SQLite file or PostgreSQL)
 * @param definitions     definitions directory, or null for none
 * @param adminKey        when set, registered at start as a key with every scope (never logged)
 * @param rateLimit       requests per key per {@code rateWindow}
 * @param lanes           runtime lanes
 * @param watchInterval   how often the definitions directory is checked for changes
 * @param delivery        webhook delivery settings (timeouts, retries, outbound policy)
 */
public record ServerConfig(int port, String jdbcUrl, Path definitions, String adminKey, int rateLimit,
                           Duration rateWindow, int lanes, Duration watchInterval, dev.kiln.delivery.DeliveryConfig delivery) {
    public static final int DEFAULT_PORT = 4000;
    /** Braze's /users/track limit: 3,000 requests per 3 seconds per key. */
    public static final int DEFAULT_RATE_LIMIT = 3_000;
    public static final Duration DEFAULT_RATE_WINDOW = Duration.ofSeconds(3);
    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(2);

    public ServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, was " + port);
        if (jdbcUrl == null || jdbcUrl.isBlank()) throw new IllegalArgumentException("a database URL is required");
        if (rateLimit < 1) throw new IllegalArgumentException("rate limit must be ≥ 1 request per window, was " + rateLimit);
        if (rateWindow == null || rateWindow.isNegative() || rateWindow.isZero()) throw new IllegalArgumentException("rate window must be positive");
        if (lanes < 1 || lanes > 256) throw new IllegalArgumentException("--lanes must be 1..256, was " + lanes);
        if (delivery == null) delivery = dev.kiln.delivery.DeliveryConfig.defaults();
    }

    public ServerConfig(int port, String jdbcUrl, Path definitions, String adminKey, int rateLimit,
                        Duration rateWindow, int lanes, Duration watchInterval) {
        this(port, jdbcUrl, definitions, adminKey, rateLimit, rateWindow, lanes, watchInterval, null);
    }

    public static ServerConfig of(int port, String jdbcUrl, Path definitions) {
        return new ServerConfig(port, jdbcUrl, definitions, null, DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW, 2, DEFAULT_WATCH_INTERVAL);
    }

    public ServerConfig withAdminKey(String key) { return new ServerConfig(port, jdbcUrl, definitions, key, rateLimit, rateWindow, lanes, watchInterval, delivery); }
    public ServerConfig withRateLimit(int n, Duration window) { return new ServerConfig(port, jdbcUrl, definitions, adminKey, n, window, lanes, watchInterval, delivery); }
    public ServerConfig withLanes(int n) { return new ServerConfig(port, jdbcUrl, definitions, adminKey, rateLimit, rateWindow, n, watchInterval, delivery); }
    public ServerConfig withDelivery(dev.kiln.delivery.DeliveryConfig d) { return new ServerConfig(port, jdbcUrl, definitions, adminKey, rateLimit, rateWindow, lanes, watchInterval, d); }

    @Override public String toString() {
        return "port=" + port + " database=" + jdbcUrl.replaceAll("password=[^&]*", "password=***")
                + " definitions=" + definitions + " adminKey=" + (adminKey == null ? "unset" : "set")
                + " rateLimit=" + rateLimit + "/" + rateWindow.toMillis() + "ms lanes=" + lanes
                + " webhookTimeout=" + delivery.requestTimeout().toSeconds() + "s outbound(allow=" + delivery.allowHosts()
                + ", deny=" + delivery.denyHosts() + ")";
    }
}
