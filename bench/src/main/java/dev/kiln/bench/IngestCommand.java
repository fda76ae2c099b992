package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import org.HdrHistogram.Histogram;
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
 * The ingest benchmark (issue 2, item 11). For each store: start the real Kiln server in this JVM on a
 * free port, create N leads, drive {@code /users/track} over HTTP at full speed and then at half that
 * rate, read the commit figures from {@code /metrics}, stop the server, and run the direct-SQL baseline
 * on the same store. Prints figures; asserts nothing.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ingest benchmark: Kiln's /users/track over real HTTP vs a direct-SQL scorer, on SQLite and PostgreSQL.",
                "Starts the real Kiln server in this JVM (KilnServer.start, port 0, 127.0.0.1 as client target), "
                        + "with a fresh temporary SQLite file or a fresh PostgreSQL schema, removed at the end."})
final class IngestCommand implements Callable<Integer> {
    enum StoreChoice { sqlite, postgres, both }

    @Option(names = "--store", defaultValue = "both", description = "sqlite, postgres or both. Default: ${DEFAULT-VALUE}")
    StoreChoice store;

    @Option(names = "--leads", defaultValue = "100000", description = "Synthetic leads created before the load. Default: ${DEFAULT-VALUE}")
    int leads;

    @Option(names = "--duration", defaultValue = "60", description = "Seconds of measured load (full speed, then the same at half rate). Default: ${DEFAULT-VALUE}")
    int duration;

    @Option(names = "--warmup", defaultValue = "10", description = "Seconds of unmeasured load first. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "32", description = "Requests in flight at most. Default: ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = "--rate", defaultValue = "0", description = "Target objects (events)/s of the main run; 0 = as fast as possible. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--mix", defaultValue = "0.5", description = "Share of attributes objects: 0.5 = 75 attributes (inc on \"lead score\") + 75 events = 150 objects per request; 1 = 75 attributes only; 0 = 75 events only. Default: ${DEFAULT-VALUE}")
    double mix;

    @Option(names = "--lanes", defaultValue = "2", description = "Runtime lanes of the server. Default: ${DEFAULT-VALUE}")
    int lanes;

    @Option(names = "--half-load-duration", description = "Seconds of the half-rate run. Default: --duration")
    Integer halfDuration;

    @Option(names = "--baseline-duration", description = "Seconds of the measured SQL baseline. Default: --duration")
    Integer baselineDuration;

    @Option(names = "--baseline-pool", description = "Baseline pool size (= threads). Default: 1 for SQLite (one writer), 8 for PostgreSQL")
    Integer baselinePool;

