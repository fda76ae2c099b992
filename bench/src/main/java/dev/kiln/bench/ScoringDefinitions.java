package dev.kiln.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A temporary definitions directory holding the seed Canvas ({@code examples/canvases/lead-scoring.yaml},
 * its Action Paths window replaced when asked) and the example segments, removed by {@link #close()}.
 */
record ScoringDefinitions(Path dir, String window) implements AutoCloseable {
    static final String CANVAS_FILE = "canvases/lead-scoring.yaml";
    private static final String SEED_WINDOW = "window: 1d";

    /** Copies the seed Canvas from {@code examples} with {@code window} (e.g. "20s", "1d") and the segments. */
    static ScoringDefinitions write(Path examples, String window) {
        try {
            String yaml = Files.readString(examples.resolve(CANVAS_FILE), StandardCharsets.UTF_8);
            if (!yaml.contains(SEED_WINDOW))
                throw new IllegalStateException(examples.resolve(CANVAS_FILE) + " no longer says '" + SEED_WINDOW + "': the benchmark cannot set the window");
            Path dir = Files.createTempDirectory("kiln-bench-definitions-");
            Files.createDirectories(dir.resolve("canvases"));
            Files.writeString(dir.resolve(CANVAS_FILE), yaml.replace(SEED_WINDOW, "window: " + window), StandardCharsets.UTF_8);
            Path segments = examples.resolve("segments");
            if (Files.isDirectory(segments)) {
                Files.createDirectories(dir.resolve("segments"));
                try (Stream<Path> s = Files.list(segments)) {
                    for (Path p : s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList())
                        Files.copy(p, dir.resolve("segments").resolve(p.getFileName()));
                }
            }
            return new ScoringDefinitions(dir, window);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the seed Canvas into a temporary definitions directory", e);
        }
    }

    /**
     * The repository's {@code examples} directory: {@code given} when set, else the first found above the
     * working directory or above this code's location ({@code bench/target/classes}).
     */
    static Path locateExamples(Path given) {
        if (given != null) {
            if (!Files.isRegularFile(given.resolve(CANVAS_FILE))) throw new IllegalArgumentException("--examples " + given + " has no " + CANVAS_FILE);
            return given;
        }
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(ScoringDefinitions.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException ignored) {
            // no code source: the working directory only
        }
        for (Path start : starts)
            for (Path p = start; p != null; p = p.getParent())
                if (Files.isRegularFile(p.resolve("examples").resolve(CANVAS_FILE))) return p.resolve("examples");
        throw new IllegalArgumentException("cannot find examples/" + CANVAS_FILE + " above " + starts + "; give --examples DIR");
    }

    @Override public void close() {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.out.println("  ! could not remove " + dir + ": " + e);
        }
    }
}
