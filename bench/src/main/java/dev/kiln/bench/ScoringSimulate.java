package dev.kiln.bench;

import dev.kiln.server.simulate.SimulateCommand;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Times {@code kiln simulate} in this JVM: writes N generated seed-workflow events with the simulator's
 * own (hidden) generator, {@code simulate --generate N --out FILE}, then replays them through the seed
 * Canvas with {@code simulate --definitions DIR --events FILE}, both through {@link SimulateCommand} as
 * the CLI runs it. Target: 10,000,000 events in under a minute.
 */
final class ScoringSimulate {
    static final long TARGET_EVENTS = 10_000_000;
    static final double TARGET_SECONDS = 60;
    private static final int REPORT_LINES = 30;

    private ScoringSimulate() {}

    record Run(int exit, String out, String err, double seconds) {}

    static Run execute(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        long t0 = System.nanoTime();
        int exit = new CommandLine(new SimulateCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString(), (System.nanoTime() - t0) / 1e9);
    }

    static Map<String, Object> run(long events, Path definitions, long seed) {
        Path dir;
        try {
            dir = Files.createTempDirectory("kiln-bench-simulate-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = dir.resolve("events.jsonl");
        try {
            System.out.printf("generating %,d events with `kiln simulate --generate` (its seed-workflow generator; leads = events / 50) into %s …%n", events, file);
            Run gen = execute("--generate", Long.toString(events), "--out", file.toString(), "--seed", Long.toString(seed));
            if (gen.exit() != 0) throw new IllegalStateException("simulate --generate exited " + gen.exit() + ": " + gen.err());
            long bytes = Files.size(file);
            System.out.printf("  written in %.1f s (%,.0f MB): %s%n", gen.seconds(), bytes / 1048576.0, gen.err().strip());
            long heapBefore = Heap.afterForcedGc();
            CpuSplit cpu = new CpuSplit();
            Run sim = execute("--definitions", definitions.toString(), "--events", file.toString());
            CpuSplit.Split split = cpu.finish();
            if (sim.exit() != 0) throw new IllegalStateException("simulate exited " + sim.exit() + ": " + sim.err());
            double perSecond = events / sim.seconds();
            double projected = TARGET_EVENTS / perSecond;
            System.out.printf("  kiln simulate (in-process, SimulateCommand): %,d events in %.2f s wall clock = %,.0f events/s%n", events, sim.seconds(), perSecond);
            System.out.printf("  its own line: %s%n", sim.err().strip().replace("\n", " | "));
            System.out.printf("  at this speed 10,000,000 events take %.1f s — target: 10,000,000 events in under a minute (≥ %,.0f events/s): %s%n",
                    projected, TARGET_EVENTS / TARGET_SECONDS, ScoringFigures.verdict(projected < TARGET_SECONDS));
            if (events < 1_000_000) System.out.println("  (a small run is mostly JIT warm-up: measure the target with --simulate-events 10000000)");
            System.out.printf("  heap before the replay %s (max %s); %s%n", Heap.mb(heapBefore), Heap.mb(Heap.maxBytes()), ScoringFigures.cpu(split));
            String[] report = sim.out().split("\n");
            System.out.printf("  its report (first %d of %d lines):%n", Math.min(REPORT_LINES, report.length), report.length);
            for (int i = 0; i < Math.min(REPORT_LINES, report.length); i++) System.out.println("    " + report[i]);
            return Json.obj("events", events, "file_bytes", bytes, "generate_seconds", gen.seconds(), "simulate_seconds", sim.seconds(),
                    "events_per_second", perSecond, "projected_seconds_for_10M", projected, "simulate_stderr", sim.err().strip(),
                    "cpu", CpuSplit.json(split));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                System.out.println("  ! could not remove " + dir + ": " + e);
            }
        }
    }
}