    @Option(names = "--export-requests", defaultValue = "2000", description = "Single-profile export reads measured after loading (0 = skip). Default: ${DEFAULT-VALUE}")
    int exportRequests;

    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "PostgreSQL database in which a fresh schema is created and dropped. Default: ${DEFAULT-VALUE}")
    String pgUrl;

    @Option(names = "--sqlite-params", description = "Tuning experiments: SQLite pragmas appended to Kiln's store URL, e.g. wal_autocheckpoint=20000 (the baseline is not affected)")
    String sqliteParams;

    @Option(names = "--definitions", description = "Definitions directory for the server (none by default: pure ingest)")
    Path definitions;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the workload. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--heap-sample-seconds", defaultValue = "10", description = "Heap sampling period during the measured run. Default: ${DEFAULT-VALUE}")
    int heapSampleSeconds;

    @Option(names = "--out", description = "Also write the figures as JSON to this file")
    Path out;

    @Option(names = "--same-jvm", description = "With --store both: run both stores in this JVM instead of one fresh JVM each"
            + " (the second store's heap then includes the first, stopped server, which Helidon's idle timer keeps reachable)")
    boolean sameJvm;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        Workload workload = Workload.of(mix, leads);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("machine", machine());
        report.put("settings", settings(workload));
        printHeader(workload);
        Heap.listen();

        List<StoreChoice> stores = store == StoreChoice.both ? List.of(StoreChoice.sqlite, StoreChoice.postgres) : List.of(store);
        Map<String, Object> results = new LinkedHashMap<>();
        report.put("stores", results);
        int failures = 0;
        if (stores.size() > 1 && !sameJvm) {
            System.out.println("each store runs in its own fresh JVM (--same-jvm to run them in this one)");
            results.putAll(PerStoreJvm.run(stores.stream().map(Enum::name).toList(), spec.commandLine().getParseResult().originalArgs()));
            for (Object r : results.values()) if (r instanceof Map<?, ?> m && m.containsKey("error")) failures++;
            stores = List.of();
        }
        for (StoreChoice s : stores) {
            try {
                results.put(s.name(), runStore(s, workload));
            } catch (RuntimeException e) {
                failures++;
                System.out.println("!! " + s + " run failed: " + e);
                e.printStackTrace(System.out);
                results.put(s.name(), Json.obj("error", String.valueOf(e)));
            }
        }
        printSummary(results);
        if (out != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
            if (!Boolean.getBoolean(PerStoreJvm.CHILD)) System.out.println("figures written to " + out.toAbsolutePath());
        }
        return failures == 0 ? 0 : 1;
    }

    private void validate() {
        if (leads < 1) throw new IllegalArgumentException("--leads must be ≥ 1");
        if (duration < 1 || warmup < 0) throw new IllegalArgumentException("--duration must be ≥ 1 and --warmup ≥ 0");
        if (concurrency < 1 || concurrency > 4096) throw new IllegalArgumentException("--concurrency must be 1..4096");
        if (rate < 0) throw new IllegalArgumentException("--rate must be ≥ 0");
        if (heapSampleSeconds < 1) throw new IllegalArgumentException("--heap-sample-seconds must be ≥ 1");
        if (!pgUrl.startsWith("jdbc:postgresql://127.0.0.1") && !pgUrl.startsWith("jdbc:postgresql://localhost"))
            throw new IllegalArgumentException("--pg-url must point at 127.0.0.1 or localhost: the benchmark creates and drops schemas");
    }

    // ---- one store --------------------------------------------------------------------------------

    private Map<String, Object> runStore(StoreChoice which, Workload workload) {
        Target target = which == StoreChoice.sqlite ? Target.Sqlite.create(sqliteParams) : Target.Postgres.create(pgUrl);
        Map<String, Object> fig = new LinkedHashMap<>();
        KilnServer[] server = new KilnServer[1];
        // Ctrl-C: stop the server and remove the temporary store all the same.
        Thread cleanup = new Thread(() -> {
            if (server[0] != null) server[0].close();
            target.close();
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            System.out.println();
            System.out.println("=== " + which + " ===");
            System.out.println("store: " + target.describe());
            fig.put("store", target.describe());
            runKiln(target, workload, fig, server);
            runBaseline(target, fig);
        } finally {
            if (server[0] != null) server[0].close();
            target.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        return fig;
    }

    private void runKiln(Target target, Workload workload, Map<String, Object> fig, KilnServer[] holder) {
        String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        ServerConfig config = ServerConfig.of(0, target.jdbcUrl(), definitions)
                .withAdminKey(key)
                .withRateLimit(1_000_000_000, Duration.ofSeconds(1))   // far above anything this machine sends
                .withLanes(lanes);
        long t0 = System.nanoTime();
        KilnServer server = KilnServer.start(config);
        holder[0] = server;
        URI base = URI.create("http://127.0.0.1:" + server.port());
        System.out.printf("server: Kiln started in-process (KilnServer.start) on port 0 -> %d in %.1f s; %d lanes; rate limit 1e9 requests/s (not throttling); load over real HTTP/1.1 to %s%n",
                server.port(), (System.nanoTime() - t0) / 1e9, lanes, base);
        fig.put("server", Json.obj("in_process", true, "port", server.port(), "lanes", lanes, "url", base.toString()));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (http) {
            TrackLoad load = new TrackLoad(http, base, key);

            // 1. Leads.
            CpuSplit leadCpu = new CpuSplit();
            TrackLoad.Created created = load.createLeads(leads, concurrency);
            CpuSplit.Split leadSplit = leadCpu.finish();
            long users = server.store().countUsers();
            System.out.printf("leads: %,d created in %.1f s (%,.0f profiles/s, 75 per request, %d in flight); %d failed requests; store counts %,d profiles; other processes %.2f cores%n",
                    leads, created.seconds(), leads / created.seconds(), concurrency, created.failed(), users, leadSplit.otherCores());
            created.errorSamples().forEach(s -> System.out.println("  ! " + s));
            fig.put("leads", Json.obj("count", leads, "seconds", created.seconds(), "profiles_per_second", leads / created.seconds(),
                    "failed_requests", created.failed(), "profiles_in_store", users));

            // 2. Reads by id with the profiles on disk.
            if (exportRequests > 0) {
                ExportProbe.Result p = ExportProbe.run(http, load, server.runtime(), leads, exportRequests, seed + 1);
                long heap = Heap.afterForcedGc();
                System.out.printf("export by id (%,d profiles, %,d random ids, one at a time):%n", users, p.requests());
                System.out.printf("  POST /users/export/ids round trip: p50 %s  p99 %s  max %s  (misses %d)%n",
                        us(p.http(), 50), us(p.http(), 99), us(p.http(), 100), p.httpMisses());
                System.out.printf("  runtime().find(ExternalId) in-process: p50 %s  p99 %s  max %s  (misses %d)%n",
                        us(p.find(), 50), us(p.find(), 99), us(p.find(), 100), p.findMisses());
                System.out.printf("  heap after GC: %s (max heap %s); store on disk: %s%n", Heap.mb(heap), Heap.mb(Heap.maxBytes()), Heap.mb(target.sizeBytes()));
                fig.put("export_by_id", Json.obj("profiles", users, "requests", p.requests(),
                        "http_round_trip_us", percentiles(p.http(), 1000.0), "find_in_process_us", percentiles(p.find(), 1000.0),
                        "http_misses", p.httpMisses(), "find_misses", p.findMisses(),
                        "heap_after_gc_bytes", heap, "store_bytes", target.sizeBytes()));
            }

            // 3. Full speed.
            long heapStart = Heap.afterForcedGc();
            System.out.printf("heap after forced GC before the load: %s (max heap %s)%n", Heap.mb(heapStart), Heap.mb(Heap.maxBytes()));
            System.out.println("workload: " + workload);
            if (warmup > 0) {
                TrackLoad.Result w = load.run(workload, Duration.ofSeconds(warmup), concurrency, rate, seed + 2);
                System.out.printf("warm-up: %d s, %,.0f objects/s accepted (not counted)%n", warmup, w.objectsPerSecond());
            }
            String mode = rate > 0 ? String.format("paced at %,.0f objects/s", rate) : "as fast as possible";
            Measured full = measure(load, workload, Duration.ofSeconds(duration), rate, seed + 3);
            print("full load (" + mode + ", " + concurrency + " in flight, " + duration + " s)", full, rate > 0);
            fig.put("full_load", full.json(mode));

            // Between the runs, outside their measured windows: the exact live heap.
            long heapMid = Heap.afterForcedGc();
            System.out.printf("heap after forced GC between the runs: %s%n", Heap.mb(heapMid));

            // 4. Half of what was accepted.
            double half = full.load.objectsPerSecond() / 2;
            int halfSeconds = halfDuration != null ? halfDuration : duration;
            if (half > 0 && halfSeconds > 0) {
                Measured halfRun = measure(load, workload, Duration.ofSeconds(halfSeconds), half, seed + 4);
                print(String.format("half load (paced at %,.0f objects/s = %,.1f requests/s, %d s)", half, half / workload.objectsPerRequest(), halfSeconds), halfRun, true);
                fig.put("half_load", halfRun.json(String.format("paced at %.0f objects/s", half)));
            } else {
                System.out.println("half load: skipped (nothing accepted at full load, or --half-load-duration 0)");
            }

            long heapEnd = Heap.afterForcedGc();
            long usersEnd = server.store().countUsers();
            System.out.printf("heap after forced GC at the end (server still up, caches full): %s (before the load %s, between the runs %s); profiles %,d; store on disk %s%n",
                    Heap.mb(heapEnd), Heap.mb(heapStart), Heap.mb(heapMid), usersEnd, Heap.mb(target.sizeBytes()));
            fig.put("heap", Json.obj("after_gc_start_bytes", heapStart, "after_gc_between_runs_bytes", heapMid,
                    "after_gc_end_bytes", heapEnd, "max_bytes", Heap.maxBytes()));
            fig.put("profiles_at_end", usersEnd);
        } finally {
            long d0 = System.nanoTime();
            server.close();
            holder[0] = null;
            System.out.printf("server closed (drained) in %.2f s%n", (System.nanoTime() - d0) / 1e9);
        }
    }

    /** One load run with the server's counters read before and after, heap sampled and CPU split. */
    private Measured measure(TrackLoad load, Workload workload, Duration d, double objectsPerSecond, long runSeed) {
        Scrape before = load.scrape();
        CpuSplit cpu = new CpuSplit();
        TrackLoad.Result r;
        List<Heap.Sampler.Sample> heap;
        try (Heap.Sampler sampler = new Heap.Sampler(heapSampleSeconds * 1000L)) {
            r = load.run(workload, d, concurrency, objectsPerSecond, runSeed);
            heap = sampler.samples();
        }
        CpuSplit.Split split = cpu.finish();
        Scrape after = load.scrape();
        return new Measured(r, before, after, heap, split);
    }

    private record Measured(TrackLoad.Result load, Scrape before, Scrape after, List<Heap.Sampler.Sample> heap, CpuSplit.Split cpu) {
        double delta(String name, String... kv) { return after.sum(name, kv) - before.sum(name, kv); }
        double committedOps() { return delta("kiln_commit_batch_ops_sum"); }
        double commits() { return delta("kiln_commit_batch_ops_count"); }
        double committedPerSecond() { return committedOps() / load.seconds(); }
        double commitsPerSecond() { return commits() / load.seconds(); }
        double meanBatch() { return commits() > 0 ? committedOps() / commits() : 0; }
        double meanCommitMillis() {
            double n = delta("kiln_commit_latency_seconds_count");
            return n > 0 ? 1000 * delta("kiln_commit_latency_seconds_sum") / n : Double.NaN;
        }
        double serverP99Millis(String histogram) { return 1000 * Scrape.quantileBetween(before, after, histogram, 0.99); }
        double serverP50Millis(String histogram) { return 1000 * Scrape.quantileBetween(before, after, histogram, 0.50); }
        Map<String, Double> http() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String status : List.of("201", "400", "401", "413", "429", "500", "503")) {
                double v = delta("kiln_http_requests_total", "route", "/users/track", "status", status);
                if (v != 0) m.put(status, v);
            }
            return m;
        }

        Map<String, Object> json(String mode) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", mode);
            m.put("seconds", load.seconds());
            m.put("requests_sent", load.sent());
            m.put("requests_201", load.ok());
            m.put("accepted_objects_per_second", load.objectsPerSecond());
            m.put("committed_objects_per_second", committedPerSecond());
            m.put("committed_objects", committedOps());
            m.put("rejected_ops", delta("kiln_ingest_ops_total", "outcome", "rejected"));
            m.put("commit_failures", delta("kiln_commit_failures_total"));
            m.put("commits_per_second", commitsPerSecond());
            m.put("mean_ops_per_commit", meanBatch());
            m.put("mean_commit_ms", meanCommitMillis());
            m.put("server_submit_to_commit_p50_ms_bucket", serverP50Millis("kiln_submit_to_commit_seconds"));
            m.put("server_submit_to_commit_p99_ms_bucket", serverP99Millis("kiln_submit_to_commit_seconds"));
            m.put("latency_request_to_201_us", percentiles(load.service(), 1.0));
            m.put("latency_from_schedule_us", percentiles(load.fromSchedule(), 1.0));
            m.put("non_201", load.statuses());
            m.put("client_failures", load.failures());
            m.put("partial_201", load.partial());
            m.put("server_http_status_counts", http());
            List<Map<String, Object>> h = new ArrayList<>();
            for (var s : heap) h.add(Json.obj("at_s", s.atSeconds(), "min_after_gc_bytes", s.minAfterGc(), "after_last_gc_bytes", s.afterLastGc(), "used_bytes", s.usedNow()));
            m.put("heap_samples", h);
            m.put("cpu", CpuSplit.json(cpu));
            return m;
        }
    }

    private static void print(String title, Measured m, boolean paced) {
        TrackLoad.Result r = m.load();
        System.out.println(title + ":");
        System.out.printf("  accepted  %,10.0f objects/s  (%,d requests answered 201 x %d objects in %.1f s; %,.0f requests/s)%n",
                r.objectsPerSecond(), r.ok(), r.ok() == 0 ? 0 : r.objectsOk() / r.ok(), r.seconds(), r.requestsPerSecond());
        System.out.printf("  committed %,10.0f objects/s  (server: %,.0f ops committed, %,.0f rejected, %,.0f commit failures)%n",
                m.committedPerSecond(), m.committedOps(), m.delta("kiln_ingest_ops_total", "outcome", "rejected"), m.delta("kiln_commit_failures_total"));
        System.out.printf("  commits   %,10.1f /s, mean %,.0f ops per commit, mean commit %.2f ms; server submit->commit p50 <= %.1f ms, p99 <= %.1f ms (bucket bounds)%n",
                m.commitsPerSecond(), m.meanBatch(), m.meanCommitMillis(), m.serverP50Millis("kiln_submit_to_commit_seconds"), m.serverP99Millis("kiln_submit_to_commit_seconds"));
        System.out.printf("  latency request -> 201: p50 %s  p95 %s  p99 %s  max %s%n",
                ms(r.service(), 50), ms(r.service(), 95), ms(r.service(), 99), ms(r.service(), 100));
        if (paced)
            System.out.printf("  latency from scheduled send -> 201 (includes waiting for a free slot): p50 %s  p95 %s  p99 %s  max %s%n",
                    ms(r.fromSchedule(), 50), ms(r.fromSchedule(), 95), ms(r.fromSchedule(), 99), ms(r.fromSchedule(), 100));
        if (!r.statuses().isEmpty() || !r.failures().isEmpty() || r.partial() > 0)
            System.out.printf("  ! problems: non-201 %s, no answer %s, 201 with errors %d%n", r.statuses(), r.failures(), r.partial());
        r.errorSamples().forEach(s -> System.out.println("    e.g. " + s));
        StringBuilder h = new StringBuilder();
        for (var s : m.heap()) h.append(String.format(" %.0fs:%s", s.atSeconds(), Heap.mb(s.minAfterGc()).replace(" MB", "")));
        System.out.printf("  heap after the JVM's own GCs, lowest per period (MB; young GCs leave old garbage until G1's next concurrent cycle, so this is an upper bound):%s%n", h.length() == 0 ? " (run shorter than one period)" : h);
        CpuSplit.Split c = m.cpu();
        StringBuilder cs = new StringBuilder();
        for (CpuSplit.Line l : c.lines()) if (l.share() >= 0.01) cs.append(String.format(" %s %.0f%%;", l.group(), 100 * l.share()));
        System.out.printf("  CPU: this process %.2f of %d cores, other processes (PostgreSQL included) %.2f cores; by thread:%s%n",
                c.coresBusy(), Runtime.getRuntime().availableProcessors(), c.otherCores(), cs);
    }

    // ---- baseline ---------------------------------------------------------------------------------

    private void runBaseline(Target target, Map<String, Object> fig) {
        int pool = baselinePool != null ? baselinePool : target instanceof Target.Sqlite ? 1 : 8;
        int seconds = baselineDuration != null ? baselineDuration : duration;
        int warm = Math.min(warmup, 5);
        System.out.printf("direct SQL baseline: UPDATE baseline_scores SET score = score + ? WHERE user_id = ? — one auto-commit statement per event, HikariCP pool of %d (= threads), %,d rows, %d s warm-up + %d s%n",
                pool, leads, warm, seconds);
        CpuSplit cpu = new CpuSplit();
        SqlBaseline.Result b = SqlBaseline.run(target, leads, pool, Duration.ofSeconds(warm), Duration.ofSeconds(seconds), seed + 5);
        CpuSplit.Split split = cpu.finish();
        System.out.printf("  baseline  %,10.0f events/s  (%,d updates in %.1f s; table filled in %.1f s); update latency p50 %s  p99 %s  max %s%n",
                b.eventsPerSecond(), b.events(), b.seconds(), b.fillSeconds(), ms(b.latency(), 50), ms(b.latency(), 99), ms(b.latency(), 100));
        System.out.printf("  check: sum(score) = %,d, expected %,d: %s; CPU: this process %.2f cores, other processes (PostgreSQL included) %.2f cores%n",
                b.actualSum(), b.expectedSum(), b.verified() ? "ok" : "MISMATCH", split.coresBusy(), split.otherCores());
        if (!b.errors().isEmpty()) System.out.println("  ! errors: " + b.errors());
        @SuppressWarnings("unchecked")
        Map<String, Object> full = (Map<String, Object>) fig.get("full_load");
        double kiln = full == null ? Double.NaN : num(full.get("committed_objects_per_second"));
        double ratio = kiln / b.eventsPerSecond();
        System.out.printf("  ratio Kiln committed / baseline: %.1fx%n", ratio);
        fig.put("baseline", Json.obj("pool_size", pool, "seconds", b.seconds(), "events", b.events(), "events_per_second", b.eventsPerSecond(),
                "update_latency_us", percentiles(b.latency(), 1.0), "sum_verified", b.verified(), "errors", b.errors(),
                "fill_seconds", b.fillSeconds(), "cpu", CpuSplit.json(split)));
        fig.put("ratio_kiln_to_baseline", ratio);
    }

    // ---- output -----------------------------------------------------------------------------------

    private void printHeader(Workload workload) {
        System.out.println("Kiln ingest benchmark — figures only, nothing asserted");
        System.out.printf("machine: %d cores, %s %s, max heap %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Heap.mb(Heap.maxBytes()),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("server and load generator share this JVM and these cores (the server runs in-process)");
        System.out.println("load average before the run: " + loadAverage() + " (other work on the machine skews every figure; see 'other processes' below)");
        System.out.printf("settings: store=%s leads=%,d warmup=%ds duration=%ds concurrency=%d rate=%s mix=%.2f lanes=%d seed=%d%n",
                store, leads, warmup, duration, concurrency, rate > 0 ? String.format("%,.0f objects/s", rate) : "max", mix, lanes, seed);
        System.out.println("workload: " + workload);
        System.out.println("units: an object = one attributes object or one event; 'events/s' below counts objects");
    }

    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private Map<String, Object> settings(Workload workload) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", store.name());
        m.put("leads", leads);
        m.put("warmup_s", warmup);
        m.put("duration_s", duration);
        m.put("concurrency", concurrency);
        m.put("rate", rate);
        m.put("mix", mix);
        m.put("attributes_per_request", workload.attributes());
        m.put("events_per_request", workload.events());
        m.put("lanes", lanes);
        m.put("seed", seed);
        return m;
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("max_heap_bytes", Heap.maxBytes());
        m.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("load_average_at_start", loadAverage());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void printSummary(Map<String, Object> results) {
        System.out.println();
        System.out.println("=== summary ===");
        System.out.printf("%-9s %14s %14s %9s %10s %9s %9s %9s %12s %12s %8s %12s %12s %7s%n", "store", "accepted/s", "committed/s",
                "commits/s", "ops/commit", "p50 ms", "p99 ms", "max ms", "half p99 ms", "baseline/s", "ratio", "heap start", "heap end", "others");
        for (var e : results.entrySet()) {
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            if (!f.containsKey("full_load")) {
                System.out.printf("%-9s %s%n", e.getKey(), f.getOrDefault("error", "incomplete"));
                continue;
            }
            Map<String, Object> full = (Map<String, Object>) f.get("full_load");
            Map<String, Object> half = (Map<String, Object>) f.get("half_load");
            Map<String, Object> lat = (Map<String, Object>) full.get("latency_request_to_201_us");
            Map<String, Object> halfLat = half == null ? Json.obj("p99", Double.NaN) : (Map<String, Object>) half.get("latency_from_schedule_us");
            Map<String, Object> base = (Map<String, Object>) f.get("baseline");
            Map<String, Object> heap = (Map<String, Object>) f.get("heap");
            System.out.printf("%-9s %,14.0f %,14.0f %9.1f %10.0f %9.2f %9.2f %9.2f %12.2f %,12.0f %7.1fx %12s %12s %7.2f%n", e.getKey(),
                    num(full.get("accepted_objects_per_second")), num(full.get("committed_objects_per_second")),
                    num(full.get("commits_per_second")), num(full.get("mean_ops_per_commit")),
                    num(lat.get("p50")) / 1000, num(lat.get("p99")) / 1000,
                    num(lat.get("max")) / 1000, num(halfLat.get("p99")) / 1000,
                    base == null ? Double.NaN : num(base.get("events_per_second")),
                    num(f.get("ratio_kiln_to_baseline")),
                    Heap.mb((long) num(heap.get("after_gc_start_bytes"))), Heap.mb((long) num(heap.get("after_gc_end_bytes"))),
                    num(((Map<String, Object>) full.get("cpu")).get("other_processes_cores_busy")));
        }
        System.out.println("latencies: request -> 201 of the full-load run; half p99 from the scheduled send; others = cores used by other processes during the full-load run (for postgres: mostly PostgreSQL itself)");
        System.out.println("targets (issue 2): >= 150,000 committed/s on SQLite; >= 3x baseline; heap flat; half-load p99 < 25 ms; export by id < 1 ms at 1M profiles");
    }

    /** A figure read back from JSON (Integer, Long or Double), NaN when absent. */
    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Percentiles of a histogram, values divided by {@code divisor} (1000 turns ns into µs). */
    private static Map<String, Object> percentiles(Histogram h, double divisor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        for (double p : new double[]{50, 95, 99, 99.9}) m.put("p" + (p == Math.floor(p) ? String.valueOf((int) p) : String.valueOf(p)), h.getValueAtPercentile(p) / divisor);
        m.put("max", h.getMaxValue() / divisor);
        m.put("mean", h.getMean() / divisor);
        return m;
    }

    /** Microsecond histogram, printed in ms. */
    private static String ms(Histogram h, double p) {
        if (h.getTotalCount() == 0) return "n/a";
        long v = p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p);
        return String.format("%.2f ms", v / 1000.0);
    }

    /** Nanosecond histogram, printed in µs or ms. */
    private static String us(Histogram h, double p) {
        if (h.getTotalCount() == 0) return "n/a";
        long v = p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p);
        return v < 1_000_000 ? String.format("%.0f µs", v / 1000.0) : String.format("%.2f ms", v / 1e6);
    }
}
