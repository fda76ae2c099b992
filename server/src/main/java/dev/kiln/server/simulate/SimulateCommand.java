package dev.kiln.server.simulate;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.LoadResult;
import dev.kiln.definitions.Problem;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Engine;
import dev.kiln.engine.EngineConfig;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.CanvasEngine;
import dev.kiln.engine.canvas.CanvasSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code kiln simulate}: a backtest. Replays recorded {@code /users/track} request bodies (one JSON
 * object per line, plus a {@code time}) through the Canvases of a definitions directory with the same
 * engine as the server, a virtual clock and no server, store or side effects, then prints Canvas step
 * statistics, the final distribution of an attribute and threshold crossings. Deterministic: the same
 * inputs print the same stdout; the wall-clock speed goes to stderr. See docs/simulate.md.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay recorded /users/track requests (JSON lines) through the Canvases of a definitions "
                + "directory with a virtual clock, without a server or store, and print Canvas statistics, the final "
                + "distribution of an attribute and how many users crossed a threshold.",
                "Input format: docs/simulate.md."})
public final class SimulateCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--definitions", paramLabel = "DIR", description = "Definitions directory (canvases/, segments/).")
    Path definitions;

    @Option(names = "--events", paramLabel = "FILE", description = "Events file: one /users/track body per line with a \"time\" (- for stdin).")
    String events;

    @Option(names = "--from", paramLabel = "TIME", description = "Skip lines before this time (ISO 8601).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Skip lines after this time, and fire the timers due by then at the end (ISO 8601).")
    String to;

    @Option(names = "--attribute", paramLabel = "NAME", defaultValue = "lead score",
            description = "Number attribute whose final distribution is printed (default: ${DEFAULT-VALUE}).")
    String attribute;

    @Option(names = "--threshold", paramLabel = "EXPR",
            description = "Count users crossing a condition such as '\"lead score\">100' (>, >=, <, <=).")
    String threshold;

    @Option(names = "--buckets", paramLabel = "N", defaultValue = "20", description = "Histogram buckets (default: ${DEFAULT-VALUE}).")
    int buckets;

    @Option(names = "--all-canvases", description = "Run every Canvas of the directory, not only those with status: active.")
    boolean allCanvases;

    @Option(names = "--print-users", description = "Also print every user's identifiers and final --attribute value (small files).")
    boolean printUsers;

    @Option(names = "--loop-guard", paramLabel = "N", description = "Follow-ups one input may cause (default: ${DEFAULT-VALUE}).")
    int loopGuard = CanvasEngine.DEFAULT_LOOP_GUARD;

    // A load generator for measuring the simulator, not part of the documented interface.
    @Option(names = "--generate", hidden = true, paramLabel = "N") Long generate;
    @Option(names = "--out", hidden = true, paramLabel = "FILE") Path out;
    @Option(names = "--leads", hidden = true, paramLabel = "L") Integer leads;
    @Option(names = "--seed", hidden = true, paramLabel = "S") long seed = 1;
    @Option(names = "--days", hidden = true, paramLabel = "D") int days = 28;
    @Option(names = "--start", hidden = true, paramLabel = "TIME") String start = "2026-01-05T00:00:00Z";

    /** A usage error with a message for stderr (exit code 2). */
    private static final class UsageException extends RuntimeException {
        UsageException(String message) { super(message); }
    }

    @Override public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return generate != null ? generate(err) : simulate(spec.commandLine().getOut(), err);
        } catch (UsageException | IllegalArgumentException e) {
            err.println("kiln simulate: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    private int simulate(PrintWriter stdout, PrintWriter err) throws IOException {
        if (definitions == null) throw new UsageException("--definitions DIR is required");
        if (events == null) throw new UsageException("--events FILE is required");
        if (buckets < 1 || buckets > 1000) throw new UsageException("--buckets must be 1..1000, was " + buckets);
        Long fromTime = time("--from", from), toTime = time("--to", to);
        if (fromTime != null && toTime != null && fromTime > toTime) throw new UsageException("--from is after --to");
        Threshold th = threshold == null ? null : Threshold.parse(threshold);

        LoadResult loaded = new DefinitionLoader().load(definitions);
        if (!loaded.valid()) {
            for (Problem p : loaded.problems()) err.println(p);
            for (Problem w : loaded.warnings()) err.println("warning: " + w);
            err.println("kiln simulate: " + definitions + " has " + loaded.problems().size() + " problem(s); nothing simulated");
            err.flush();
            return 1;
        }
        for (Problem w : loaded.warnings()) err.println("warning: " + w);
        List<Canvas> canvases = new ArrayList<>();
        for (Canvas c : loaded.definitions().canvases().values()) {
            if (c.active()) canvases.add(c);
            else if (allCanvases) canvases.add(c.withStatus(Canvas.Status.ACTIVE));
        }
        CanvasEngine engine = new CanvasEngine(new Engine(EngineConfig.DEFAULT), loopGuard);
        Simulation sim = new Simulation(engine, CanvasSet.of(canvases), new MemoryEntryGate(), th);
        Replay replay = new Replay(sim, fromTime, toTime);

        long started = System.nanoTime(), cpuStarted = cpuNanos();
        try (InputStream in = open(events); ParsedLines lines = new ParsedLines(in, sim::lookAhead)) {
            replay.run(lines);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        new Report(stdout).print(new Report.Settings(definitions.toString(), events, fromTime, toTime, attribute, th, buckets,
                allCanvases, printUsers), replay, sim);
        err.println(String.format(Locale.ROOT, "kiln simulate: %d lines, %d objects (%d events) in %.1f s wall clock (%.1f s CPU): %,.0f objects/s, %,.0f events/s",
                replay.linesRead, replay.objectsApplied, replay.eventsApplied, seconds, (cpuNanos() - cpuStarted) / 1e9,
                replay.objectsApplied / Math.max(seconds, 1e-9), replay.eventsApplied / Math.max(seconds, 1e-9)));
        err.flush();
        return 0;
    }

    /** CPU time of the whole process (all threads, GC included); the wall clock alone misleads on a busy machine. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static InputStream open(String file) throws IOException {
        if (file.equals("-")) return System.in;
        try {
            return Files.newInputStream(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new UsageException("no such events file: " + file);
        }
    }

    private static Long time(String option, String value) {
        if (value == null) return null;
        return BrazeTime.parse(value).orElseThrow(() ->
                new UsageException(option + " must be an ISO 8601 time such as 2026-03-01T00:00:00Z, was " + value));
    }

    private int generate(PrintWriter err) throws IOException {
        if (out == null) throw new UsageException("--generate needs --out FILE");
        long startTime = time("--start", start);
        int l = leads != null ? leads : (int) Math.max(1_000, Math.min(10_000_000, generate / 50));
        Generator.Settings s = new Generator.Settings(generate, l, seed, startTime, days);
        Generator.Written w;
        try (Writer writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w = Generator.write(s, writer);
        }
        err.println("kiln simulate: wrote " + w.lines() + " lines (" + w.events() + " events, " + w.attributes()
                + " attribute objects, " + l + " leads over " + days + " days) to " + out);
        err.flush();
        return 0;
    }
}
