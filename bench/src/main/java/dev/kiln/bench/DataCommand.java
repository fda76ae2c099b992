package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.definitions.CurrentsConnector;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The data-in-and-out benchmark: CDI rows/s from a PostgreSQL table into profiles with the seed Canvas active,
 * Currents events/s from a backlog in the event log to gzip JSON files and to PostgreSQL, and the Currents lag
 * under a paced ingest. Each part starts the real Kiln server in this JVM ({@code KilnServer.start}, port 0) on a
 * fresh store and drives it over real HTTP; everything it creates (stores, tables, directories) is removed at the
 * end. Prints figures beside the targets; asserts nothing.
 */
@Command(name = "data", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Data in and out: CDI rows/s from a PostgreSQL table into profiles (seed Canvas active), Currents events/s "
                + "to gzip JSON files and to PostgreSQL (a backlog of --events exported from the event log), and the Currents lag "
                + "under a paced ingest. Prints figures beside the targets; asserts nothing.",
                "Starts the real Kiln server in this JVM (KilnServer.start, port 0) on a fresh temporary SQLite file (or PostgreSQL "
                        + "schema) per part; the CDI source table, the jdbc sink's table and every temporary directory are removed at the end."})
final class DataCommand implements Callable<Integer> {
    static final double TARGET_CDI_ROWS_PER_SECOND = 50_000;
    static final double TARGET_FILES_EVENTS_PER_SECOND = 100_000;
    static final double TARGET_JDBC_EVENTS_PER_SECOND = 30_000;
    static final double TARGET_INGEST_RATE = 50_000;
    /** The lag is bounded when its maximum in the last third of the ingest is at most this times the first third's (or one file's worth). */
    static final double BOUND_FACTOR = 2;
    static final Set<String> PARTS = Set.of("cdi", "files", "jdbc", "lag");

    @Option(names = "--cdi-rows", defaultValue = "200000", description = "Rows of the CDI source table (the second sync adds as many). Default: ${DEFAULT-VALUE}")
    long cdiRows;

    @Option(names = "--leads", defaultValue = "100000", description = "Distinct leads of the CDI rows and of the ingested events. Default: ${DEFAULT-VALUE}")
    int leads;

    @Option(names = "--cdi-spacing-ms", defaultValue = "1000",
            description = "UPDATED_AT step between consecutive rows, ms (1000: 3,600 rows per hour of the default 1 h overlap window). Default: ${DEFAULT-VALUE}")
    long cdiSpacingMillis;

    @Option(names = "--cdi-batch", description = "The integration's batch_size (rows per commit). Default: Kiln's (1000)")
    Integer cdiBatch;

    @Option(names = "--cdi-second", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Also a second sync of --cdi-rows new rows updating the same leads (--no-cdi-second skips it). Default: ${DEFAULT-VALUE}")
    boolean cdiSecond;

    @Option(names = "--events", defaultValue = "1000000", description = "Custom events in the backlog exported by the files and jdbc connectors. Default: ${DEFAULT-VALUE}")
    long events;

    @Option(names = "--ingest-rate", defaultValue = "50000", description = "Events/s of the paced ingest of the lag part. Default: ${DEFAULT-VALUE}")
    double ingestRate;

    @Option(names = "--duration", defaultValue = "60", description = "Seconds of the paced ingest of the lag part. Default: ${DEFAULT-VALUE}")
    int duration;

    @Option(names = "--drain-seconds", defaultValue = "60",
            description = "After the lag part's ingest, how long to wait for the lag to fall below one file (roll_events). Default: ${DEFAULT-VALUE}")
    int drainSeconds;

    @Option(names = "--roll-seconds", description = "roll_seconds of the files connectors. Default: Kiln's (" + CurrentsConnector.Sink.DEFAULT_ROLL_SECONDS + ")")
    Integer rollSeconds;

    @Option(names = "--roll-events", description = "roll_events of the files connectors. Default: Kiln's (" + CurrentsConnector.Sink.DEFAULT_ROLL_EVENTS + ")")
    Integer rollEvents;

    @Option(names = "--skip", split = ",", description = "Parts to skip: cdi, files, jdbc, lag (comma-separated)")
    List<String> skip = new ArrayList<>();

    @Option(names = "--concurrency", defaultValue = "32", description = "/users/track requests in flight at most. Default: ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = "--store", defaultValue = "sqlite", description = "Kiln's store: sqlite or postgres. Default: ${DEFAULT-VALUE}")
    ScoringCommand.StoreChoice store;

    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "Local PostgreSQL holding the CDI source table and the jdbc sink's table (and, with --store postgres, Kiln's schema). Default: ${DEFAULT-VALUE}")
    String pgUrl;

    @Option(names = "--lanes", defaultValue = "2", description = "Runtime lanes of the server. Default: ${DEFAULT-VALUE}")
    int lanes;

    @Option(names = "--verify-sample", defaultValue = "1000", description = "Profiles read back after each CDI sync. Default: ${DEFAULT-VALUE}")
    int verifySample;

    @Option(names = "--sample-ms", defaultValue = "250", description = "Sampling period of GET /currents while a backlog is exported. Default: ${DEFAULT-VALUE}")
    int sampleMillis;

    @Option(names = "--stall-seconds", defaultValue = "60", description = "Give up waiting when nothing moved for this long. Default: ${DEFAULT-VALUE}")
    int stallSeconds;

    @Option(names = "--examples", description = "The repository's examples directory (seed Canvas). Default: found above the working directory")
    Path examplesOption;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of rows and events. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--quick", description = "Smoke run: --cdi-rows 5000 --leads 2000 --events 30000 --duration 10 --drain-seconds 30 --verify-sample 200 "
            + "(options given explicitly win)")
    boolean quick;

    @Option(names = "--out", description = "Also write the figures as JSON to this file")
    Path out;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final BenchResources resources = new BenchResources();
    private HttpClient http;
    private String key;
    private Path examples;
    private Set<String> skipped;
    /** The store holding the Currents backlog, shared by the files and jdbc parts. */
    private Backlog backlog;

