package dev.kiln.server.cdi;

import dev.kiln.definitions.CdiIntegration;
import dev.kiln.definitions.Connection;
import dev.kiln.delivery.SecretResolver;
import dev.kiln.delivery.Secrets;
import dev.kiln.runtime.KilnRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Cloud Data Ingestion: the integrations from {@code cdi/*.yaml}, their runs (one at a time per integration),
 * a scheduler for {@code every} schedules, and the run history (the last {@link #KEPT_RUNS} runs of each
 * integration in the meta table under {@code cdi-run:<id>:<slot>}). A sync that fails is recorded, never fatal.
 */
public final class CdiService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CdiService.class);
    public static final int KEPT_RUNS = 20;

    /** Thrown by {@link #start} when the integration already has a run going (HTTP 409). */
    public static final class AlreadyRunning extends RuntimeException {
        public final String jobId;
        AlreadyRunning(String id, String jobId) {
            super("a sync of CDI integration " + id + " is already running (job " + jobId + ")", null, false, false);
            this.jobId = jobId;
        }
    }

    private final KilnRuntime runtime;
    private final Function<Connection.SecretRef, String> secrets;
    private volatile Map<String, CdiIntegration> integrations;
    private final Map<String, CdiRun> running = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kiln-cdi-sync");
        t.setDaemon(true);
        return t;
    });
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public CdiService(KilnRuntime runtime, Map<String, CdiIntegration> integrations) {
        this(runtime, integrations, SecretResolver.standard(new Secrets())::resolve);
    }

    public CdiService(KilnRuntime runtime, Map<String, CdiIntegration> integrations, Function<Connection.SecretRef, String> secrets) {
        this.runtime = runtime;
        this.secrets = secrets;
        this.integrations = new TreeMap<>(integrations);
    }

    /** Integrations from a reloaded definitions directory; runs going on finish with the definition they started with. */
    public void integrations(Map<String, CdiIntegration> all) { this.integrations = new TreeMap<>(all); }

    public Map<String, CdiIntegration> integrations() { return integrations; }

    public Optional<CdiIntegration> integration(String id) { return Optional.ofNullable(integrations.get(id)); }

    /** Checks {@code every} schedules each {@code tick}; a due integration starts unless already running. */
    public synchronized CdiService startScheduler(Duration tick) {
        if (scheduler != null) return this;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-cdi-scheduler");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        try {
            long now = runtime.clock().millis();
            for (CdiIntegration c : integrations.values()) {
                if (c.manual() || running.containsKey(c.id()) || closed) continue;
                Long next = nextRun(c);
                if (next != null && next <= now) {
                    try {
                        start(c.id(), "schedule");
                    } catch (AlreadyRunning ignored) {
                        // started meanwhile by hand
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("CDI scheduler: {}", e.toString());
        }
    }

    /** When a scheduled integration runs next (epoch ms): its last start plus the interval; now when it never ran; null if manual. */
    public Long nextRun(CdiIntegration c) {
        if (c.manual()) return null;
        List<CdiRun> runs = runs(c.id());
        return runs.isEmpty() ? runtime.clock().millis() : runs.get(0).startedAt + c.everyMillis();
    }

    /**
     * Starts a sync in the background and returns its run at once.
     *
     * @throws AlreadyRunning         when one is going
     * @throws IllegalArgumentException when there is no such integration
     */
    public CdiRun start(String id, String trigger) {
        CdiIntegration c = integrations.get(id);
        if (c == null) throw new IllegalArgumentException("no CDI integration " + id);
        if (closed) throw new IllegalStateException("shutting down");
        CdiRun run = new CdiRun(UUID.randomUUID().toString(), id, trigger, runtime.clock().millis());
        CdiRun other = running.putIfAbsent(id, run);
        if (other != null) throw new AlreadyRunning(id, other.jobId);
        save(run);
        try {
            workers.execute(() -> execute(c, run));
        } catch (RuntimeException e) {
            running.remove(id, run);
            throw e;
        }
        return run;
    }

    /** Runs a sync on the calling thread (the CLI) and returns its finished run. */
    public CdiRun runNow(String id, String trigger) {
        CdiIntegration c = integrations.get(id);
        if (c == null) throw new IllegalArgumentException("no CDI integration " + id);
        CdiRun run = new CdiRun(UUID.randomUUID().toString(), id, trigger, runtime.clock().millis());
        CdiRun other = running.putIfAbsent(id, run);
        if (other != null) throw new AlreadyRunning(id, other.jobId);
        save(run);
        execute(c, run);
        return run;
    }

    private void execute(CdiIntegration c, CdiRun run) {
        try {
            log.info("CDI {}: sync started (job {}, {})", c.id(), run.jobId, run.trigger);
            new CdiSync(c, runtime, secrets, () -> closed, run).run();
        } catch (RuntimeException | Error e) {
            run.status = CdiRun.Status.ERROR;
            run.error = e.toString();
        } finally {
            run.endedAt = runtime.clock().millis();
            try {
                save(run);
            } catch (RuntimeException e) {
                log.warn("CDI {}: cannot record job {}: {}", c.id(), run.jobId, e.toString());
            }
            running.remove(c.id(), run);
            if (run.status == CdiRun.Status.ERROR) log.warn("{}", run.summary());
            else log.info("{}", run.summary());
        }
    }

    /** The run going on for {@code id}, if any. */
    public Optional<CdiRun> running(String id) { return Optional.ofNullable(running.get(id)); }

    /** The runs of one integration, newest first (the one going on included, with live counters). */
    public List<CdiRun> runs(String id) {
        List<CdiRun> out = new ArrayList<>();
        CdiRun live = running.get(id);
        if (live != null) out.add(live);
        for (String json : runtime.store().metaWithPrefix(prefix(id)).values()) {
            CdiRun r = CdiRun.parse(json);
            if (r == null || (live != null && r.jobId.equals(live.jobId))) continue;
            if (r.status == CdiRun.Status.RUNNING) r.status = CdiRun.Status.INTERRUPTED; // its process stopped mid-run
            out.add(r);
        }
        out.sort(Comparator.comparingLong((CdiRun r) -> r.startedAt).reversed());
        return out;
    }

    private static String prefix(String id) { return "cdi-run:" + id + ":"; }

    /** Writes the run into its slot: the same slot while it runs, else the free or oldest one. */
    private synchronized void save(CdiRun run) {
        Map<String, String> stored = runtime.store().metaWithPrefix(prefix(run.integrationId));
        String slot = null, oldestSlot = null;
        long oldest = Long.MAX_VALUE;
        java.util.Set<String> used = new java.util.HashSet<>();
        for (var e : stored.entrySet()) {
            String s = e.getKey().substring(prefix(run.integrationId).length());
            used.add(s);
            CdiRun r = CdiRun.parse(e.getValue());
            if (r != null && r.jobId.equals(run.jobId)) slot = s;
            long t = r == null ? Long.MIN_VALUE : r.startedAt;
            if (t < oldest) {
                oldest = t;
                oldestSlot = s;
            }
        }
        if (slot == null) {
            for (int i = 0; i < KEPT_RUNS && slot == null; i++) if (!used.contains(String.valueOf(i))) slot = String.valueOf(i);
            if (slot == null) slot = oldestSlot;
        }
        runtime.store().putMeta(prefix(run.integrationId) + slot, run.toJson());
    }

    /** Stops the scheduler, asks running syncs to stop (their last batch is not applied; the next sync reads it again), waits for them. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (scheduler != null) scheduler.shutdownNow();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) log.warn("CDI: syncs still running after 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
