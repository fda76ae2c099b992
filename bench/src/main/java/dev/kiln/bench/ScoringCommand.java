package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The scoring benchmark (issue 3, item 11): N leads in the seed Canvas receiving a mixed event stream.
 * Each phase starts the real Kiln server in this JVM ({@code KilnServer.start}, port 0) on a fresh store
 * with a temporary definitions directory holding the seed Canvas, and drives it over real HTTP:
 * <ol>
 *   <li>leads: N leads created through {@code /users/track}, each entering the Canvas and waiting in
 *       Action Paths (one pending timer each);</li>
 *   <li>load: session starts, webinars, demos and unsubscribes for random leads, as fast as possible and
 *       then at half that rate — events/s, Canvas transitions/s, latency event → new score committed;</li>
 *   <li>timers: N leads in a Canvas whose window is short; the server is stopped while they wait and
 *       restarted once every timer is due, so Everyone Else fires for all of them at once — timers/s;</li>
 *   <li>pending timers: the load's rate on a few active leads, then again with {@code --waiting} more
 *       leads waiting in Action Paths.</li>
 * </ol>
 * Optionally {@code kiln simulate} speed. Prints figures beside the targets; asserts nothing.
 */
@Command(name = "scoring", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scoring benchmark: leads in the seed Canvas (examples/canvases/lead-scoring.yaml) receiving a mixed event stream "
                + "over real HTTP; events/s through Canvas transitions, timers fired/s, latency event -> new score committed, "
                + "and the ingest rate with many users waiting in Action Paths. Prints figures beside the targets; asserts nothing.",
                "Starts the real Kiln server in this JVM (KilnServer.start, port 0) on a fresh temporary SQLite file "
                        + "(or PostgreSQL schema) per phase, removed at the end."})
final class ScoringCommand implements Callable<Integer> {
    enum StoreChoice { sqlite, postgres }

    static final double TARGET_EVENTS_PER_SECOND = 100_000;
    static final double TARGET_TIMERS_PER_SECOND = 50_000;
    static final double TARGET_HALF_LOAD_P99_MS = 50;
    static final double TARGET_DROP_PERCENT = 10;

    @Option(names = "--store", defaultValue = "sqlite", description = "sqlite or postgres. Default: ${DEFAULT-VALUE}")
    StoreChoice store;

