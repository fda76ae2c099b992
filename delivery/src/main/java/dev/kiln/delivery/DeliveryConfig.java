package dev.kiln.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Settings of delivery, validated when built (messages name the setting); defaults are the named constants.
 *
 * @param connectTimeout       TCP/TLS connect timeout of a webhook request
 * @param requestTimeout       the whole exchange of one webhook request, body included
 * @param maxAttempts          tries per message at most (Braze: 5)
 * @param maxRetryWindow       no retry is scheduled later than this after the message was made (Braze: 30 min)
 * @param backoffBase          the first retry's delay; doubled per attempt, with jitter
 * @param maxBackoff           cap of one backoff delay
 * @param perHostConcurrency   requests in flight to one host (host:port) at most
 * @param breakerWindow        the breaker judges a host on its last this-many requests
 * @param breakerMinRequests   the breaker never opens on fewer requests than this in its window
 * @param breakerFailureRatio  share of 5xx/network failures in the window that opens the breaker
 * @param breakerCooldown      how long an open breaker pauses a host before one probe request
 * @param pollInterval         how often the outbox is read when no commit wakes the dispatcher
 * @param batchSize            new due messages read per poll at most
 * @param maxInFlight          messages being rendered, sent or committed at once at most
 * @param maxParked            messages held in memory waiting for a paused host or a campaign's rate limit, at most
 * @param submitBatch          outcomes submitted to the runtime together at most
 * @param submitLinger         how long outcomes are gathered before a submission
 * @param drainTimeout         how long close() waits for messages in flight
 * @param allowHosts           outbound allow list (host, *.suffix, address or CIDR); empty = all not denied
 * @param denyHosts            outbound deny list, on top of OutboundPolicy.ALWAYS_DENIED
 * @param clock                due times, log times, breaker cool-downs, rate limits, token expiry
 * @param jitterSeed           seed of the backoff jitter (tests); null = random
 */
