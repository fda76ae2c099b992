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
 * @param loopGuard          follow-up inputs one outside input may cause before the user leaves the Canvas
 * @param timerPollInterval  how often due Canvas timers are looked for
 * @param timerBatch         timers fired per poll at most
 * @param ledgerRetention    score ledger rows older than this are pruned
 */
public record RuntimeConfig(int lanes, int maxOpsPerEpoch, int userCacheSize, int identityCacheSize,
                            Duration eventLogRetention, int pipelineDepth, EngineConfig engine, Clock clock,
                            int loopGuard, Duration timerPollInterval, int timerBatch, Duration ledgerRetention) {
    public static final int DEFAULT_LANES = 2;
    public static final int DEFAULT_MAX_OPS_PER_EPOCH = 30_000;
    public static final int DEFAULT_USER_CACHE_SIZE = 200_000;
    public static final int DEFAULT_IDENTITY_CACHE_SIZE = 500_000;
    public static final Duration DEFAULT_EVENT_LOG_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_PIPELINE_DEPTH = 2;
    public static final int DEFAULT_LOOP_GUARD = 100;
    public static final Duration DEFAULT_TIMER_POLL_INTERVAL = Duration.ofMillis(200);
    /** Timers per epoch: small enough that a due backlog never holds /users/track requests for long. */
    public static final int DEFAULT_TIMER_BATCH = 2_000;
    public static final Duration DEFAULT_LEDGER_RETENTION = Duration.ofDays(365);

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
        require(loopGuard >= 1 && loopGuard <= 100_000, "loopGuard must be 1..100000, was " + loopGuard);
        require(timerPollInterval != null && timerPollInterval.toMillis() >= 1, "timerPollInterval must be ≥ 1 ms, was " + timerPollInterval);
        require(timerBatch >= 1, "timerBatch must be ≥ 1, was " + timerBatch);
        require(ledgerRetention != null && !ledgerRetention.isNegative() && !ledgerRetention.isZero(),
                "ledgerRetention must be positive, was " + ledgerRetention);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("runtime config: " + message);
    }

    public static RuntimeConfig defaults() {
        return new RuntimeConfig(DEFAULT_LANES, DEFAULT_MAX_OPS_PER_EPOCH, DEFAULT_USER_CACHE_SIZE,
                DEFAULT_IDENTITY_CACHE_SIZE, DEFAULT_EVENT_LOG_RETENTION, DEFAULT_PIPELINE_DEPTH, EngineConfig.DEFAULT,
                Clock.systemUTC(), DEFAULT_LOOP_GUARD, DEFAULT_TIMER_POLL_INTERVAL, DEFAULT_TIMER_BATCH, DEFAULT_LEDGER_RETENTION);
    }

    public RuntimeConfig withLanes(int v) { return new RuntimeConfig(v, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withMaxOpsPerEpoch(int v) { return new RuntimeConfig(lanes, v, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withUserCacheSize(int v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, v, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withIdentityCacheSize(int v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, v, eventLogRetention, pipelineDepth, engine, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withEventLogRetention(Duration v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, v, pipelineDepth, engine, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withPipelineDepth(int v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, v, engine, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withEngine(EngineConfig v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, v, clock, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withClock(Clock v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, v, loopGuard, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withLoopGuard(int v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, v, timerPollInterval, timerBatch, ledgerRetention); }
    public RuntimeConfig withTimerPollInterval(Duration v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, loopGuard, v, timerBatch, ledgerRetention); }
    public RuntimeConfig withTimerBatch(int v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, loopGuard, timerPollInterval, v, ledgerRetention); }
    public RuntimeConfig withLedgerRetention(Duration v) { return new RuntimeConfig(lanes, maxOpsPerEpoch, userCacheSize, identityCacheSize, eventLogRetention, pipelineDepth, engine, clock, loopGuard, timerPollInterval, timerBatch, v); }

    @Override public String toString() {
        return "lanes=" + lanes + " maxOpsPerEpoch=" + maxOpsPerEpoch + " userCacheSize=" + userCacheSize
                + " identityCacheSize=" + identityCacheSize + " eventLogRetention=" + eventLogRetention
                + " pipelineDepth=" + pipelineDepth + " arrayMaxLength=" + engine.arrayMaxLength() + " loopGuard=" + loopGuard
                + " timerPollInterval=" + timerPollInterval + " ledgerRetention=" + ledgerRetention;
    }
}