    @Option(names = "--leads", defaultValue = "100000", description = "Leads in the Canvas for the load (phases 1-2; 0 skips them). Default: ${DEFAULT-VALUE}")
    int leads;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds of each measured run (full load, half load, both pending-timer runs). Default: ${DEFAULT-VALUE}")
    int duration;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of unmeasured load before each full-speed run. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--paced-rate", defaultValue = "0", description = "Events/s of the paced run after the full-load run; 0 = half "
            + "the full load's accepted rate. A fixed rate compares latency of two builds at the same load. Default: ${DEFAULT-VALUE}")
    double pacedRate;

    @Option(names = "--concurrency", defaultValue = "32", description = "Requests in flight at most. Default: ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = "--mix", defaultValue = "40,30,20,10",
            description = "Per cent of kiln.session_start, webinar_registered, demo_requested, newsletter_unsubscribed. Default: ${DEFAULT-VALUE}")
    String mix;

    @Option(names = "--window", description = "Action Paths window (seconds) of the timers phase; 0 skips the phase. Default: long enough that "
            + "creating the leads ends well before the first timer is due (at least 20)")
    Integer window;

    @Option(names = "--timer-leads", description = "Leads whose timers fire in the timers phase (0 skips it). Default: --leads")
    Integer timerLeads;

    @Option(names = "--timer-warmup-leads", defaultValue = "20000", description = "Leads of an unmeasured timers round run first, on "
            + "its own store, so the timer path is compiled before the measured round (0: none). Default: ${DEFAULT-VALUE}")
    int timerWarmupLeads;

    @Option(names = "--waiting", defaultValue = "1000000", description = "Extra leads waiting in Action Paths (1 day window) in the pending-timers phase; 0 skips it. Default: ${DEFAULT-VALUE}")
    int waiting;

    @Option(names = "--active-leads", defaultValue = "10000", description = "Leads receiving the stream in the pending-timers phase. Default: ${DEFAULT-VALUE}")
    int activeLeads;

    @Option(names = "--simulate-events", defaultValue = "0", description = "Also time `kiln simulate` on this many generated events (0 = skip). Default: ${DEFAULT-VALUE}")
    long simulateEvents;

    @Option(names = "--quick", description = "Smoke run: --leads 3000 --duration 5 --warmup 2 --active-leads 1000 --waiting 10000 --simulate-events 100000 --timer-warmup-leads 1000 "
            + "(options given explicitly win)")
    boolean quick;

    @Option(names = "--lanes", defaultValue = "2", description = "Runtime lanes of the server. Default: ${DEFAULT-VALUE}")
    int lanes;

    @Option(names = "--sample-ms", defaultValue = "100", description = "Canvas stats sampling period while timers fire. Default: ${DEFAULT-VALUE}")
    int sampleMillis;

    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "With --store postgres: database in which fresh schemas are created and dropped. Default: ${DEFAULT-VALUE}")
    String pgUrl;

    @Option(names = "--sqlite-params", description = "Tuning experiments: SQLite pragmas appended to Kiln's store URL")
    String sqliteParams;

    @Option(names = "--examples", description = "The repository's examples directory (seed Canvas and segments). Default: found above the working directory")
    Path examplesOption;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the stream. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", description = "Also write the figures as JSON to this file")
    Path out;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final BenchResources resources = new BenchResources();
    private HttpClient http;
    private String key;
    private Path examples;
    private ScoringStream stream;
    /** Profiles/s seen while creating the phase-1 leads; sizes the timers phase's window. */
    private double creationRate = Double.NaN;

    @Override
    public Integer call() throws Exception {
        applyQuick();
        validate();
        examples = ScoringDefinitions.locateExamples(examplesOption);
        stream = ScoringStream.parse(mix, Math.max(1, leads));
        key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("machine", machine());
        report.put("settings", settings());
        printHeader();
        Heap.listen();

        Thread cleanup = new Thread(this::closeAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Map<String, Object> phases = new LinkedHashMap<>();
        report.put("phases", phases);
        int failures = 0;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()) {
            http = client;
            if (simulateEvents > 0) failures += ScoringFigures.part(phases, "simulate", null, this::simulatePhase);
            if (leads > 0) failures += ScoringFigures.part(phases, "leads_and_load", null, this::loadPhases);
            if ((window == null || window > 0) && (timerLeads != null ? timerLeads : leads) > 0) failures += ScoringFigures.part(phases, "timers", null, this::timersPhase);
            if (waiting > 0) failures += ScoringFigures.part(phases, "pending_timers", null, this::pendingPhase);
        } finally {
            closeAll();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        report.put("ended", Instant.now().toString());
        report.put("summary", printSummary(phases));
        if (out != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
            System.out.println("figures written to " + out.toAbsolutePath());
        }
        return failures == 0 ? 0 : 1;
    }

    private void applyQuick() {
        if (!quick) return;
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        if (!pr.hasMatchedOption("--leads")) leads = 3000;
        if (!pr.hasMatchedOption("--duration")) duration = 5;
        if (!pr.hasMatchedOption("--warmup")) warmup = 2;
        if (!pr.hasMatchedOption("--active-leads")) activeLeads = 1000;
        if (!pr.hasMatchedOption("--waiting")) waiting = 10_000;
        if (!pr.hasMatchedOption("--simulate-events")) simulateEvents = 100_000;
        if (!pr.hasMatchedOption("--timer-warmup-leads")) timerWarmupLeads = 1000;
    }

    private void validate() {
        if (leads < 0 || activeLeads < 1) throw new IllegalArgumentException("--leads must be ≥ 0 (0 skips phases 1-2) and --active-leads ≥ 1");
        if (duration < 1 || warmup < 0) throw new IllegalArgumentException("--duration must be ≥ 1 and --warmup ≥ 0");
        if (concurrency < 1 || concurrency > 4096) throw new IllegalArgumentException("--concurrency must be 1..4096");
        if (!(pacedRate >= 0) || Double.isInfinite(pacedRate)) throw new IllegalArgumentException("--paced-rate must be ≥ 0 events/s (0 = half the full load)");
        if (window != null && window < 0) throw new IllegalArgumentException("--window must be ≥ 0 (0 skips the timers phase)");
        if (timerLeads != null && timerLeads < 0) throw new IllegalArgumentException("--timer-leads must be ≥ 0");
        if (timerWarmupLeads < 0) throw new IllegalArgumentException("--timer-warmup-leads must be ≥ 0 (0: no warm-up round)");
        if (waiting < 0 || simulateEvents < 0) throw new IllegalArgumentException("--waiting and --simulate-events must be ≥ 0");
        if (sampleMillis < 10 || sampleMillis > 1000) throw new IllegalArgumentException("--sample-ms must be 10..1000");
        if (!pgUrl.startsWith("jdbc:postgresql://127.0.0.1") && !pgUrl.startsWith("jdbc:postgresql://localhost"))
            throw new IllegalArgumentException("--pg-url must point at 127.0.0.1 or localhost: the benchmark creates and drops schemas");
    }

    // ---- resources ---------------------------------------------------------------------------------

    private <T extends AutoCloseable> T opened(T r) { return resources.opened(r); }

    private void close(AutoCloseable r) { resources.close(r); }

    private void closeAll() { resources.closeAll(); }

    private Target newTarget() {
        Target t = store == StoreChoice.sqlite ? Target.Sqlite.create(sqliteParams) : Target.Postgres.create(pgUrl);
        System.out.println("store: " + t.describe());
        return opened(t);
    }

    /** A started server and the clients talking to it. */
    private record Running(KilnServer server, URI base, TrackLoad track, ScoringLoad load, ScoringStats stats) {}

    private Running start(Target target, ScoringDefinitions defs) {
        ServerConfig config = ServerConfig.of(0, target.jdbcUrl(), defs.dir())
                .withAdminKey(key)
                .withRateLimit(1_000_000_000, Duration.ofSeconds(1))   // far above anything this machine sends
                .withLanes(lanes);
        long t0 = System.nanoTime();
        KilnServer server = opened(KilnServer.start(config));
        URI base = URI.create("http://127.0.0.1:" + server.port());
        System.out.printf("server: Kiln started in-process (KilnServer.start) on port %d in %.1f s; %d lanes; definitions %s (seed Canvas, window %s); rate limit not throttling%n",
                server.port(), (System.nanoTime() - t0) / 1e9, lanes, defs.dir(), defs.window());
        TrackLoad track = new TrackLoad(http, base, key);
        return new Running(server, base, track, new ScoringLoad(http, track), new ScoringStats(http, base, key));
    }

    // ---- phases 1 and 2: leads, then the mixed stream --------------------------------------------

    private void loadPhases(Map<String, Object> fig) {
        Target target = newTarget();
        ScoringDefinitions defs = opened(ScoringDefinitions.write(examples, "1d"));
        Running a = null;
        try {
            a = start(target, defs);
            fig.put("store", target.describe());

            Map<String, Object> f1 = new LinkedHashMap<>();
            fig.put("phase1_leads", f1);
            ScoringFigures.Phase p1 = new ScoringFigures.Phase("phase 1: " + String.format("%,d", leads) + " leads enter the seed Canvas", f1);
            createAndCheck(a, leads, f1);
            creationRate = leads / num(f1.get("seconds_to_create"));
            p1.end();

            Map<String, Object> f2 = new LinkedHashMap<>();
            fig.put("phase2_load", f2);
            ScoringFigures.Phase p2 = new ScoringFigures.Phase("phase 2: mixed event stream through the Canvas", f2);
            System.out.println("stream: " + stream);
            f2.put("stream", stream.toString());
            if (warmup > 0) {
                TrackLoad.Result w = a.load().run(stream, Duration.ofSeconds(warmup), concurrency, 0, seed + 1);
                System.out.printf("warm-up: %d s, %,.0f events/s accepted (not counted)%n", warmup, w.objectsPerSecond());
            }
            Measured full = measure(a, stream, duration, 0, seed + 2);
            print("full load (as fast as " + concurrency + " requests in flight allow, " + duration + " s)", full, false);
            System.out.printf("  target: ≥ %,.0f events/s end to end on SQLite — measured %,.0f events/s sustained (%,.0f accepted): %s%n",
                    TARGET_EVENTS_PER_SECOND, full.sustainedPerSecond(), full.load().objectsPerSecond(),
                    ScoringFigures.verdict(full.sustainedPerSecond() >= TARGET_EVENTS_PER_SECOND));
            f2.put("full_load", full.json("as fast as possible"));

            double halfRate = pacedRate > 0 ? pacedRate : full.sustainedPerSecond() / 2;
            Measured half = measure(a, stream, duration, halfRate, seed + 3);
            print(String.format("half load (paced at %,.0f events/s = %s, %d s)", halfRate,
                    pacedRate > 0 ? "--paced-rate" : "half the full load's sustained rate", duration), half, true);
            double p99 = ScoringFigures.value(half.load().fromSchedule(), 99) / 1000.0;
            System.out.printf("  target: p99 event -> new score committed < %.0f ms at half load — measured p99 %.2f ms from the scheduled send: %s%n",
                    TARGET_HALF_LOAD_P99_MS, p99, ScoringFigures.verdict(p99 < TARGET_HALF_LOAD_P99_MS));
            f2.put("half_load", half.json(String.format("paced at %.0f events/s", halfRate)));
            ScoringStats.Snapshot end = a.stats().read();
            System.out.println("Canvas after the load: " + end);
            f2.put("stats_after", end.json());
            p2.end();
        } finally {
            if (a != null) close(a.server());
            close(defs);
            close(target);
        }
    }

    /** Creates leads {@code lead-0 … lead-(n-1)} and checks each waits on step score with a timer. */
    private void createAndCheck(Running r, int n, Map<String, Object> fig) {
        CpuSplit cpu = new CpuSplit();
        TrackLoad.Created created = r.track().createLeads(n, concurrency);
        CpuSplit.Split split = cpu.finish();
        ScoringStats.Snapshot s = r.stats().read();
        long timers = r.server().store().countTimers();
        long users = r.server().store().countUsers();
        System.out.printf("leads: %,d created through /users/track (email, lead score 0; 75 per request, %d in flight) in %.1f s = %,.0f profiles/s into the Canvas; %d failed requests%n",
                n, concurrency, created.seconds(), n / created.seconds(), created.failed());
        created.errorSamples().forEach(e -> System.out.println("  ! " + e));
        System.out.printf("  check: %,d profiles in the store; Canvas entries %,d; on step score %,d of %,d (%s); pending timers %,d (%s)%n",
                users, s.entries(), s.onScore(), n, s.onScore() == n ? "ok" : "MISMATCH", timers, timers == n ? "ok" : "MISMATCH");
        System.out.println("  " + ScoringFigures.cpu(split));
        fig.put("leads", n);
        fig.put("seconds_to_create", created.seconds());
        fig.put("profiles_per_second", n / created.seconds());
        fig.put("failed_requests", created.failed());
        fig.put("profiles_in_store", users);
        fig.put("pending_timers", timers);
        fig.put("stats", s.json());
        fig.put("cpu", CpuSplit.json(split));
    }

    // ---- measured runs ----------------------------------------------------------------------------

    /**
     * {@code catchUpSeconds}: from the end of the run until the stats read after it answered. The server reads Canvas
     * statistics from the tables, after the write-behind journal's materializer has written every commit acknowledged
     * before the read, so this is how long the tables took to catch up with what was acknowledged during the run.
     */
    private record Measured(TrackLoad.Result load, Scrape before, Scrape after, ScoringStats.Snapshot statsBefore,
                            ScoringStats.Snapshot statsAfter, CpuSplit.Split cpu, double catchUpSeconds) {
        double delta(String name, String... kv) { return after.sum(name, kv) - before.sum(name, kv); }
        double seconds() { return load.seconds(); }
        /** Events accepted per second of run plus catch-up: the rate the server keeps up with, journal backlog included. */
        double sustainedPerSecond() { return load.objectsOk() / (load.seconds() + catchUpSeconds); }
        double committedOps() { return delta("kiln_commit_batch_ops_sum"); }
        double commits() { return delta("kiln_commit_batch_ops_count"); }
        double meanCommitMillis() {
            double n = delta("kiln_commit_latency_seconds_count");
            return n > 0 ? 1000 * delta("kiln_commit_latency_seconds_sum") / n : Double.NaN;
        }
        long transitions() { return statsAfter.eventTransitions() - statsBefore.eventTransitions(); }
        long entries() { return statsAfter.entries() - statsBefore.entries(); }
        double serverMillis(double q) { return 1000 * Scrape.quantileBetween(before, after, "kiln_submit_to_commit_seconds", q); }

        Map<String, Object> json(String mode) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", mode);
            m.put("seconds", seconds());
            m.put("requests_sent", load.sent());
            m.put("requests_201", load.ok());
            m.put("accepted_events_per_second", load.objectsPerSecond());
            m.put("tables_catch_up_seconds", catchUpSeconds);
            m.put("sustained_events_per_second", sustainedPerSecond());
            if (load.objectsOk() > 0) m.put("cpu_micros_per_event", cpu.processCpuSeconds() * 1e6 / load.objectsOk());
            m.put("committed_ops_per_second", committedOps() / seconds());
            m.put("committed_ops", committedOps());
            m.put("rejected_ops", delta("kiln_ingest_ops_total", "outcome", "rejected"));
            m.put("commit_failures", delta("kiln_commit_failures_total"));
            m.put("commits_per_second", commits() / seconds());
            m.put("mean_ops_per_commit", commits() > 0 ? committedOps() / commits() : 0);
            m.put("mean_commit_ms", meanCommitMillis());
            m.put("canvas_transitions_per_second", transitions() / seconds());
            m.put("canvas_transitions", transitions());
            m.put("action_groups_delta", statsAfter.groupsSince(statsBefore));
            m.put("canvas_entries_delta", entries());
            m.put("exits_delta", statsAfter.exitsSince(statsBefore));
            m.put("on_step_before", statsBefore.onStep());
            m.put("on_step_after", statsAfter.onStep());
            m.put("latency_request_to_201_us", ScoringFigures.percentilesMicros(load.service()));
            m.put("latency_from_schedule_us", ScoringFigures.percentilesMicros(load.fromSchedule()));
            m.put("server_submit_to_commit_p50_ms_bucket", serverMillis(0.5));
            m.put("server_submit_to_commit_p99_ms_bucket", serverMillis(0.99));
            m.put("non_201", load.statuses());
            m.put("client_failures", load.failures());
            m.put("partial_201", load.partial());
            m.put("cpu", CpuSplit.json(cpu));
            return m;
        }
    }

    private Measured measure(Running r, ScoringStream s, int seconds, double eventsPerSecond, long runSeed) {
        Scrape before = r.track().scrape();
        ScoringStats.Snapshot sb = r.stats().read();
        CpuSplit cpu = new CpuSplit();
        TrackLoad.Result result = r.load().run(s, Duration.ofSeconds(seconds), concurrency, eventsPerSecond, runSeed);
        CpuSplit.Split split = cpu.finish();
        long t = System.nanoTime();
        ScoringStats.Snapshot sa = r.stats().read();
        double catchUp = (System.nanoTime() - t) / 1e9;
        Scrape after = r.track().scrape();
        return new Measured(result, before, after, sb, sa, split, catchUp);
    }

    private static void print(String title, Measured m, boolean paced) {
        TrackLoad.Result r = m.load();
        System.out.println(title + ":");
        System.out.printf("  events accepted    %,10.0f /s  (%,d requests answered 201 x %d events in %.1f s)%n",
                r.objectsPerSecond(), r.ok(), ScoringStream.EVENTS_PER_REQUEST, r.seconds());
        System.out.printf("  sustained          %,10.0f /s  (the tables caught up %.1f s after the run: events / (run + catch-up))%n",
                m.sustainedPerSecond(), m.catchUpSeconds());
        System.out.printf("  ops committed      %,10.0f /s  (server: %,.0f ops in %,.0f commits, mean %,.0f ops per commit, mean commit %.2f ms; %,.0f rejected; %,.0f commit failures)%n",
                m.committedOps() / m.seconds(), m.committedOps(), m.commits(), m.commits() > 0 ? m.committedOps() / m.commits() : 0,
                m.meanCommitMillis(), m.delta("kiln_ingest_ops_total", "outcome", "rejected"), m.delta("kiln_commit_failures_total"));
        System.out.printf("  Canvas transitions %,10.0f /s  through the action groups of step score %s = %.1f%% of the events accepted; re-entries %,.0f /s; exits %s%n",
                m.transitions() / m.seconds(), m.statsAfter().groupsSince(m.statsBefore()),
                r.objectsOk() == 0 ? 0 : 100.0 * m.transitions() / r.objectsOk(), m.entries() / m.seconds(), m.statsAfter().exitsSince(m.statsBefore()));
        System.out.printf("  on step before %s, after %s%n", m.statsBefore().onStep(), m.statsAfter().onStep());
        System.out.println("  latency request -> 201 (= event -> new score committed): " + ScoringFigures.latencies(r.service()));
        if (paced) System.out.println("  latency from scheduled send -> 201 (includes waiting for a free slot): " + ScoringFigures.latencies(r.fromSchedule()));
        System.out.printf("  server submit -> commit: p50 <= %.1f ms, p99 <= %.1f ms (bucket bounds)%n", m.serverMillis(0.5), m.serverMillis(0.99));
        if (!r.statuses().isEmpty() || !r.failures().isEmpty() || r.partial() > 0)
            System.out.printf("  ! problems: non-201 %s, no answer %s, 201 with errors %d%n", r.statuses(), r.failures(), r.partial());
        r.errorSamples().forEach(s -> System.out.println("    e.g. " + s));
        System.out.println("  " + ScoringFigures.cpu(m.cpu()));
        System.out.println("  " + ScoringFigures.cpuPerEvent(m.cpu(), r.objectsOk()));
    }

    // ---- phase 3: timers --------------------------------------------------------------------------

    private void timersPhase(Map<String, Object> fig) {
        int n = timerLeads != null ? timerLeads : leads;
        if (timerWarmupLeads > 0) {
            // The restarted server's timer path (fire, exit, re-entry) is compiled while it fires: without a round first,
            // the C2 compiler took a third to a half of the CPU of a 5 s measurement.
            Map<String, Object> warm = new LinkedHashMap<>();
            timersRound(timerWarmupLeads, warm, "warm-up round (not counted)");
            fig.put("warmup_round", Map.of("leads", timerWarmupLeads, "timers_per_second", warm.getOrDefault("timers_per_second", Double.NaN)));
        }
        timersRound(n, fig, "measured");
    }

    private void timersRound(int n, Map<String, Object> fig, String round) {
        double creation = Double.isNaN(creationRate) || creationRate <= 0 ? 20_000 : creationRate;
        int w = window != null ? window : (int) Math.max(20, Math.ceil(1.5 * n / creation) + 5);
        ScoringFigures.Phase p = new ScoringFigures.Phase("phase 3: timers — Everyone Else fires for " + String.format("%,d", n) + " leads, " + round, fig);
        System.out.printf("window: %d s%s; the server stops while the leads wait and restarts once every timer is due, so all %,d fire as one backlog%n",
                w, window != null ? " (--window)" : String.format(" (chosen so that creating the leads, ~%.0f s at phase 1's rate, ends well before the first is due)", n / creation), n);
        fig.put("leads", n);
        fig.put("window_seconds", w);
        Target target = newTarget();
        ScoringDefinitions defs = opened(ScoringDefinitions.write(examples, w + "s"));
        Running b = null;
        try {
            b = start(target, defs);
            long createStart = System.currentTimeMillis();
            Map<String, Object> created = new LinkedHashMap<>();
            createAndCheck(b, n, created);
            fig.put("create", created);
            long createEnd = System.currentTimeMillis();
            ScoringStats.Snapshot before = b.stats().read();
            close(b.server());
            long stopped = System.currentTimeMillis();
            b = null;
            System.out.printf("server stopped (drained) %.1f s after the first lead entered; first timer due %d s after it%n", (stopped - createStart) / 1000.0, w);
            if (stopped >= createStart + w * 1000L || before.everyoneElse() > 0)
                System.out.printf("  ! the window is too short: timers may have fired before the stop (Everyone Else %,d); give a longer --window%n", before.everyoneElse());
            long dueBy = createEnd + w * 1000L + 1000;
            long wait = dueBy - System.currentTimeMillis();
            if (wait > 0) {
                System.out.printf("waiting %.1f s, server down, until every timer is due …%n", wait / 1000.0);
                sleep(wait);
            }

            // The restart: every timer is due; sample the committed Everyone Else count until all fired.
            long t0 = System.nanoTime();
            CpuSplit cpu = new CpuSplit();
            b = start(target, defs);
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            long goal = n;                                                      // each lead once, all told
            List<long[]> samples = new ArrayList<>();                          // {nanos since t0, Everyone Else, timers polled}
            long lastChange = System.nanoTime();
            long last = -1;
            boolean stalled = false;
            while (true) {
                ScoringStats.Snapshot s = b.stats().read();
                long ee = s.everyoneElse();
                // /metrics once a second and at the end (-1 = not scraped): formatting every meter is work the server
                // would otherwise not do (9 % of the allocation in a JFR profile of this phase when scraped every 100 ms).
                long polled = samples.size() % Math.max(1, 1000 / sampleMillis) == 0 || ee >= goal
                        ? (long) b.track().scrape().sum("kiln_timers_fired_total") : -1;
                samples.add(new long[]{s.atNanos() - t0, ee, polled});
                if (ee >= goal) break;
                if (ee != last) {
                    last = ee;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > 30_000_000_000L) {
                    stalled = true;
                    break;
                }
                sleep(sampleMillis);
            }
            CpuSplit.Split split = cpu.finish();
            // Every timer is due when the runtime starts, so firing begins at once (the runtime polls before the
            // API is up); the committed count rises in steps of whole epochs (up to the runtime's timer batch).
            // Rate: leads / (first sample showing all committed - the start call), start-up included: a lower bound.
            long[] first = null, done = samples.getLast();
            for (long[] s : samples) if (s[1] > before.everyoneElse()) { first = s; break; }
            double allSeconds = done[0] / 1e9;
            double rate = (done[1] - before.everyoneElse()) / allSeconds;
            double steady = first != null && done[0] > first[0] ? (done[1] - first[1]) / ((done[0] - first[0]) / 1e9) : Double.NaN;
            sleep(1000);
            ScoringStats.Snapshot after = b.stats().read();
            Scrape m = b.track().scrape();
            long timersLeft = b.server().store().countTimers();

            System.out.printf("restart: KilnServer.start took %.2f s; Everyone Else committed for %,d leads %.2f s after the start call%s%n",
                    startSeconds, done[1] - before.everyoneElse(), allSeconds, stalled ? " (STALLED: no progress for 30 s)" : "");
            System.out.printf("  timers fired (committed)  %,10.0f /s  %,d Everyone Else committed %.2f s after the start call (first sample showing all; sampled every %d ms; server start-up included)%n",
                    rate, done[1] - before.everyoneElse(), allSeconds, sampleMillis);
            System.out.printf("                            %,10.0f /s  between the first sample showing firings (%s) and that one (leaves out the first epoch's time; NaN if one epoch fired all)%n",
                    steady, first == null ? "none" : String.format("%.2f s, %,d", first[0] / 1e9, first[1]));
            System.out.printf("  target: ≥ %,.0f timers fired/s — measured %,.0f /s: %s%n", TARGET_TIMERS_PER_SECOND, rate,
                    ScoringFigures.verdict(rate >= TARGET_TIMERS_PER_SECOND));
            System.out.println("  timeline (seconds after the start call: Everyone Else committed[/timers taken into epochs, kiln_timers_fired_total, once a second]): " + timeline(samples));
            long ee = after.everyoneElse();
            System.out.printf("  check, each lead fired exactly once: Everyone Else %,d of %,d (%s); kiln_timers_fired_total %,.0f after the restart; exits completed %,d; on step score %,d; timers left %,d; loop-guard hits %d%n",
                    ee, n, ee == n ? "ok" : "MISMATCH", m.sum("kiln_timers_fired_total"), after.exit("completed"), after.onScore(), timersLeft, after.loopGuard());
            System.out.printf("  server: %,.0f ops committed in %,.0f commits (mean %,.0f per commit, mean commit %.1f ms, mean apply %.1f ms); %,.0f commit failures%n",
                    m.sum("kiln_commit_batch_ops_sum"), m.sum("kiln_commit_batch_ops_count"),
                    m.sum("kiln_commit_batch_ops_sum") / Math.max(1, m.sum("kiln_commit_batch_ops_count")),
                    1000 * m.sum("kiln_commit_latency_seconds_sum") / Math.max(1, m.sum("kiln_commit_latency_seconds_count")),
                    1000 * m.sum("kiln_epoch_apply_seconds_sum") / Math.max(1, m.sum("kiln_epoch_apply_seconds_count")),
                    m.sum("kiln_commit_failures_total"));
            System.out.println("  " + ScoringFigures.cpu(split));
            fig.put("restart_seconds", startSeconds);
            fig.put("timers_per_second", rate);
            fig.put("timers_per_second_between_firing_samples", steady);
            fig.put("seconds_from_start_call_to_all_fired", allSeconds);
            fig.put("stalled", stalled);
            fig.put("everyone_else", ee);
            fig.put("timers_fired_metric", m.sum("kiln_timers_fired_total"));
            fig.put("timers_left", timersLeft);
            fig.put("stats_after", after.json());
            List<List<Object>> tl = new ArrayList<>();
            for (long[] s : samples) tl.add(List.of(s[0] / 1e9, s[1], s[2]));
            fig.put("samples_seconds_everyone_else_polled", tl);
            fig.put("cpu", CpuSplit.json(split));
        } finally {
            if (b != null) close(b.server());
            close(defs);
            close(target);
        }
        p.end();
    }

    /** seconds:Everyone Else committed, with /timers taken into epochs where /metrics was scraped. */
    private static String point(long[] s) {
        return s[2] < 0 ? String.format(" %.1f:%,d", s[0] / 1e9, s[1]) : String.format(" %.1f:%,d/%,d", s[0] / 1e9, s[1], s[2]);
    }

    /** About sixteen points of the sampled counts. */
    private static String timeline(List<long[]> samples) {
        StringBuilder b = new StringBuilder();
        int step = Math.max(1, samples.size() / 16);
        for (int i = 0; i < samples.size(); i += step) b.append(point(samples.get(i)));
        if ((samples.size() - 1) % step != 0) b.append(point(samples.getLast()));
        return b.toString().trim();
    }

    // ---- phase 4: pending timers vs ingest ---------------------------------------------------------

    private void pendingPhase(Map<String, Object> fig) {
        ScoringFigures.Phase p = new ScoringFigures.Phase("phase 4: ingest rate with " + String.format("%,d", waiting) + " more leads waiting in Action Paths", fig);
        System.out.printf("two fresh stores with the same history and the same stream on %,d active leads: A holds only them, B also %,d leads waiting a day "
                + "in Action Paths (one pending timer each), created before the load; each gets a %d s warm-up and a %d s measured run%n",
                activeLeads, waiting, warmup, duration);
        Map<String, Object> fa = new LinkedHashMap<>(), fb = new LinkedHashMap<>();
        fig.put("few_waiting", fa);
        fig.put("many_waiting", fb);
        Measured few = pendingStore(fa, "A", 0, seed + 11);
        Measured many = pendingStore(fb, "B", waiting, seed + 11);
        double a = few.sustainedPerSecond(), b = many.sustainedPerSecond();
        double drop = 100 * (a - b) / a;
        System.out.println();
        System.out.printf("pending timers vs ingest rate (sustained): A %,.0f events/s with %,d timers pending, B %,.0f events/s with %,d pending: %s of %.1f %%%n",
                a, (long) num(fa.get("pending_timers")), b, (long) num(fb.get("pending_timers")),
                drop >= 0 ? "drop" : "gain", Math.abs(drop));
        System.out.printf("  target: 1,000,000 users waiting in Action Paths lower the ingest rate by ≤ %.0f %% — measured %.1f %% (with %,d waiting): %s%n",
                TARGET_DROP_PERCENT, drop, waiting, ScoringFigures.verdict(drop <= TARGET_DROP_PERCENT));
        if (waiting != 1_000_000) System.out.println("  (the target is for 1,000,000 waiting; this run had " + String.format("%,d", waiting) + ")");
        fig.put("drop_percent", drop);
        p.end();
    }

    /** One store of phase 4: the active leads, {@code extra} waiting leads, then the measured load. */
    private Measured pendingStore(Map<String, Object> fig, String label, int extra, long runSeed) {
        System.out.println();
        System.out.printf("--- %s: %,d active leads%s%n", label, activeLeads, extra > 0 ? String.format(" + %,d waiting", extra) : " only");
        Target target = newTarget();
        ScoringDefinitions defs = opened(ScoringDefinitions.write(examples, "1d"));
        Running c = null;
        try {
            c = start(target, defs);
            Map<String, Object> created = new LinkedHashMap<>();
            createAndCheck(c, activeLeads, created);
            fig.put("active", created);
            if (extra > 0) {
                System.out.printf("creating %,d more leads (lead-%d … lead-%d), each entering the Canvas and waiting a day; %d requests of 75 in flight …%n",
                        extra, activeLeads, activeLeads + extra - 1, concurrency);
                CpuSplit cpu = new CpuSplit();
                TrackLoad.Created w = c.load().createRange(activeLeads, activeLeads + extra, concurrency, 10);
                CpuSplit.Split split = cpu.finish();
                ScoringStats.Snapshot st = c.stats().read();
                long heap = Heap.afterForcedGc();
                System.out.printf("  %,d created in %.1f s = %,.0f profiles/s; %d failed requests; on step score %,d of %,d (%s); heap after GC %s (max %s)%n",
                        extra, w.seconds(), extra / w.seconds(), w.failed(), st.onScore(), activeLeads + extra,
                        st.onScore() == activeLeads + extra ? "ok" : "MISMATCH", Heap.mb(heap), Heap.mb(Heap.maxBytes()));
                w.errorSamples().forEach(e -> System.out.println("  ! " + e));
                System.out.println("  " + ScoringFigures.cpu(split));
                fig.put("waiting_created", Json.obj("leads", extra, "seconds", w.seconds(), "profiles_per_second", extra / w.seconds(),
                        "failed_requests", w.failed(), "on_step_score", st.onScore(), "heap_after_gc_bytes", heap, "cpu", CpuSplit.json(split)));
            }
            long timers = c.server().store().countTimers();
            long bytes = target.sizeBytes();
            System.out.printf("pending timers %,d; profiles %,d; store %s%n", timers, c.server().store().countUsers(), Heap.mb(bytes));
            fig.put("pending_timers", timers);
            fig.put("store_bytes_before_load", bytes);
            ScoringStream s = stream.withLeads(activeLeads);
            System.out.println("stream: " + s);
            if (warmup > 0) {
                TrackLoad.Result w = c.load().run(s, Duration.ofSeconds(warmup), concurrency, 0, runSeed);
                System.out.printf("warm-up: %d s, %,.0f events/s accepted (not counted)%n", warmup, w.objectsPerSecond());
            }
            Measured m = measure(c, s, duration, 0, runSeed + 100);
            print(String.format("%s: %,d timers pending, full load %d s", label, timers, duration), m, false);
            fig.put("load", m.json("as fast as possible"));
            fig.put("cpu", CpuSplit.json(m.cpu()));
            return m;
        } finally {
            if (c != null) close(c.server());
            close(defs);
            close(target);
        }
    }

    // ---- kiln simulate -----------------------------------------------------------------------------

    private void simulatePhase(Map<String, Object> fig) {
        ScoringFigures.Phase p = new ScoringFigures.Phase("kiln simulate: " + String.format("%,d", simulateEvents) + " generated events through the seed Canvas", fig);
        ScoringDefinitions defs = opened(ScoringDefinitions.write(examples, "1d"));
        try {
            fig.putAll(ScoringSimulate.run(simulateEvents, defs.dir(), seed));
        } finally {
            close(defs);
        }
        p.end();
    }

    // ---- output ------------------------------------------------------------------------------------

    private void printHeader() {
        System.out.println("Kiln scoring benchmark — figures beside the targets, nothing asserted");
        System.out.printf("machine: %d cores, %s %s, max heap %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Heap.mb(Heap.maxBytes()),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("server and load generator share this JVM and these cores (the server runs in-process)");
        System.out.println("load average before the run: " + IngestCommand.loadAverage() + " (other work on the machine skews every figure; see 'other processes' below)");
        System.out.printf("settings: store=%s leads=%,d duration=%ds warmup=%ds concurrency=%d mix=%s window=%s timer-leads=%,d waiting=%,d active-leads=%,d simulate-events=%,d lanes=%d seed=%d%s%n",
                store, leads, duration, warmup, concurrency, mix, window == null ? "auto" : window + "s", timerLeads != null ? timerLeads : leads,
                waiting, activeLeads, simulateEvents, lanes, seed, quick ? " (--quick)" : "");
        System.out.println("seed Canvas: " + examples.resolve(ScoringDefinitions.CANVAS_FILE).toAbsolutePath());
        System.out.println("latency: a 201 from /users/track comes after the commit holding the events and the Canvas's follow-ups (new score, re-entry, new timer), "
                + "so request -> 201 is event -> new score committed");
    }

    private Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", store.name());
        m.put("leads", leads);
        m.put("duration_s", duration);
        m.put("warmup_s", warmup);
        m.put("concurrency", concurrency);
        m.put("mix_session_webinar_demo_unsubscribe", mix);
        m.put("window_s", window);
        m.put("timer_leads", timerLeads != null ? timerLeads : leads);
        m.put("waiting", waiting);
        m.put("active_leads", activeLeads);
        m.put("simulate_events", simulateEvents);
        m.put("lanes", lanes);
        m.put("seed", seed);
        m.put("quick", quick);
        return m;
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("max_heap_bytes", Heap.maxBytes());
        m.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("load_average_at_start", IngestCommand.loadAverage());
        return m;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> printSummary(Map<String, Object> phases) {
        Map<String, Object> s = new LinkedHashMap<>();
        System.out.println();
        System.out.println("=== summary: the targets of issue 3 beside the figures (not asserted) ===");
        Map<String, Object> load = (Map<String, Object>) phases.get("leads_and_load");
        Map<String, Object> p2 = load == null ? null : (Map<String, Object>) load.get("phase2_load");
        if (p2 != null && p2.get("full_load") instanceof Map<?, ?> full) {
            double v = num(full.get("sustained_events_per_second"));
            double t = num(full.get("canvas_transitions_per_second"));
            line("events/s end to end (" + store + ")", String.format("%,.0f /s sustained (%,.0f accepted, %,.0f Canvas transitions/s)",
                            v, num(full.get("accepted_events_per_second")), t),
                    String.format("≥ %,.0f /s", TARGET_EVENTS_PER_SECOND), v >= TARGET_EVENTS_PER_SECOND, otherCores(full));
            s.put("events_per_second", v);
            s.put("accepted_events_per_second", num(full.get("accepted_events_per_second")));
            s.put("canvas_transitions_per_second", t);
        }
        if (p2 != null && p2.get("half_load") instanceof Map<?, ?> half) {
            double v = num(((Map<String, Object>) half.get("latency_from_schedule_us")).get("p99")) / 1000;
            line("p99 event -> new score committed, half load", String.format("%.2f ms", v), String.format("< %.0f ms", TARGET_HALF_LOAD_P99_MS),
                    v < TARGET_HALF_LOAD_P99_MS, otherCores(half));
            s.put("half_load_p99_ms", v);
        }
        Map<String, Object> timers = (Map<String, Object>) phases.get("timers");
        if (timers != null && timers.containsKey("timers_per_second")) {
            double v = num(timers.get("timers_per_second"));
            line("timers fired/s (" + String.format("%,.0f", num(timers.get("leads"))) + " due at once)", String.format("%,.0f /s", v),
                    String.format("≥ %,.0f /s", TARGET_TIMERS_PER_SECOND), v >= TARGET_TIMERS_PER_SECOND, otherCores(timers));
            s.put("timers_per_second", v);
        }
        Map<String, Object> pending = (Map<String, Object>) phases.get("pending_timers");
        if (pending != null && pending.containsKey("drop_percent")) {
            double v = num(pending.get("drop_percent"));
            line("ingest drop with " + String.format("%,d", waiting) + " waiting", String.format("%.1f %%", v),
                    String.format("≤ %.0f %% (1M waiting)", TARGET_DROP_PERCENT), v <= TARGET_DROP_PERCENT,
                    Math.max(otherCores((Map<?, ?>) pending.get("few_waiting")), otherCores((Map<?, ?>) pending.get("many_waiting"))));
            s.put("ingest_drop_percent", v);
        }
        Map<String, Object> sim = (Map<String, Object>) phases.get("simulate");
        if (sim != null && sim.containsKey("projected_seconds_for_10M")) {
            double v = num(sim.get("projected_seconds_for_10M"));
            line("kiln simulate, 10M events (projected)", String.format("%.1f s (%,.0f events/s)", v, num(sim.get("events_per_second"))),
                    "< 60 s", v < ScoringSimulate.TARGET_SECONDS, otherCores(sim));
            s.put("simulate_projected_seconds_for_10M", v);
        }
        for (var e : phases.entrySet())
            if (e.getValue() instanceof Map<?, ?> m && m.containsKey("error")) System.out.printf("  %s: FAILED (%s)%n", e.getKey(), m.get("error"));
        System.out.println("others = cores used by other processes during that measurement; the load generator shares the server's JVM and cores");
        return s;
    }

    private static void line(String what, String measured, String target, boolean met, double others) {
        System.out.printf("  %-48s %-36s target %-22s %-8s others %.2f cores%n", what, measured, target, ScoringFigures.verdict(met), others);
    }

    @SuppressWarnings("unchecked")
    private static double otherCores(Map<?, ?> fig) {
        if (fig == null || !(fig.get("cpu") instanceof Map<?, ?> cpu)) return Double.NaN;
        return num(((Map<String, Object>) cpu).get("other_processes_cores_busy"));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
