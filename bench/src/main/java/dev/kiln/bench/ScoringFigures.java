package dev.kiln.bench;

import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Formatting shared by the scoring benchmark's phases (IngestCommand keeps its own helpers private). */
final class ScoringFigures {
    private ScoringFigures() {}

    /** Microsecond histogram, printed in ms; p ≥ 100 is the maximum. */
    static String ms(Histogram h, double p) {
        if (h.getTotalCount() == 0) return "n/a";
        return String.format("%.2f ms", value(h, p) / 1000.0);
    }

    static long value(Histogram h, double p) {
        return p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p);
    }

    /** Percentiles of a microsecond histogram, in µs. */
    static Map<String, Object> percentilesMicros(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        m.put("p50", h.getValueAtPercentile(50));
        m.put("p95", h.getValueAtPercentile(95));
        m.put("p99", h.getValueAtPercentile(99));
        m.put("p99.9", h.getValueAtPercentile(99.9));
        m.put("max", h.getMaxValue());
        m.put("mean", h.getMean());
        return m;
    }

    /** "p50 … p95 … p99 … max …" of a microsecond histogram. */
    static String latencies(Histogram h) {
        return "p50 " + ms(h, 50) + "  p95 " + ms(h, 95) + "  p99 " + ms(h, 99) + "  max " + ms(h, 100);
    }

    /** The verdict printed beside a target: nothing is asserted, the exit code does not depend on it. */
    static String verdict(boolean met) { return met ? "met" : "NOT met"; }

    /** The CPU line every measured run prints, as IngestCommand prints it. */
    static String cpu(CpuSplit.Split c) {
        StringBuilder cs = new StringBuilder();
        for (CpuSplit.Line l : c.lines()) if (l.share() >= 0.01) cs.append(String.format(" %s %.0f%%;", l.group(), 100 * l.share()));
        return String.format("CPU: this process %.2f of %d cores, other processes %.2f cores; by thread:%s",
                c.coresBusy(), Runtime.getRuntime().availableProcessors(), c.otherCores(), cs);
    }

    /**
     * CPU time per event, of the process and of each thread group: steadier than events/s on a machine whose share of
     * the host drifts, because it does not count the time the process waited for a CPU. Measured over the run only
     * (the materializer's catch-up after it is not counted).
     */
    static String cpuPerEvent(CpuSplit.Split c, long events) {
        if (events <= 0) return "CPU per event: no events";
        StringBuilder cs = new StringBuilder();
        for (CpuSplit.Line l : c.lines()) {
            double us = l.seconds() * 1e6 / events;
            if (us >= 0.5) cs.append(String.format(" %s %.1f;", l.group(), us));
        }
        return String.format("CPU per event accepted: %.1f µs of this process; by thread (µs):%s", c.processCpuSeconds() * 1e6 / events, cs);
    }

    /** The body of one benchmark part: it writes its figures into {@code fig}. */
    interface PartBody {
        void run(Map<String, Object> fig) throws Exception;
    }

    /**
     * Runs one part, its figures under {@code parts.get(key)}, with a {@link Phase} heading and end line when
     * {@code title} is not null. A failure is printed and recorded as {@code error}, and the next part runs all
     * the same.
     *
     * @return 0, or 1 when the part failed
     */
    static int part(Map<String, Object> parts, String key, String title, PartBody body) {
        Map<String, Object> fig = new java.util.LinkedHashMap<>();
        parts.put(key, fig);
        Phase p = title == null ? null : new Phase(title, fig);
        try {
            body.run(fig);
            return 0;
        } catch (Exception e) {
            System.out.println("!! " + key + " failed: " + e);
            e.printStackTrace(System.out);
            fig.put("error", String.valueOf(e));
            return 1;
        } finally {
            if (p != null) p.end();
        }
    }

    /** A phase's heading with its start, and its end line with the elapsed time; both go into the figures. */
    static final class Phase {
        private final String name;
        private final Instant started = Instant.now();
        private final long t0 = System.nanoTime();
        private final Map<String, Object> fig;

        Phase(String name, Map<String, Object> fig) {
            this.name = name;
            this.fig = fig;
            System.out.println();
            System.out.println("=== " + name + " === started " + started);
            fig.put("started", started.toString());
        }

        double seconds() { return (System.nanoTime() - t0) / 1e9; }

        void end() {
            Instant ended = Instant.now();
            System.out.printf("--- %s: ended %s after %.1f s%n", name, ended, seconds());
            fig.put("ended", ended.toString());
            fig.put("seconds", seconds());
        }
    }
}