public record DeliveryConfig(Duration connectTimeout, Duration requestTimeout, int maxAttempts, Duration maxRetryWindow, Duration backoffBase, Duration maxBackoff, int perHostConcurrency, int breakerWindow, int breakerMinRequests, double breakerFailureRatio, Duration breakerCooldown, Duration pollInterval, int batchSize, int maxInFlight, int maxParked, int submitBatch, Duration submitLinger, Duration drainTimeout, List<String> allowHosts, List<String> denyHosts, Clock clock, Long jitterSeed) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_MAX_RETRY_WINDOW = Duration.ofMinutes(30);
    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(10);
    public static final int DEFAULT_PER_HOST_CONCURRENCY = 64;
    public static final int DEFAULT_BREAKER_WINDOW = 20;
    public static final int DEFAULT_BREAKER_MIN_REQUESTS = 10;
    public static final double DEFAULT_BREAKER_FAILURE_RATIO = 0.5;
    public static final Duration DEFAULT_BREAKER_COOLDOWN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1_000;
    public static final int DEFAULT_MAX_PARKED = 2_000;
    public static final int DEFAULT_SUBMIT_BATCH = 300;
    public static final Duration DEFAULT_SUBMIT_LINGER = Duration.ofMillis(5);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    public static final List<String> DEFAULT_ALLOW_HOSTS = List.of();
    public static final List<String> DEFAULT_DENY_HOSTS = List.of();
    public static final Clock DEFAULT_CLOCK = Clock.systemUTC();
    public static final Long DEFAULT_JITTER_SEED = null;

    public DeliveryConfig {
        positive(connectTimeout, "connectTimeout");
        positive(requestTimeout, "requestTimeout");
        require(maxAttempts >= 1 && maxAttempts <= 100, "maxAttempts must be 1..100, was " + maxAttempts);
        positive(maxRetryWindow, "maxRetryWindow");
        positive(backoffBase, "backoffBase");
        positive(maxBackoff, "maxBackoff");
        require(!maxBackoff.minus(backoffBase).isNegative(), "maxBackoff (" + maxBackoff + ") must be ≥ backoffBase (" + backoffBase + ")");
        require(perHostConcurrency >= 1, "perHostConcurrency must be ≥ 1, was " + perHostConcurrency);
        require(breakerWindow >= 1, "breakerWindow must be ≥ 1, was " + breakerWindow);
        require(breakerMinRequests >= 1 && breakerMinRequests <= breakerWindow,
                "breakerMinRequests must be 1..breakerWindow (" + breakerWindow + "), was " + breakerMinRequests);
        require(breakerFailureRatio > 0 && breakerFailureRatio <= 1, "breakerFailureRatio must be in (0, 1], was " + breakerFailureRatio);
        positive(breakerCooldown, "breakerCooldown");
        positive(pollInterval, "pollInterval");
        require(batchSize >= 1, "batchSize must be ≥ 1, was " + batchSize);
        require(maxInFlight >= 1, "maxInFlight must be ≥ 1, was " + maxInFlight);
        require(maxParked >= 0, "maxParked must be ≥ 0, was " + maxParked);
        require(submitBatch >= 1, "submitBatch must be ≥ 1, was " + submitBatch);
        require(submitLinger != null && !submitLinger.isNegative(), "submitLinger must be ≥ 0, was " + submitLinger);
        require(drainTimeout != null && !drainTimeout.isNegative(), "drainTimeout must be ≥ 0, was " + drainTimeout);
        require(allowHosts != null, "allowHosts is required (empty = all)");
        require(denyHosts != null, "denyHosts is required (may be empty)");
        allowHosts = List.copyOf(allowHosts);
        denyHosts = List.copyOf(denyHosts);
        require(clock != null, "clock is required");
        try {
            OutboundPolicy.of(allowHosts, denyHosts); // validates the entries
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("delivery config: " + e.getMessage(), e);
        }
    }

    private static void positive(Duration d, String name) {
        require(d != null && !d.isNegative() && !d.isZero(), name + " must be positive, was " + d);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("delivery config: " + message);
    }

    public static DeliveryConfig defaults() {
        return new DeliveryConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_MAX_RETRY_WINDOW, DEFAULT_BACKOFF_BASE, DEFAULT_MAX_BACKOFF, DEFAULT_PER_HOST_CONCURRENCY,
                DEFAULT_BREAKER_WINDOW, DEFAULT_BREAKER_MIN_REQUESTS, DEFAULT_BREAKER_FAILURE_RATIO, DEFAULT_BREAKER_COOLDOWN,
                DEFAULT_POLL_INTERVAL, DEFAULT_BATCH_SIZE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_PARKED, DEFAULT_SUBMIT_BATCH,
                DEFAULT_SUBMIT_LINGER, DEFAULT_DRAIN_TIMEOUT, DEFAULT_ALLOW_HOSTS, DEFAULT_DENY_HOSTS, DEFAULT_CLOCK,
                DEFAULT_JITTER_SEED);
    }

    /** The outbound policy the allow and deny lists describe. */
    public OutboundPolicy outboundPolicy() { return OutboundPolicy.of(allowHosts, denyHosts); }

    public DeliveryConfig withConnectTimeout(Duration v) { return new DeliveryConfig(v, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withRequestTimeout(Duration v) { return new DeliveryConfig(connectTimeout, v, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withMaxAttempts(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, v, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withMaxRetryWindow(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, v, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withBackoffBase(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, v, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withMaxBackoff(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, v, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withPerHostConcurrency(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, v, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withBreakerWindow(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, v, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withBreakerMinRequests(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, v, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withBreakerFailureRatio(double v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, v, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withBreakerCooldown(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, v, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withPollInterval(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, v, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withBatchSize(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, v, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withMaxInFlight(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, v, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withMaxParked(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, v, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withSubmitBatch(int v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, v, submitLinger, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withSubmitLinger(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, v, drainTimeout, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withDrainTimeout(Duration v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, v, allowHosts, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withAllowHosts(List<String> v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, v, denyHosts, clock, jitterSeed); }
    public DeliveryConfig withDenyHosts(List<String> v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, v, clock, jitterSeed); }
    public DeliveryConfig withClock(Clock v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, v, jitterSeed); }
    public DeliveryConfig withJitterSeed(Long v) { return new DeliveryConfig(connectTimeout, requestTimeout, maxAttempts, maxRetryWindow, backoffBase, maxBackoff, perHostConcurrency, breakerWindow, breakerMinRequests, breakerFailureRatio, breakerCooldown, pollInterval, batchSize, maxInFlight, maxParked, submitBatch, submitLinger, drainTimeout, allowHosts, denyHosts, clock, v); }

    @Override public String toString() {
        return "connectTimeout=" + connectTimeout + " requestTimeout=" + requestTimeout + " maxAttempts=" + maxAttempts
                + " maxRetryWindow=" + maxRetryWindow + " backoffBase=" + backoffBase + " maxBackoff=" + maxBackoff
                + " perHostConcurrency=" + perHostConcurrency + " breaker=" + breakerFailureRatio + " of last " + breakerWindow
                + " (min " + breakerMinRequests + "), cooldown " + breakerCooldown + " pollInterval=" + pollInterval
                + " batchSize=" + batchSize + " maxInFlight=" + maxInFlight + " maxParked=" + maxParked
                + " submitBatch=" + submitBatch + " submitLinger=" + submitLinger + " drainTimeout=" + drainTimeout
                + " allowHosts=" + allowHosts + " denyHosts=" + denyHosts;
    }
}
