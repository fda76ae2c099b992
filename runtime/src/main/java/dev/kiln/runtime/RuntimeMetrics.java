package dev.kiln.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The runtime's meters, named once here. */
final class RuntimeMetrics {
    final Counter opsOk;
    final Counter opsRejected;
    final Counter commitFailures;
    final DistributionSummary commitOps;
    final DistributionSummary commitEvents;
    final Timer commitTime;
    final Timer applyTime;
    final Timer submitToCommit;
    final AtomicInteger[] laneDepth;
    final Counter timersFired;
    private final MeterRegistry registry;

    /** Canvas entries, exits (by reason) and loop-guard hits, per Canvas. */
    void canvas(dev.kiln.engine.Effect.CanvasStat s) {
        switch (s.kind()) {
            case ENTERED, EXITED, LOOP_GUARD -> canvasCounters.computeIfAbsent(new CanvasCounter(s.kind(), s.canvasId(),
                    s.kind() == dev.kiln.engine.Effect.CanvasStat.Kind.EXITED ? s.label() : null), this::register).increment();
            default -> { }
        }
    }

    /** One counter per Canvas, kind and exit reason, looked up here rather than through the registry (tags, locks) per effect. */
    private record CanvasCounter(dev.kiln.engine.Effect.CanvasStat.Kind kind, String canvasId, String reason) {}

    private final java.util.Map<CanvasCounter, Counter> canvasCounters = new java.util.concurrent.ConcurrentHashMap<>();

    private Counter register(CanvasCounter c) {
        return switch (c.kind()) {
            case ENTERED -> registry.counter("kiln.canvas.entries", "canvas", c.canvasId());
            case EXITED -> registry.counter("kiln.canvas.exits", "canvas", c.canvasId(), "reason", c.reason());
            default -> registry.counter("kiln.canvas.loop.guard", "canvas", c.canvasId());
        };
    }

    RuntimeMetrics(MeterRegistry r, int lanes, Supplier<Number> queued) {
        registry = r;
        timersFired = Counter.builder("kiln.timers.fired").description("Canvas timers fired").register(r);
        opsOk = Counter.builder("kiln.ingest.ops").tag("outcome", "applied").description("Ops applied").register(r);
        opsRejected = Counter.builder("kiln.ingest.ops").tag("outcome", "rejected").description("Ops refused by the engine").register(r);
        commitFailures = Counter.builder("kiln.commit.failures").description("Epochs whose commit failed").register(r);
        commitOps = DistributionSummary.builder("kiln.commit.batch.ops").description("Ops per committed epoch").register(r);
        commitEvents = DistributionSummary.builder("kiln.commit.batch.events").description("Event log rows per committed epoch").register(r);
        commitTime = Timer.builder("kiln.commit.latency").description("Time to commit one epoch").publishPercentileHistogram().register(r);
        applyTime = Timer.builder("kiln.epoch.apply").description("Time to apply one epoch in the lanes").register(r);
        submitToCommit = Timer.builder("kiln.submit.to.commit").description("From submit to durable commit").publishPercentileHistogram().register(r);
        Gauge.builder("kiln.runtime.queue.submissions", queued).description("Submissions waiting for an epoch").register(r);
        laneDepth = new AtomicInteger[lanes];
        for (int i = 0; i < lanes; i++) {
            laneDepth[i] = new AtomicInteger();
            Gauge.builder("kiln.lane.queue.depth", laneDepth[i], AtomicInteger::get).tag("lane", Integer.toString(i))
                    .description("Ops assigned to the lane in the epoch being applied").register(r);
        }
    }
}