    @Override
    public Integer call() throws Exception {
        applyQuick();
        validate();
        key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        if (!skipped.contains("cdi")) examples = ScoringDefinitions.locateExamples(examplesOption);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("machine", machine());
        report.put("settings", settings());
        printHeader();
        Thread cleanup = new Thread(this::closeAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Map<String, Object> phases = new LinkedHashMap<>();
        report.put("phases", phases);
        int failures = 0;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()) {
            http = client;
            if (!skipped.contains("cdi")) failures += ScoringFigures.part(phases, "cdi", "CDI: rows/s from a PostgreSQL table into profiles, seed Canvas active", this::cdiPhase);
            if (!skipped.contains("files") || !skipped.contains("jdbc"))
                failures += ScoringFigures.part(phases, "currents_backlog", "Currents backlog: " + String.format("%,d", events) + " custom events ingested with Currents off",
                        this::backlogPhase);
            if (backlog != null && !skipped.contains("files"))
                failures += ScoringFigures.part(phases, "currents_files", "Currents to gzip JSON files: the backlog exported from the event log", this::filesPhase);
            if (backlog != null && !skipped.contains("jdbc"))
                failures += ScoringFigures.part(phases, "currents_jdbc", "Currents to PostgreSQL (jdbc sink): the backlog exported from the event log", this::jdbcPhase);
            closeBacklog();
            if (!skipped.contains("lag")) failures += ScoringFigures.part(phases, "currents_lag", "Currents lag under a paced ingest (files connector)", this::lagPhase);
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
        if (!pr.hasMatchedOption("--cdi-rows")) cdiRows = 5_000;
        if (!pr.hasMatchedOption("--leads")) leads = 2_000;
        if (!pr.hasMatchedOption("--events")) events = 30_000;
        if (!pr.hasMatchedOption("--duration")) duration = 10;
        if (!pr.hasMatchedOption("--drain-seconds")) drainSeconds = 30;
        if (!pr.hasMatchedOption("--verify-sample")) verifySample = 200;
    }

    private void validate() {
        skipped = new LinkedHashSet<>();
        for (String s : skip) {
            String p = s.strip().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) continue;
            if (!PARTS.contains(p)) throw new IllegalArgumentException("--skip: unknown part '" + s + "'; the parts are cdi, files, jdbc, lag");
            skipped.add(p);
        }
        if (cdiRows < 1 || leads < 1) throw new IllegalArgumentException("--cdi-rows and --leads must be ≥ 1");
        if (cdiSpacingMillis < 1) throw new IllegalArgumentException("--cdi-spacing-ms must be ≥ 1 (each row later than the one before)");
        if (cdiBatch != null && (cdiBatch < 1 || cdiBatch > 10_000)) throw new IllegalArgumentException("--cdi-batch must be 1..10000");
        if (events < 1) throw new IllegalArgumentException("--events must be ≥ 1");
        if (!(ingestRate > 0) || duration < 3) throw new IllegalArgumentException("--ingest-rate must be > 0 and --duration ≥ 3");
        if (drainSeconds < 1 || stallSeconds < 1) throw new IllegalArgumentException("--drain-seconds and --stall-seconds must be ≥ 1");
        if (rollSeconds != null && (rollSeconds < 1 || rollSeconds > 86_400)) throw new IllegalArgumentException("--roll-seconds must be 1..86400");
        if (rollEvents != null && (rollEvents < 1 || rollEvents > 1_000_000)) throw new IllegalArgumentException("--roll-events must be 1..1000000");
        if (concurrency < 1 || concurrency > 4096) throw new IllegalArgumentException("--concurrency must be 1..4096");
        if (verifySample < 0) throw new IllegalArgumentException("--verify-sample must be ≥ 0");
        if (sampleMillis < 10 || sampleMillis > 5000) throw new IllegalArgumentException("--sample-ms must be 10..5000");
        if (!pgUrl.startsWith("jdbc:postgresql://127.0.0.1") && !pgUrl.startsWith("jdbc:postgresql://localhost"))
            throw new IllegalArgumentException("--pg-url must point at 127.0.0.1 or localhost: the benchmark creates and drops tables");
    }

    private int effectiveRollEvents() { return rollEvents != null ? rollEvents : CurrentsConnector.Sink.DEFAULT_ROLL_EVENTS; }

    private long effectiveRollSeconds() { return rollSeconds != null ? rollSeconds : CurrentsConnector.Sink.DEFAULT_ROLL_SECONDS; }

    // ---- resources ---------------------------------------------------------------------------------

    private <T extends AutoCloseable> T opened(T r) { return resources.opened(r); }

    private void close(AutoCloseable r) { resources.close(r); }

    private void closeAll() { resources.closeAll(); }

    private Target newTarget() {
        Target t = store == ScoringCommand.StoreChoice.sqlite ? Target.Sqlite.create(null) : Target.Postgres.create(pgUrl);
        System.out.println("store: " + t.describe());
        return opened(t);
    }

    private KilnServer startServer(Target target, Path definitions, String what) {
        ServerConfig config = ServerConfig.of(0, target.jdbcUrl(), definitions)
                .withAdminKey(key)
                .withRateLimit(1_000_000_000, Duration.ofSeconds(1))   // far above anything this machine sends
                .withLanes(lanes);
        long t0 = System.nanoTime();
        KilnServer server = opened(KilnServer.start(config));
        System.out.printf("server: Kiln started in-process (KilnServer.start) on port %d in %.1f s; %d lanes; %s%n",
                server.port(), (System.nanoTime() - t0) / 1e9, lanes, what);
        return server;
    }

    private static URI base(KilnServer s) { return URI.create("http://127.0.0.1:" + s.port()); }

    private static String uniqueName(String prefix) {
        return prefix + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    }

    // ---- CDI ---------------------------------------------------------------------------------------------

