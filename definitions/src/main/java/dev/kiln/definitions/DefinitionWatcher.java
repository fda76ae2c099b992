package dev.kiln.definitions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches a definitions directory by polling file times and sizes (portable, and it sees mounted config
 * maps change, which file-system events miss). When something changed it reloads the whole directory:
 * a valid set that differs from the last one applied goes to the callback; an invalid one is logged
 * with every problem and not applied, so the previous set stays in force.
 */
public final class DefinitionWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DefinitionWatcher.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    private record Snapshot(boolean exists, Map<String, SourceFiles.Stamp> files) {}

    private final Path dir;
    private final DefinitionLoader loader;
    private final Consumer<LoadResult> onChange;
    private final ScheduledExecutorService ownExecutor;
    private ScheduledFuture<?> task;
    private Snapshot last;
    private volatile LoadResult lastResult;
    private DefinitionSet applied;

    private DefinitionWatcher(Path dir, DefinitionLoader loader, Consumer<LoadResult> onChange, ScheduledExecutorService ownExecutor) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.ownExecutor = ownExecutor;
        this.last = snapshot();
        this.lastResult = loader.load(dir);
        this.applied = lastResult.valid() ? lastResult.definitions() : null;
    }

    /** Watches on a daemon thread of its own, stopped by {@link #close()}. */
    public static DefinitionWatcher start(Path dir, Duration interval, Consumer<LoadResult> onChange) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-definitions-watcher");
            t.setDaemon(true);
            return t;
        });
        return start(dir, interval, new DefinitionLoader(), executor, onChange, executor);
    }

    /**
     * Watches on {@code executor} (not shut down by {@link #close()}). The directory is loaded once now:
     * read that first load with {@link #lastResult()}; {@code onChange} hears only of later changes,
     * and only of valid sets.
     */
    public static DefinitionWatcher start(Path dir, Duration interval, DefinitionLoader loader,
                                          ScheduledExecutorService executor, Consumer<LoadResult> onChange) {
        return start(dir, interval, loader, executor, onChange, null);
    }

    private static DefinitionWatcher start(Path dir, Duration interval, DefinitionLoader loader,
                                           ScheduledExecutorService executor, Consumer<LoadResult> onChange,
                                           ScheduledExecutorService own) {
        if (interval.compareTo(MIN_INTERVAL) < 0)
            throw new IllegalArgumentException("interval must be at least " + MIN_INTERVAL.toMillis() + " ms, was " + interval.toMillis() + " ms");
        DefinitionWatcher w = new DefinitionWatcher(dir, loader, onChange, own);
        log.info("watching definitions in {} every {} ms (kinds: {}); first load: {}", dir, interval.toMillis(),
                loader.kinds().stream().map(DocumentKind::folder).toList(), w.lastResult.valid() ? "valid" : w.lastResult.problems().size() + " problem(s)");
        if (!w.lastResult.valid()) logProblems(dir, w.lastResult);
        logWarnings(w.lastResult);
        w.task = executor.scheduleWithFixedDelay(w::pollSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    /** The most recent load, valid or not; the first one is made by {@code start}. */
    public LoadResult lastResult() { return lastResult; }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            // An exception would cancel the scheduled task; keep watching.
            log.error("definitions watcher: poll of {} failed", dir, e);
        }
    }

    /** One poll: reload when any file changed. Package-private so tests can pump it by hand. */
    synchronized void poll() {
        Snapshot now = snapshot();
        if (now == null || now.equals(last)) return;
        last = now;
        LoadResult result = loader.load(dir);
        lastResult = result;
        if (!result.valid()) {
            logProblems(dir, result);
            return;
        }
        if (result.definitions().equals(applied)) {
            log.info("definitions in {} changed on disk but not in content; nothing to apply", dir);
            return;
        }
        applied = result.definitions();
        log.info("applying changed definitions from {}", dir);
        logWarnings(result);
        try {
            onChange.accept(result);
        } catch (RuntimeException e) {
            log.error("definitions watcher: callback failed for {}", dir, e);
        }
    }

    private static void logWarnings(LoadResult result) {
        for (Problem p : result.warnings()) log.warn("definitions warning: {}", p);
    }

    private static void logProblems(Path dir, LoadResult result) {
        log.warn("definitions in {} are invalid ({} problem(s)); keeping the previous set", dir, result.problems().size());
        for (Problem p : result.problems()) log.warn("  {}", p);
    }

    private Snapshot snapshot() {
        try {
            return new Snapshot(Files.isDirectory(dir), SourceFiles.stamps(dir, loader.kinds()));
        } catch (IOException | RuntimeException e) {
            // Files can vanish mid-walk while an editor saves; look again next time.
            log.debug("definitions watcher: cannot list {} yet: {}", dir, e.toString());
            return null;
        }
    }

    @Override public void close() {
        if (task != null) task.cancel(false);
        if (ownExecutor != null) ownExecutor.shutdownNow();
    }
}
