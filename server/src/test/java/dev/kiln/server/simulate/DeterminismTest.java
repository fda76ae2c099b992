package dev.kiln.server.simulate;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Engine;
import dev.kiln.engine.EngineConfig;
import dev.kiln.engine.canvas.CanvasEngine;
import dev.kiln.engine.canvas.CanvasSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Generated seed-workflow traffic: the report is the same every run, and the same as a one-thread replay. */
class DeterminismTest {
    @TempDir Path dir;

    @Test
    void generated_traffic_gives_the_same_report_every_run_and_without_the_parser_thread() throws IOException {
        long seed = 7;
        Path definitions = Files.createDirectories(dir.resolve("definitions/canvases")).getParent();
        Files.writeString(definitions.resolve("canvases/lead-scoring.yaml"), SimulateCommandTest.SEED_CANVAS);
        Path events = dir.resolve("events.jsonl");
        try (Writer w = Files.newBufferedWriter(events, StandardCharsets.UTF_8)) {
            Generator.write(new Generator.Settings(20_000, 300, seed, BrazeTime.parse("2026-03-02T00:00:00Z").orElseThrow(), 5), w);
        }
        String[] args = {"--definitions", definitions.toString(), "--events", events.toString(), "--to", "2026-03-09T00:00:00Z",
                "--threshold", "\"lead score\">=10", "--print-users"};

        SimulateCommandTest.Run first = SimulateCommandTest.simulate(args), second = SimulateCommandTest.simulate(args);
        assertThat(first.exit()).as("seed %d: %s", seed, first.err()).isZero();
        assertThat(second.out()).as("seed %d", seed).isEqualTo(first.out());
        assertThat(SimulateCommandTest.count(first.out(), "fired")).as("decay happened").isPositive();

        assertThat(oneThread(definitions, events, args[5])).as("seed %d", seed).isEqualTo(first.out());
    }

    /** The same replay with every line parsed inline and no users found ahead of time. */
    private static String oneThread(Path definitions, Path events, String to) throws IOException {
        var canvases = new ArrayList<>(new DefinitionLoader().load(definitions).definitions().canvases().values());
        Threshold th = Threshold.parse("\"lead score\">=10");
        Simulation sim = new Simulation(new CanvasEngine(new Engine(EngineConfig.DEFAULT), CanvasEngine.DEFAULT_LOOP_GUARD),
                CanvasSet.of(canvases), new MemoryEntryGate(), th);
        Long toTime = BrazeTime.parse(to).orElseThrow();
        Replay replay = new Replay(sim, null, toTime);
        long n = 0;
        for (String line : Files.readAllLines(events)) replay.accept(LineParser.parse(++n, line.getBytes(StandardCharsets.UTF_8)));
        replay.finish();
        StringWriter out = new StringWriter();
        new Report(new PrintWriter(out)).print(new Report.Settings(definitions.toString(), events.toString(), null, toTime,
                "lead score", th, 20, false, true), replay, sim);
        return out.toString();
    }
}