    private void cdiPhase(Map<String, Object> fig) {
        long planned = cdiSecond ? 2 * cdiRows : cdiRows;
        System.out.printf("source: a new table in %s: UPDATED_AT timestamptz, EXTERNAL_ID text, PAYLOAD jsonb {\"lead score\": n}; %,d rows for %,d leads "
                        + "(row i for lead-(i mod %,d)), UPDATED_AT %d ms apart, every row a new score for its lead%n",
                DataCdi.safe(pgUrl), cdiRows, leads, leads, cdiSpacingMillis);
        Target target = newTarget();
        ScoringDefinitions defs = opened(ScoringDefinitions.write(examples, "1d"));
        DataCdi source = opened(DataCdi.create(pgUrl, leads, planned, cdiSpacingMillis, seed));
        KilnServer server = null;
        try {
            double fillSeconds = source.fill(cdiRows);
            System.out.printf("source filled with COPY: %,d rows in %.1f s (%,.0f rows/s), then indexed on (UPDATED_AT, EXTERNAL_ID) and analyzed; table %s%n",
                    cdiRows, fillSeconds, cdiRows / fillSeconds, source.table);
            fig.put("source_table_rows", cdiRows);
            fig.put("source_fill_seconds", fillSeconds);
            source.writeIntegration(defs.dir(), cdiBatch);
            server = startServer(target, defs.dir(), "definitions: the seed Canvas (users enter on a lead score change) and cdi/"
                    + DataCdi.INTEGRATION + ".yaml (schedule: manual, batch_size " + (cdiBatch == null ? "default 1000" : cdiBatch) + ")");
            Map<String, Object> first = new LinkedHashMap<>();
            fig.put("first_sync", first);
            sync(server, source, "sync 1: a fresh table, every lead created", first, seed + 1);
            if (cdiSecond) {
                double again = source.fill(cdiRows);
                System.out.printf("%nsource: %,d more rows appended with COPY in %.1f s, later UPDATED_AT, a new score for each of the same leads%n", cdiRows, again);
                Map<String, Object> second = new LinkedHashMap<>();
                fig.put("second_sync", second);
                sync(server, source, "sync 2: new rows updating existing leads (the overlap window is read again and passed over)", second, seed + 2);
            }
        } finally {
            if (server != null) close(server);
            close(source);
            close(defs);
            close(target);
        }
    }

