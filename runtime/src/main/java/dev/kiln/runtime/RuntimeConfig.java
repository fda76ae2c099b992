package dev.kiln.runtime;

import dev.kiln.engine.EngineConfig;

import java.time.Clock;
import java.time.Duration;

/**
 * Settings of the runtime, validated when built; defaults are the named constants.
 *
 * @param lanes              single-writer partitions; a user always maps to the same lane
 * @param maxOpsPerEpoch     ops gathered into one epoch (one transaction) at most
 * @param userCacheSize      profiles kept in memory across all lanes (bounded; the store holds the rest)
 * @param identityCacheSize  identifier → user id entries kept in memory
 * @param eventLogRetention  event log rows older than this are pruned
 * @param pipelineDepth      epochs applied but not yet committed, at most
 */
public record RuntimeConfig(int lanes, int maxOpsPerEpoch, int userCacheSize, int identityCacheSize,
                            Duration eventLogRetention, int pipelineDepth, EngineConfig engine, Clock clock) {
    public static final int DEFAULT_LANES = 2;
    public static final int DEFAULT_MAX_OPS_PER_EPOCH = 30_000;
    public static final int DEFAULT_USER_CACHE_SIZE = 200_000;
    public static final int DEFAULT_IDENTITY_CACHE_SIZE = 500_000;
    public static final Duration DEFAULT_EVENT_LOG_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_PIPELINE_DEPTH = 2;

    public RuntimeConfig {
        require(lanes >= 1 && lanes <= 256, "lanes must be 1..256, was " + lanes);
        require(maxOpsPerEpoch >= 1, "maxOpsPerEpoch must be ≥ 1, was " + maxOpsPerEpoch);
        require(userCacheSize >= 1_000, "userCacheSize must be ≥ 1000, was " + userCacheSize);
        require(identityCacheSize >= 1_000, "identityCacheSize must be ≥ 1000, was " + identityCacheSize);
        require(eventLogRetention != null && !eventLogRetention.isNegative() && !eventLogRetention.isZero(),
                "eventLogRetention must be positive, was " + eventLogRetention);
        require(pipelineDepth >= 1 && pipelineDepth <= 16, "pipelineDepth must be 1..16, was " + pipelineDepth);
        require(engine != null, "engine config is required");
        require(clock != null, "clock is required");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("runtime config: " + message);
    }

    public static RuntimeConfig defaults() {
        return new RuntimeConfig(DEFAULT_LANES, DEFAULT_MAX_OPS_PER_EPOCH, DEFAULT_USER_CACHE_SIZE,
                DEFAULT_IDENTITY_CACHE_SIZE, DEFAULT_EVENT_LOG_RETENTION, DEFAULT_PIPELINE_DEPTH, EngineConfig.DEFAULT,
                Clock.systemUTC());
    }

    public RuntimeConfig withLanes(int n) { return new RuntimeConfig(n, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock); }
    public RuntimeConfig withClock(Clock c) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, c); }
    public RuntimeConfig withUserCacheSize(int n) { return new RuntimeConfig(lanes, maxOpsPerEpoch, n, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock); }
    public RuntimeConfig withEventLogRetention(Duration d) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, d, pipelineDepth, engine, clock); }
    public RuntimeConfig withEngine(EngineConfig e) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, e, clock); }

    @Override public String toString() {
        return "lanes=" + lanes + " maxOpsPerEpoch=" + maxOpsPerEpoch + " userCacheSize=" + userCacheSize
                + " identityCacheSize=" + identityCacheSize + " eventLogRetention=" + eventLogRetention
                + " pipelineDepth=" + pipelineDepth + " arrayMaxLength=" + engine.arrayMaxLength();
    }
}