    private void sync(KilnServer server, DataCdi source, String title, Map<String, Object> fig, long checkSeed) {
        URI base = base(server);
        TrackLoad track = new TrackLoad(http, base, key);
        ScoringStats stats = new ScoringStats(http, base, key);
        ScoringStats.Snapshot before = stats.read();
        long usersBefore = server.store().countUsers();
        Scrape m0 = track.scrape();
        CpuSplit cpu = new CpuSplit();
        DataPgCpu pg = new DataPgCpu();
        long t0 = System.nanoTime();
        String job = DataCdi.startSync(http, track);
        DataCdi.Job j;
        long lastRead = -1, lastMove = System.nanoTime(), lastPrint = System.nanoTime();
        while (true) {
            j = DataCdi.job(http, base, key, job);
            if (!j.running()) break;
            long now = System.nanoTime();
            if (j.read() != lastRead) {
                lastRead = j.read();
                lastMove = now;
            } else if (now - lastMove > stallSeconds * 1_000_000_000L) {
                throw new IllegalStateException("the sync read no row for " + stallSeconds + " s (" + j + ")");
            }
            if (now - lastPrint >= 10_000_000_000L) {
                lastPrint = now;
                double s = (now - t0) / 1e9;
                System.out.printf("  … %,d rows read, %,d applied after %.0f s (%,.0f rows/s)%n", j.read(), j.synced(), s, j.read() / s);
            }
            sleep(100);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        CpuSplit.Split split = cpu.finish();
        double pgCores = pg.cores();
        Scrape m1 = track.scrape();
        ScoringStats.Snapshot after = stats.read();
        long users = server.store().countUsers();
        long timers = server.store().countTimers();
        double serverSeconds = Double.NaN;
        if (j.start() != null && j.finish() != null)
            serverSeconds = Duration.between(Instant.parse(j.start()), Instant.parse(j.finish())).toMillis() / 1000.0;
        double rate = j.read() / seconds;
        double commits = m1.sum("kiln_commit_batch_ops_count") - m0.sum("kiln_commit_batch_ops_count");
        double ops = m1.sum("kiln_commit_batch_ops_sum") - m0.sum("kiln_commit_batch_ops_sum");
        double commitMs = 1000 * (m1.sum("kiln_commit_latency_seconds_sum") - m0.sum("kiln_commit_latency_seconds_sum"))
                / Math.max(1, m1.sum("kiln_commit_latency_seconds_count") - m0.sum("kiln_commit_latency_seconds_count"));
        System.out.println();
        System.out.println(title + ":");
        System.out.printf("  job %s: rows read %,d, applied %,d, skipped %,d, already synced %,d%s%n", j.status(), j.read(), j.synced(), j.failed(),
                j.alreadySynced(), j.error() == null ? "" : "; error: " + j.error());
        j.firstErrors().stream().limit(3).forEach(e -> System.out.println("  ! " + e));
        System.out.printf("  %.1f s from POST sync to the job seen finished (polled every 100 ms; the job's own times: %.1f s) = %,.0f rows/s read, %,.0f rows/s applied%n",
                seconds, serverSeconds, rate, j.synced() / seconds);
        double applied = j.synced() / seconds;
        System.out.printf("  target: CDI ≥ %,.0f rows/s from PostgreSQL into profiles — measured %,.0f rows/s applied: %s%n", TARGET_CDI_ROWS_PER_SECOND, applied,
                ScoringFigures.verdict(applied >= TARGET_CDI_ROWS_PER_SECOND));
        double perCpu = j.synced() / split.processCpuSeconds();
        System.out.printf("  per core: %,.0f rows applied per CPU-second of this process (%.1f CPU-s: server threads, JIT and GC; PostgreSQL's share is below)%n",
                perCpu, split.processCpuSeconds());
        System.out.printf("  profiles %,d -> %,d; Canvas entries +%,d (users entering the seed Canvas on their score change), on step score %,d, pending timers %,d%n",
                usersBefore, users, after.entries() - before.entries(), after.onScore(), timers);
        System.out.printf("  store: %,.0f commits (%,.0f ops, mean %,.0f ops per commit, mean commit %.2f ms)%n", commits, ops, commits > 0 ? ops / commits : 0, commitMs);
        DataCdi.Check check = source.verify(http, track, verifySample, checkSeed);
        System.out.printf("  check: %,d of %,d sampled profiles hold their lead's last row's score (%s)%s%n", check.matched(), check.sampled(),
                check.ok() ? "ok" : "MISMATCH", check.missing() > 0 ? String.format("; %,d profiles missing", check.missing()) : "");
        check.mismatches().forEach(x -> System.out.println("    " + x));
        System.out.println("  " + cpuLine(split, pgCores));
        fig.put("job_status", j.status());
        fig.put("rows_read", j.read());
        fig.put("rows_applied", j.synced());
        fig.put("rows_skipped", j.failed());
        fig.put("rows_already_synced", j.alreadySynced());
        fig.put("error", j.error());
        fig.put("seconds", seconds);
        fig.put("job_seconds", serverSeconds);
        fig.put("rows_per_second", rate);
        fig.put("applied_per_second", applied);
        fig.put("rows_applied_per_cpu_second", perCpu);
        fig.put("profiles_before", usersBefore);
        fig.put("profiles_after", users);
        fig.put("canvas_entries_delta", after.entries() - before.entries());
        fig.put("on_step_score", after.onScore());
        fig.put("pending_timers", timers);
        fig.put("commits", commits);
        fig.put("mean_ops_per_commit", commits > 0 ? ops / commits : 0);
        fig.put("mean_commit_ms", commitMs);
        fig.put("check", Json.obj("sampled", check.sampled(), "matched", check.matched(), "missing", check.missing(), "mismatches", check.mismatches()));
        fig.put("cpu", cpuJson(split, pgCores));
    }

    // ---- Currents: the backlog ---------------------------------------------------------------------------

    /** The store with the backlog and its definitions directory (no connector while the events are ingested). */
    private record Backlog(Target target, DataTempDir defs, long accepted, long lastSeq) {}

    private void backlogPhase(Map<String, Object> fig) {
        Target target = newTarget();
        DataTempDir defs = opened(DataTempDir.create("kiln-bench-data-definitions-"));
        KilnServer server = startServer(target, defs.dir(), "no definitions (no Canvas, no Currents connector)");
        try {
            TrackLoad track = new TrackLoad(http, base(server), key);
            System.out.printf("ingesting %,d custom events for %,d leads, 75 per /users/track request, %d in flight; each makes one event log row%n",
                    events, leads, concurrency);
            CpuSplit cpu = new CpuSplit();
            DataPgCpu pg = new DataPgCpu();
            DataIngest.Result r = DataIngest.events(http, track, events, leads, concurrency, seed + 10, 10);
            CpuSplit.Split split = cpu.finish();
            double pgCores = pg.cores();
            long lastSeq = server.store().lastEventSeq();
            System.out.printf("  %,d events accepted in %.1f s = %,.0f events/s; %d failed requests; event log last seq %,d%n",
                    r.accepted(), r.seconds(), r.perSecond(), r.failedRequests(), lastSeq);
            r.errorSamples().forEach(e -> System.out.println("  ! " + e));
            System.out.println("  " + cpuLine(split, pgCores));
            close(server);
            server = null;
            if (r.accepted() == 0) throw new IllegalStateException("no event was accepted");
            backlog = new Backlog(target, defs, r.accepted(), lastSeq);
            fig.put("events", events);
            fig.put("accepted", r.accepted());
            fig.put("failed_requests", r.failedRequests());
            fig.put("seconds", r.seconds());
            fig.put("events_per_second", r.perSecond());
            fig.put("event_log_last_seq", lastSeq);
            fig.put("cpu", cpuJson(split, pgCores));
        } finally {
            if (server != null) close(server);
            if (backlog == null) {
                close(defs);
                close(target);
            }
        }
    }

    private void closeBacklog() {
        if (backlog == null) return;
        close(backlog.defs());
        close(backlog.target());
        backlog = null;
    }

    /** How an export of the backlog went, read from {@code GET /currents}. */
    private record Watch(List<DataCurrents.Status> samples, String end, long startNanos, double startSeconds) {
        DataCurrents.Status last() { return samples.getLast(); }
        long exported() { return samples.isEmpty() ? 0 : last().exported(); }

        /** The first sample showing the final exported count: when the last confirm happened (within a sampling period). */
        DataCurrents.Status reached() {
            long e = exported();
            for (DataCurrents.Status s : samples) if (s.exported() == e) return s;
            return last();
        }

        double seconds() { return (reached().atNanos() - startNanos) / 1e9; }
        double rate() { return exported() / seconds(); }

        /** Between the first confirm seen and the last: the export rate without the server's start. */
        double steadyRate() {
            for (DataCurrents.Status s : samples)
                if (s.exported() > 0) {
                    double sec = (reached().atNanos() - s.atNanos()) / 1e9;
                    return sec > 0 && exported() > s.exported() ? (exported() - s.exported()) / sec : Double.NaN;
                }
            return Double.NaN;
        }
    }

    /**
     * Samples {@code GET /currents} from a just-started server until every event is exported, or only what the open
     * files may hold is left ({@code holdBelow}: lag under one file's worth, which the files sink confirms at
     * roll_seconds or at a clean stop; 0 for sinks that flush by time), or {@code abort} holds, or nothing moved for
     * --stall-seconds.
     */
    private Watch watch(DataCurrents cur, String connector, long t0, double startSeconds, long total, long holdBelow,
                        Predicate<DataCurrents.Status> abort) {
        List<DataCurrents.Status> samples = new ArrayList<>();
        long lastExported = -1, lastMove = System.nanoTime(), lastPrint = System.nanoTime();
        String lastError = null;
        while (true) {
            DataCurrents.Status s = cur.read(connector);
            samples.add(s);
            if (s.lastError() != null && !s.lastError().equals(lastError)) {
                lastError = s.lastError();
                System.out.println("  ! connector error (the exporter retries with backoff): " + lastError);
            }
            if (abort.test(s)) return new Watch(samples, "aborted", t0, startSeconds);
            if (s.exported() >= total) return new Watch(samples, "all exported", t0, startSeconds);
            if (s.exported() > 0 && s.lag() < holdBelow) return new Watch(samples, "rest in the open file", t0, startSeconds);
            if (s.exported() != lastExported) {
                lastExported = s.exported();
                lastMove = s.atNanos();
            } else if (s.atNanos() - lastMove > stallSeconds * 1_000_000_000L) {
                return new Watch(samples, "stalled", t0, startSeconds);
            }
            if (s.atNanos() - lastPrint >= 10_000_000_000L) {
                lastPrint = s.atNanos();
                double sec = (s.atNanos() - t0) / 1e9;
                System.out.printf("  … %,d exported, lag %,d after %.0f s (%,.0f /s)%n", s.exported(), s.lag(), sec, s.exported() / sec);
            }
            sleep(sampleMillis);
        }
    }

    private static String timeline(List<DataCurrents.Status> samples, long t0) {
        StringBuilder b = new StringBuilder();
        int step = Math.max(1, samples.size() / 12);
        for (int i = 0; i < samples.size(); i += step)
            b.append(String.format(" %.1fs:%,d", (samples.get(i).atNanos() - t0) / 1e9, samples.get(i).exported()));
        if ((samples.size() - 1) % step != 0)
            b.append(String.format(" %.1fs:%,d", (samples.getLast().atNanos() - t0) / 1e9, samples.getLast().exported()));
        return b.toString().trim();
    }

    // ---- Currents to files -------------------------------------------------------------------------------

    private void filesPhase(Map<String, Object> fig) {
        Backlog b = backlog;
        DataTempDir root = opened(DataTempDir.create("kiln-bench-currents-files-"));
        KilnServer server = null;
        try {
            DataCurrents.clear(b.defs().dir());
            DataCurrents.writeFiles(b.defs().dir(), "files", root.dir(), rollSeconds, rollEvents);
            System.out.printf("connector currents/files.yaml: the example's events, sink files ndjson_gzip under %s, roll_seconds %d, roll_events %,d%s; "
                    + "a new connector starts at the oldest event of the log, so the %,d events are its backlog%n", root, effectiveRollSeconds(),
                    effectiveRollEvents(), rollSeconds == null && rollEvents == null ? " (Kiln's defaults)" : "", b.accepted());
            CpuSplit cpu = new CpuSplit();
            DataPgCpu pg = new DataPgCpu();
            long t0 = System.nanoTime();
            server = startServer(b.target(), b.defs().dir(), "the files connector exports the backlog from the start");
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            DataCurrents cur = new DataCurrents(http, base(server), key);
            Watch w = watch(cur, "files", t0, startSeconds, b.accepted(), effectiveRollEvents(), s -> false);
            CpuSplit.Split split = cpu.finish();
            double pgCores = pg.cores();
            long beforeStop = w.exported();
            long c0 = System.nanoTime();
            close(server);   // a clean stop completes the open files and writes the cursor
            server = null;
            double stopSeconds = (System.nanoTime() - c0) / 1e9;
            DataFiles.Count count = DataFiles.count(root.dir());
            boolean ok = count.lines() == b.accepted() && count.duplicates() == 0 && count.bad() == 0 && count.tmp() == 0;
            System.out.println();
            System.out.printf("  exported %,d of %,d events in %.1f s from the start call (server start %.1f s included) = %,.0f events/s; "
                            + "between the first and the last roll %,.0f events/s; end: %s%n",
                    w.exported(), b.accepted(), w.seconds(), startSeconds, w.rate(), w.steadyRate(), w.end());
            if (beforeStop < b.accepted())
                System.out.printf("  the last %,d events waited in the open file (fewer than roll_events %,d); Kiln confirms it %d s after it opened (roll_seconds) "
                        + "or at a clean stop: the stop here took %.1f s%n", b.accepted() - beforeStop, effectiveRollEvents(), effectiveRollSeconds(), stopSeconds);
            System.out.println("  exported over time: " + timeline(w.samples(), t0));
            double exporterCpu = threadSeconds(split, "kiln-currents");
            System.out.printf("  per core: %,.0f events per CPU-second of the exporter thread (%.1f CPU-s), %,.0f per CPU-second of this process (%.1f CPU-s)%n",
                    w.exported() / exporterCpu, exporterCpu, w.exported() / split.processCpuSeconds(), split.processCpuSeconds());
            System.out.printf("  target: Currents ≥ %,.0f events/s to gzip JSON files — measured %,.0f events/s: %s%n", TARGET_FILES_EVENTS_PER_SECOND, w.rate(),
                    ScoringFigures.verdict(w.rate() >= TARGET_FILES_EVENTS_PER_SECOND));
            System.out.printf("  check (files read back, %.1f s): %,d files, %,d lines (events accepted %,d), %,d distinct ids, %,d duplicate lines, %,d without id, "
                            + "%,d .tmp left, %s compressed, by type %s: %s%n",
                    count.seconds(), count.files(), count.lines(), b.accepted(), count.distinctIds(), count.duplicates(), count.bad(), count.tmp(),
                    Heap.mb(count.bytes()), count.byType(), ok ? "ok" : "MISMATCH");
            System.out.println("  " + cpuLine(split, pgCores));
            fig.put("events", b.accepted());
            fig.put("roll_seconds", effectiveRollSeconds());
            fig.put("roll_events", effectiveRollEvents());
            fig.put("server_start_seconds", startSeconds);
            fig.put("exported_before_stop", beforeStop);
            fig.put("seconds_to_last_roll", w.seconds());
            fig.put("events_per_second", w.rate());
            fig.put("events_per_second_between_rolls", w.steadyRate());
            fig.put("events_per_exporter_cpu_second", w.exported() / exporterCpu);
            fig.put("events_per_process_cpu_second", w.exported() / split.processCpuSeconds());
            fig.put("end", w.end());
            fig.put("stop_seconds", stopSeconds);
            fig.put("files", count.json());
            fig.put("check_ok", ok);
            fig.put("cpu", cpuJson(split, pgCores));
        } finally {
            if (server != null) close(server);
            close(root);
        }
    }

    // ---- Currents to PostgreSQL ----------------------------------------------------------------------------

    private void jdbcPhase(Map<String, Object> fig) {
        Backlog b = backlog;
        String table = uniqueName("kiln_bench_data_currents_");
        AutoCloseable drop = opened(new AutoCloseable() {
            @Override public void close() {
                try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                } catch (SQLException e) {
                    System.out.println("  ! could not drop the jdbc sink's table " + table + ": " + e.getMessage());
                }
            }

            @Override public String toString() { return "table " + table; }
        });
        KilnServer server = null;
        try {
            DataCurrents.clear(b.defs().dir());
            DataCurrents.writeJdbc(b.defs().dir(), "pg", pgUrl, table);
            System.out.printf("connector currents/pg.yaml: the example's events, sink jdbc %s table %s (batch and flush: Kiln's defaults); "
                    + "a new connector, so the %,d events are its backlog%n", DataCdi.safe(pgUrl), table, b.accepted());
            CpuSplit cpu = new CpuSplit();
            DataPgCpu pg = new DataPgCpu();
            long t0 = System.nanoTime();
            server = startServer(b.target(), b.defs().dir(), "the jdbc connector exports the backlog from the start");
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            DataCurrents cur = new DataCurrents(http, base(server), key);
            // A failing sink is retried by Kiln for ever; here it ends the part, which then reports the error.
            Watch w = watch(cur, "pg", t0, startSeconds, b.accepted(), 0, s -> s.lastError() != null);
            CpuSplit.Split split = cpu.finish();
            double pgCores = pg.cores();
            if (w.end().equals("aborted"))
                throw new IllegalStateException("the jdbc sink failed (GET /currents last_error: " + w.last().lastError() + ")");
            close(server);
            server = null;
            System.out.println();
            System.out.printf("  exported %,d of %,d events in %.1f s from the start call (server start %.1f s included) = %,.0f events/s; "
                            + "after the first confirm %,.0f events/s; end: %s%n",
                    w.exported(), b.accepted(), w.seconds(), startSeconds, w.rate(), w.steadyRate(), w.end());
            System.out.println("  exported over time: " + timeline(w.samples(), t0));
            double exporterCpu = threadSeconds(split, "kiln-currents");
            System.out.printf("  per core: %,.0f events per CPU-second of the exporter thread (%.1f CPU-s), %,.0f per CPU-second of this process (%.1f CPU-s); "
                            + "PostgreSQL used %.2f cores meanwhile%n", w.exported() / exporterCpu, exporterCpu, w.exported() / split.processCpuSeconds(),
                    split.processCpuSeconds(), pgCores);
            System.out.printf("  target: Currents ≥ %,.0f events/s to PostgreSQL — measured %,.0f events/s: %s%n", TARGET_JDBC_EVENTS_PER_SECOND, w.rate(),
                    ScoringFigures.verdict(w.rate() >= TARGET_JDBC_EVENTS_PER_SECOND));
            long rows = -1, distinct = -1;
            String checkError = null;
            try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM " + table)) {
                rs.next();
                rows = rs.getLong(1);
                distinct = rs.getLong(2);
            } catch (SQLException e) {
                checkError = e.getMessage();
            }
            boolean ok = checkError == null && rows == b.accepted() && distinct == rows;
            if (checkError != null) System.out.println("  check: cannot count the table's rows: " + checkError + " (MISMATCH)");
            else System.out.printf("  check: %,d rows in %s, %,d distinct ids (events accepted %,d): %s%n", rows, table, distinct, b.accepted(), ok ? "ok" : "MISMATCH");
            System.out.println("  " + cpuLine(split, pgCores));
            fig.put("available", true);
            fig.put("events", b.accepted());
            fig.put("server_start_seconds", startSeconds);
            fig.put("seconds", w.seconds());
            fig.put("events_per_second", w.rate());
            fig.put("events_per_second_after_first_confirm", w.steadyRate());
            fig.put("events_per_exporter_cpu_second", w.exported() / exporterCpu);
            fig.put("events_per_process_cpu_second", w.exported() / split.processCpuSeconds());
            fig.put("end", w.end());
            fig.put("table_rows", rows);
            fig.put("table_distinct_ids", distinct);
            fig.put("check_error", checkError);
            fig.put("check_ok", ok);
            fig.put("cpu", cpuJson(split, pgCores));
        } finally {
            if (server != null) close(server);
            close(drop);
        }
    }

    // ---- Currents lag under ingest -------------------------------------------------------------------------

    private void lagPhase(Map<String, Object> fig) throws Exception {
        Target target = newTarget();
        DataTempDir defs = opened(DataTempDir.create("kiln-bench-data-definitions-"));
        DataTempDir root = opened(DataTempDir.create("kiln-bench-currents-files-"));
        KilnServer server = null;
        try {
            DataCurrents.writeFiles(defs.dir(), "files", root.dir(), rollSeconds, rollEvents);
            server = startServer(target, defs.dir(), "currents/files.yaml (ndjson_gzip, roll_seconds " + effectiveRollSeconds() + ", roll_events "
                    + effectiveRollEvents() + "); no Canvas");
            URI base = base(server);
            TrackLoad track = new TrackLoad(http, base, key);
            DataCurrents cur = new DataCurrents(http, base, key);
            System.out.printf("ingest: 75 custom events per /users/track request for leads drawn uniformly from %,d, paced at %,.0f events/s (%,.1f requests/s), "
                    + "%d in flight at most, for %d s (a late request is sent at once; sending stops at the deadline); GET /currents sampled every second%n",
                    leads, ingestRate, ingestRate / Workload.MAX_PER_ARRAY, concurrency, duration);
            List<DataCurrents.Status> samples = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sampler = Thread.ofVirtual().name("bench-lag-sampler").start(() -> {
                long next = System.nanoTime();
                while (!stop.get()) {
                    try {
                        samples.add(cur.read("files"));
                    } catch (RuntimeException e) {
                        System.out.println("  ! sampling GET /currents failed: " + e.getMessage());
                    }
                    next += 1_000_000_000L;
                    long wait = next - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            });
            Scrape m0 = track.scrape();
            CpuSplit cpu = new CpuSplit();
            DataPgCpu pg = new DataPgCpu();
            long t0 = System.nanoTime();
            DataIngest.Paced r = DataIngest.paced(http, track, leads, Duration.ofSeconds(duration), concurrency, ingestRate, seed + 20);
            long tEnd = System.nanoTime();
            CpuSplit.Split split = cpu.finish();
            double pgCores = pg.cores();
            // After the ingest: until the lag is under one file's worth (what roll_seconds may hold back), at most --drain-seconds.
            long rollEv = effectiveRollEvents();
            Double drained = null;
            while (System.nanoTime() - tEnd < drainSeconds * 1_000_000_000L) {
                DataCurrents.Status s;
                synchronized (samples) {
                    s = samples.isEmpty() ? null : samples.getLast();
                }
                if (s != null && s.atNanos() > tEnd && s.lag() < rollEv) {
                    drained = (s.atNanos() - tEnd) / 1e9;
                    break;
                }
                sleep(100);
            }
            stop.set(true);
            sampler.join();
            Scrape m1 = track.scrape();
            List<DataCurrents.Status> all;
            synchronized (samples) {
                all = new ArrayList<>(samples);
            }
            DataCurrents.Status atEnd = null;
            for (DataCurrents.Status s : all) if (s.atNanos() <= tEnd) atEnd = s;
            long exportedBeforeStop = all.isEmpty() ? 0 : all.getLast().exported();
            long lastSeq = server.store().lastEventSeq();
            close(server);
            server = null;
            DataFiles.Count count = DataFiles.count(root.dir());

            double third = (tEnd - t0) / 3.0;
            long maxFirst = 0, maxLast = 0, max = 0;
            List<double[]> points = new ArrayList<>();
            for (DataCurrents.Status s : all) {
                if (s.atNanos() < t0 || s.atNanos() > tEnd) continue;
                double at = s.atNanos() - t0;
                max = Math.max(max, s.lag());
                if (at < third) maxFirst = Math.max(maxFirst, s.lag());
                if (at >= 2 * third) maxLast = Math.max(maxLast, s.lag());
                points.add(new double[]{at / 1e9, s.lag()});
            }
            double slope = slope(points);
            DataCurrents.Status first = all.isEmpty() ? null : all.getFirst();
            double exportedDuring = atEnd == null || first == null ? Double.NaN
                    : (atEnd.exported() - first.exported()) / Math.max(1e-9, (atEnd.atNanos() - first.atNanos()) / 1e9);
            double achieved = r.perSecond();
            boolean boundedDuring = maxLast <= BOUND_FACTOR * Math.max(maxFirst, rollEv);
            boolean bounded = boundedDuring && drained != null;
            boolean atTarget = achieved >= 0.95 * TARGET_INGEST_RATE;
            boolean ok = count.lines() == lastSeq && count.duplicates() == 0 && count.bad() == 0 && count.tmp() == 0;

            System.out.println();
            System.out.printf("  ingest: %,.0f events/s accepted (%,d requests answered 201 in %.1f s; asked for %,.0f /s: %,d requests scheduled, %,d sent)%s%n",
                    achieved, r.ok(), r.seconds(), ingestRate, r.scheduled(), r.sent(),
                    atTarget ? "" : " — this machine could not ingest at the asked rate; the lag below is at the achieved rate");
            if (r.failed() > 0) System.out.printf("  ! %,d requests failed%n", r.failed());
            r.errorSamples().forEach(s -> System.out.println("    e.g. " + s));
            System.out.println("  latency request -> 201: " + ScoringFigures.latencies(r.service()));
            System.out.printf("  exported during the ingest %,.0f events/s; lag (events): max %,d; max in the first third %,d, in the last third %,d; at the end of the ingest %,d; "
                            + "trend %+,.0f events/s (least squares over the ingest)%n",
                    exportedDuring, max, maxFirst, maxLast, atEnd == null ? -1 : atEnd.lag(), slope);
            System.out.printf("  after the ingest: lag under one file (%,d events) %s; the rest is confirmed at roll_seconds (%d s) or at the clean stop%n",
                    rollEv, drained == null ? "NOT reached within " + drainSeconds + " s" : String.format("after %.1f s", drained), effectiveRollSeconds());
            System.out.println("  lag over time (s:ingest events/s:lag): " + lagTimeline(all, t0));
            System.out.printf("  bounded: %s (last third's max ≤ %.0f × max(first third's max, roll_events), and under one file within %d s after the ingest)%n",
                    bounded ? "yes" : "NO", BOUND_FACTOR, drainSeconds);
            System.out.printf("  target: lag bounded under %,.0f events/s of ingest — %s%n", TARGET_INGEST_RATE,
                    atTarget ? ScoringFigures.verdict(bounded) : String.format("not measurable here (ingest reached %,.0f events/s); at that rate the lag %s",
                            achieved, bounded ? "stayed bounded" : "was NOT bounded"));
            System.out.printf("  check (files read back after the clean stop): %,d lines for %,d event log rows (%,d exported before the stop), %,d distinct ids, %,d duplicates, %,d .tmp: %s%n",
                    count.lines(), lastSeq, exportedBeforeStop, count.distinctIds(), count.duplicates(), count.tmp(), ok ? "ok" : "MISMATCH");
            System.out.printf("  store: %,.0f ops committed in %,.0f commits%n", m1.sum("kiln_commit_batch_ops_sum") - m0.sum("kiln_commit_batch_ops_sum"),
                    m1.sum("kiln_commit_batch_ops_count") - m0.sum("kiln_commit_batch_ops_count"));
            System.out.println("  " + cpuLine(split, pgCores));
            fig.put("asked_events_per_second", ingestRate);
            fig.put("duration_s", duration);
            fig.put("accepted_events_per_second", achieved);
            fig.put("requests_scheduled", r.scheduled());
            fig.put("requests_sent", r.sent());
            fig.put("requests_201", r.ok());
            fig.put("failed_requests", r.failed());
            fig.put("latency_request_to_201_us", ScoringFigures.percentilesMicros(r.service()));
            fig.put("exported_per_second_during_ingest", exportedDuring);
            fig.put("lag_max", max);
            fig.put("lag_max_first_third", maxFirst);
            fig.put("lag_max_last_third", maxLast);
            fig.put("lag_at_ingest_end", atEnd == null ? null : atEnd.lag());
            fig.put("lag_trend_events_per_second", slope);
            fig.put("seconds_to_under_one_file_after_ingest", drained);
            fig.put("bounded", bounded);
            fig.put("at_target_rate", atTarget);
            List<List<Object>> tl = new ArrayList<>();
            for (DataCurrents.Status s : all) tl.add(List.of((s.atNanos() - t0) / 1e9, s.lastSeq(), s.lag(), s.exported()));
            fig.put("samples_seconds_lastseq_lag_exported", tl);
            fig.put("files", count.json());
            fig.put("check_ok", ok);
            fig.put("cpu", cpuJson(split, pgCores));
        } finally {
            if (server != null) close(server);
            close(root);
            close(defs);
            close(target);
        }
    }

    /** CPU seconds of the threads whose group starts with {@code prefix} (/proc truncates names to 15 characters). */
    static double threadSeconds(CpuSplit.Split split, String prefix) {
        double s = 0;
        for (CpuSplit.Line l : split.lines()) if (l.group().startsWith(prefix)) s += l.seconds();
        return s > 0 ? s : Double.NaN;
    }

    /** Least-squares slope of y over x; NaN with fewer than two points. */
    static double slope(List<double[]> p) {
        if (p.size() < 2) return Double.NaN;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (double[] q : p) {
            sx += q[0];
            sy += q[1];
            sxx += q[0] * q[0];
            sxy += q[0] * q[1];
        }
        double n = p.size(), d = n * sxx - sx * sx;
        return d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
    }

    /** About sixteen points: seconds since the ingest started, ingest rate since the previous point (event log growth), lag. */
    private static String lagTimeline(List<DataCurrents.Status> s, long t0) {
        StringBuilder b = new StringBuilder();
        int step = Math.max(1, s.size() / 16);
        DataCurrents.Status prev = null;
        for (int i = 0; i < s.size(); i += step) {
            DataCurrents.Status x = s.get(i);
            double rate = prev == null ? 0 : (x.lastSeq() - prev.lastSeq()) / Math.max(1e-9, (x.atNanos() - prev.atNanos()) / 1e9);
            b.append(String.format(" %.0f:%,.0f:%,d", Math.max(0, x.atNanos() - t0) / 1e9, rate, x.lag()));
            prev = x;
        }
        return b.toString().trim();
    }

    // ---- output ------------------------------------------------------------------------------------

    /** The CPU line of the other benchmarks, with how many of the other processes' cores PostgreSQL used. */
    private static String cpuLine(CpuSplit.Split split, double pgCores) {
        return ScoringFigures.cpu(split) + String.format(" PostgreSQL (all its processes, counted in 'other processes') %.2f cores", pgCores);
    }

    private static Map<String, Object> cpuJson(CpuSplit.Split split, double pgCores) {
        Map<String, Object> m = CpuSplit.json(split);
        m.put("postgres_cores_busy", pgCores);
        return m;
    }

    private void printHeader() {
        System.out.println("Kiln data benchmark (CDI in, Currents out) — figures beside the targets, nothing asserted");
        System.out.printf("machine: %d cores, %s %s, max heap %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Heap.mb(Heap.maxBytes()),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("server and load generator share this JVM and these cores (the server runs in-process); PostgreSQL runs on the same machine");
        System.out.println("load average before the run: " + IngestCommand.loadAverage() + " (other work on the machine skews every figure; see 'other processes' below)");
        System.out.printf("settings: store=%s cdi-rows=%,d leads=%,d cdi-spacing=%dms cdi-batch=%s second-sync=%s events=%,d ingest-rate=%,.0f/s duration=%ds "
                        + "roll=%ds/%,d events concurrency=%d lanes=%d seed=%d skip=%s%s%n",
                store, cdiRows, leads, cdiSpacingMillis, cdiBatch == null ? "default" : cdiBatch, cdiSecond, events, ingestRate, duration,
                effectiveRollSeconds(), effectiveRollEvents(), concurrency, lanes, seed, skipped.isEmpty() ? "none" : String.join(",", skipped),
                quick ? " (--quick)" : "");
        System.out.println("PostgreSQL: " + DataCdi.safe(pgUrl));
    }

    private Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", store.name());
        m.put("cdi_rows", cdiRows);
        m.put("leads", leads);
        m.put("cdi_spacing_ms", cdiSpacingMillis);
        m.put("cdi_batch", cdiBatch);
        m.put("cdi_second_sync", cdiSecond);
        m.put("events", events);
        m.put("ingest_rate", ingestRate);
        m.put("duration_s", duration);
        m.put("drain_seconds", drainSeconds);
        m.put("roll_seconds", effectiveRollSeconds());
        m.put("roll_events", effectiveRollEvents());
        m.put("concurrency", concurrency);
        m.put("lanes", lanes);
        m.put("seed", seed);
        m.put("skip", List.copyOf(skipped));
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
        System.out.println("=== summary: the targets beside the figures (not asserted) ===");
        if (phases.get("cdi") instanceof Map<?, ?> cdi) {
            for (String k : List.of("first_sync", "second_sync"))
                if (cdi.get(k) instanceof Map<?, ?> sync) {
                    double v = num(sync.get("applied_per_second"));
                    line("CDI rows/s applied, " + (k.equals("first_sync") ? "sync 1 (users created)" : "sync 2 (users updated)"),
                            String.format("%,.0f /s (%,.0f rows; %,.0f per CPU-s)", v, num(sync.get("rows_applied")), num(sync.get("rows_applied_per_cpu_second"))),
                            String.format("≥ %,.0f /s", TARGET_CDI_ROWS_PER_SECOND), ScoringFigures.verdict(v >= TARGET_CDI_ROWS_PER_SECOND), otherCores(sync));
                    s.put("cdi_" + k + "_rows_applied_per_second", v);
                    s.put("cdi_" + k + "_rows_read_per_second", num(sync.get("rows_per_second")));
                }
        }
        if (phases.get("currents_files") instanceof Map<?, ?> f && f.containsKey("events_per_second")) {
            double v = num(f.get("events_per_second"));
            line("Currents to gzip JSON files", String.format("%,.0f /s (%,.0f events; %,.0f per exporter CPU-s)", v, num(f.get("events")),
                            num(f.get("events_per_exporter_cpu_second"))),
                    String.format("≥ %,.0f /s", TARGET_FILES_EVENTS_PER_SECOND), ScoringFigures.verdict(v >= TARGET_FILES_EVENTS_PER_SECOND), otherCores(f));
            s.put("currents_files_events_per_second", v);
        }
        if (phases.get("currents_jdbc") instanceof Map<?, ?> j) {
            if (j.containsKey("events_per_second")) {
                double v = num(j.get("events_per_second"));
                line("Currents to PostgreSQL", String.format("%,.0f /s (%,.0f events; %,.0f per exporter CPU-s)", v, num(j.get("events")),
                                num(j.get("events_per_exporter_cpu_second"))),
                        String.format("≥ %,.0f /s", TARGET_JDBC_EVENTS_PER_SECOND), ScoringFigures.verdict(v >= TARGET_JDBC_EVENTS_PER_SECOND), otherCores(j));
                s.put("currents_jdbc_events_per_second", v);
            }
        }
        if (phases.get("currents_lag") instanceof Map<?, ?> l && l.containsKey("bounded")) {
            double achieved = num(l.get("accepted_events_per_second"));
            boolean bounded = Boolean.TRUE.equals(l.get("bounded")), atTarget = Boolean.TRUE.equals(l.get("at_target_rate"));
            line("Currents lag under ingest", String.format("%s at %,.0f events/s (max %,.0f)", bounded ? "bounded" : "NOT bounded", achieved, num(l.get("lag_max"))),
                    String.format("bounded at %,.0f /s", TARGET_INGEST_RATE), atTarget ? ScoringFigures.verdict(bounded) : "rate not reached", otherCores(l));
            s.put("lag_bounded", bounded);
            s.put("lag_ingest_events_per_second", achieved);
            s.put("lag_max", num(l.get("lag_max")));
        }
        for (var e : phases.entrySet())
            if (e.getValue() instanceof Map<?, ?> m && m.get("error") != null) System.out.printf("  %s: FAILED (%s)%n", e.getKey(), m.get("error"));
        System.out.println("others = cores used by other processes during that measurement (PostgreSQL included); the load generator shares the server's JVM and cores;");
        System.out.println("per CPU-s = per CPU-second of this process (CDI) or of the exporter thread (Currents): the CPU cost, which other processes do not inflate");
        return s;
    }

    private static void line(String what, String measured, String target, String verdict, double others) {
        System.out.printf("  %-43s %-54s target %-22s %-16s others %s%n", what, measured, target, verdict,
                Double.isNaN(others) ? "n/a" : String.format("%.2f cores", others));
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
