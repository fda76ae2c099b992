package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.delivery.DeliveryConfig;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import dev.kiln.server.fake.FakeSalesforce;
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
 * The webhook benchmark (issue 4, item 8): the seed's lead handoff ({@code examples/campaigns/salesforce-mql.yaml})
 * against a local fake Salesforce.
 * <ol>
 *   <li>render: the seed's templates rendered by the Liquid engine, no server — renders/s and per core;</li>
 *   <li>sends: the real server and {@link FakeSalesforce} in this JVM; leads created at score 0 (their messages
 *       abort), then score changes to 150 at full speed — sends/s and score change → PATCH latency — and at half
 *       that rate on fresh leads; every lead is checked: one 204 PATCH with the MQL body, profile marked MQL.</li>
 * </ol>
 * Prints figures beside the targets; asserts nothing.
 */
@Command(name = "webhooks", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Webhook benchmark: the seed campaign (examples/campaigns/salesforce-mql.yaml, Liquid body and headers) sending to a local "
                + "fake Salesforce — Liquid renders/s per core, sends/s, latency score change committed -> PATCH at the endpoint, "
                + "and a check that every lead was handed off exactly once. Prints figures beside the targets; asserts nothing.",
                "Starts the real Kiln server (KilnServer.start, port 0) and the fake Salesforce (FakeSalesforce.start, port 0) in this JVM, on a "
                        + "fresh temporary SQLite file (or PostgreSQL schema) with a temporary definitions directory, all removed at the end. "
                        + "The connection's client secret is read from the environment variable --secret-env (bench/webhooks sets it)."})
final class WebhooksCommand implements Callable<Integer> {
    static final double TARGET_SENDS_PER_SECOND = 500_000 / 60.0;   // Braze's maximum campaign rate, 500,000/min
    static final double TARGET_HALF_RATE_P99_MS = 100;
    static final String DEFAULT_SECRET_ENV = "KILN_BENCH_SALESFORCE_SECRET";

    @Option(names = "--leads", defaultValue = "50000", description = "Leads whose score changes in the full-speed run (0 skips the send phase). Default: ${DEFAULT-VALUE}")
    int leads;

    @Option(names = "--warmup-leads", defaultValue = "5000", description = "Leads handed off once, unmeasured, before the runs (JIT, connections, token). Default: ${DEFAULT-VALUE}")
    int warmupLeads;

    @Option(names = "--half-seconds", defaultValue = "20", description = "Length of the half-rate run: it uses half-rate x this many fresh leads. Default: ${DEFAULT-VALUE}")
    int halfSeconds;

    @Option(names = "--half-rate", description = "Leads/s of the half-rate run. Default: half the full run's sends/s")
    Double halfRate;

    @Option(names = "--batch", defaultValue = "75", description = "Leads per /users/track request (1..75). Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--concurrency", defaultValue = "16", description = "/users/track requests in flight at most. Default: ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = "--rate-limit", defaultValue = "none",
            description = "The campaign's rate_limit: none (removed: the seed's 1,000/min would cap the run at 16.7 sends/s), seed (kept), or N per minute. Default: ${DEFAULT-VALUE}")
    String rateLimit;

    @Option(names = "--with-canvas", description = "Also load the seed Canvas and segments (they react to the same profiles)")
    boolean withCanvas;

    @Option(names = "--render-seconds", defaultValue = "3", description = "Seconds of each render run (0 skips the render phase). Default: ${DEFAULT-VALUE}")
    double renderSeconds;

    @Option(names = "--render-warmup", defaultValue = "2", description = "Seconds of render warm-up. Default: ${DEFAULT-VALUE}")
    double renderWarmup;

    @Option(names = "--threads", description = "Render threads of the multi-threaded runs. Default: the cores")
    Integer threads;

    @Option(names = "--max-in-flight", description = "DeliveryConfig.maxInFlight. Default: " + DeliveryConfig.DEFAULT_MAX_IN_FLIGHT)
    Integer maxInFlight;

    @Option(names = "--per-host", description = "DeliveryConfig.perHostConcurrency. Default: " + DeliveryConfig.DEFAULT_PER_HOST_CONCURRENCY)
    Integer perHost;

    @Option(names = "--outbox-batch", description = "DeliveryConfig.batchSize (rows per outbox read). Default: " + DeliveryConfig.DEFAULT_BATCH_SIZE)
    Integer outboxBatch;

    @Option(names = "--poll-ms", description = "DeliveryConfig.pollInterval in ms. Default: 500")
    Integer pollMillis;

    @Option(names = "--submit-batch", description = "DeliveryConfig.submitBatch (outcomes per commit submission). Default: " + DeliveryConfig.DEFAULT_SUBMIT_BATCH)
    Integer submitBatch;

    @Option(names = "--lanes", defaultValue = "2", description = "Runtime lanes of the server. Default: ${DEFAULT-VALUE}")
    int lanes;

    @Option(names = "--store", defaultValue = "sqlite", description = "sqlite or postgres. Default: ${DEFAULT-VALUE}")
    ScoringCommand.StoreChoice store;

    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "With --store postgres: database in which a fresh schema is created and dropped. Default: ${DEFAULT-VALUE}")
    String pgUrl;

    @Option(names = "--secret-env", defaultValue = DEFAULT_SECRET_ENV,
            description = "Environment variable holding the fake's client secret; the connection reads it with { env: ... }. Default: ${DEFAULT-VALUE}")
    String secretEnv;

    @Option(names = "--sample-ms", defaultValue = "250", description = "Sampling period of arrivals and outbox. Default: ${DEFAULT-VALUE}")
    int sampleMillis;

    @Option(names = "--stall-seconds", defaultValue = "30", description = "Give up waiting when nothing moved for this long. Default: ${DEFAULT-VALUE}")
    int stallSeconds;

    @Option(names = "--examples", description = "The repository's examples directory. Default: found above the working directory")
    Path examplesOption;

    @Option(names = "--quick", description = "Smoke run: --leads 3000 --half-seconds 5 --render-seconds 1 --render-warmup 1 (options given explicitly win)")
    boolean quick;

    @Option(names = "--out", description = "Also write the figures as JSON to this file")
    Path out;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final BenchResources resources = new BenchResources();

    @Override
    public Integer call() throws Exception {
        applyQuick();
        validate();
        Path examples = ScoringDefinitions.locateExamples(examplesOption);
        WebhookDefinitions.campaignFile(examples);
        if (leads > 0 && (System.getenv(secretEnv) == null || System.getenv(secretEnv).isBlank())) {
            System.err.println("environment variable " + secretEnv + " is not set: the connection reads the fake's client secret from it "
                    + "(client_secret: { env: " + secretEnv + " }); run ./bench/webhooks, which sets it, or export it (any value)");
            return 2;
        }
        int renderThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("machine", machine());
        report.put("settings", settings(renderThreads));
        printHeader(examples, renderThreads);
        Thread cleanup = new Thread(this::closeAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Map<String, Object> phases = new LinkedHashMap<>();
        report.put("phases", phases);
        int failures = 0;
        try {
            if (renderSeconds > 0) failures += ScoringFigures.part(phases, "render", "phase 1: Liquid render of the seed templates (no server)",
                    fig -> WebhookRender.run(examples, renderSeconds, renderWarmup, renderThreads, fig));
            if (leads > 0) failures += ScoringFigures.part(phases, "sends", "phase 2: sends to the local fake Salesforce", fig -> sendPhase(examples, fig));
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
        if (!pr.hasMatchedOption("--half-seconds")) halfSeconds = 5;
        if (!pr.hasMatchedOption("--warmup-leads")) warmupLeads = 500;
        if (!pr.hasMatchedOption("--render-seconds")) renderSeconds = 1;
        if (!pr.hasMatchedOption("--render-warmup")) renderWarmup = 1;
    }

    private void validate() {
        if (leads < 0) throw new IllegalArgumentException("--leads must be ≥ 0 (0 skips the send phase)");
        if (warmupLeads < 0) throw new IllegalArgumentException("--warmup-leads must be ≥ 0");
        if (batch < 1 || batch > Workload.MAX_PER_ARRAY) throw new IllegalArgumentException("--batch must be 1..75");
        if (concurrency < 1 || concurrency > 4096) throw new IllegalArgumentException("--concurrency must be 1..4096");
        if (halfSeconds < 1) throw new IllegalArgumentException("--half-seconds must be ≥ 1");
        if (halfRate != null && !(halfRate > 0)) throw new IllegalArgumentException("--half-rate must be > 0");
        if (renderSeconds < 0 || renderWarmup < 0) throw new IllegalArgumentException("--render-seconds and --render-warmup must be ≥ 0");
        if (threads != null && (threads < 1 || threads > 1024)) throw new IllegalArgumentException("--threads must be 1..1024");
        if (!rateLimit.equals("none") && !rateLimit.equals("seed") && !rateLimit.matches("[1-9][0-9]{0,9}"))
            throw new IllegalArgumentException("--rate-limit must be none, seed or a whole number per minute");
        if (sampleMillis < 10 || sampleMillis > 2000) throw new IllegalArgumentException("--sample-ms must be 10..2000");
        if (stallSeconds < 1) throw new IllegalArgumentException("--stall-seconds must be ≥ 1");
        if (!pgUrl.startsWith("jdbc:postgresql://127.0.0.1") && !pgUrl.startsWith("jdbc:postgresql://localhost"))
            throw new IllegalArgumentException("--pg-url must point at 127.0.0.1 or localhost: the benchmark creates and drops schemas");
    }

    DeliveryConfig delivery() {
        DeliveryConfig d = DeliveryConfig.defaults();
        if (maxInFlight != null) d = d.withMaxInFlight(maxInFlight);
        if (perHost != null) d = d.withPerHostConcurrency(perHost);
        if (outboxBatch != null) d = d.withBatchSize(outboxBatch);
        if (pollMillis != null) d = d.withPollInterval(Duration.ofMillis(pollMillis));
        if (submitBatch != null) d = d.withSubmitBatch(submitBatch);
        return d;
    }

    // ---- resources ---------------------------------------------------------------------------------

    private <T extends AutoCloseable> T opened(T r) { return resources.opened(r); }

    private void closeAll() { resources.closeAll(); }

    // ---- phase 2 -------------------------------------------------------------------------------------

    private void sendPhase(Path examples, Map<String, Object> fig) {
        String secret = System.getenv(secretEnv);
        if (secret == null || secret.isBlank())
            throw new IllegalStateException("environment variable " + secretEnv + " is not set: the connection reads the fake's client secret from it "
                    + "(client_secret: { env: " + secretEnv + " }); run ./bench/webhooks, which sets it, or export it");
        FakeSalesforce fake = opened(FakeSalesforce.start(0).clientId(FakeSalesforce.DEFAULT_CLIENT_ID).clientSecret(secret).acceptAnyLead(true)
                .recordLimit(Math.max(leads, warmupLeads) + 10_000));
        Target target = opened(store == ScoringCommand.StoreChoice.sqlite ? Target.Sqlite.create(null) : Target.Postgres.create(pgUrl));
        WebhookDefinitions defs = opened(WebhookDefinitions.write(examples, fake.tokenUrl(), FakeSalesforce.DEFAULT_CLIENT_ID, secretEnv, rateLimit, withCanvas));
        DeliveryConfig delivery = delivery();
        String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        ServerConfig config = ServerConfig.of(0, target.jdbcUrl(), defs.dir())
                .withAdminKey(key)
                .withRateLimit(1_000_000_000, Duration.ofSeconds(1))
                .withLanes(lanes)
                .withDelivery(delivery);
        long t0 = System.nanoTime();
        KilnServer server = opened(KilnServer.start(config));
        URI base = URI.create("http://127.0.0.1:" + server.port());
        System.out.println("store: " + target.describe());
        System.out.printf("fake Salesforce: %s (token endpoint %s, any lead id accepted, client secret from $%s)%n", fake.baseUrl(), fake.tokenUrl(), secretEnv);
        System.out.printf("server: Kiln started in-process on port %d in %.1f s; %d lanes; definitions %s: the seed campaign (rate_limit %s), "
                        + "connection salesforce -> the fake%s; rate limit of the API not throttling%n",
                server.port(), (System.nanoTime() - t0) / 1e9, lanes, defs.dir(), defs.rateLimit(), withCanvas ? ", seed Canvas and segments" : "");
        System.out.println("delivery: " + delivery);
        fig.put("rate_limit", defs.rateLimit());
        fig.put("delivery_config", delivery.toString());
        fig.put("with_canvas", withCanvas);

        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()) {
            TrackLoad track = new TrackLoad(http, base, key);
            WebhookSends sends = new WebhookSends(http, track, server, fake, concurrency, batch, sampleMillis, stallSeconds);

            int w = warmupLeads;
            if (w > 0) {
                System.out.println();
                Map<String, Object> wa = new LinkedHashMap<>(), wb = new LinkedHashMap<>();
                sends.out = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
                long t1 = System.nanoTime();
                try {
                    sends.createAndDrain(0, w, wa);
                    sends.scoreRun("warm-up", 0, w, 0, wb);
                } finally {
                    sends.out = System.out;
                }
                System.out.printf("--- warm-up (not counted): lead-0 … lead-%d created, their aborts drained (%,.0f /s), then handed off at full speed "
                                + "(%,.0f sends/s, checks %s) in %.1f s%n", w - 1, num(wa.get("aborts_per_second")), num(wb.get("sends_per_second_10_to_90")),
                        Boolean.TRUE.equals(wb.get("all_right")) ? "ok" : "MISMATCH: " + wb, (System.nanoTime() - t1) / 1e9);
                fig.put("warmup", Json.obj("leads", w, "aborts_per_second", wa.get("aborts_per_second"),
                        "sends_per_second", wb.get("sends_per_second_10_to_90"), "all_right", wb.get("all_right")));
            }

            System.out.println();
            System.out.println("--- full-speed run: " + String.format("%,d", leads) + " leads");
            Map<String, Object> a = new LinkedHashMap<>();
            fig.put("leads_full", a);
            sends.createAndDrain(w, w + leads, a);
            Map<String, Object> full = new LinkedHashMap<>();
            fig.put("full_speed", full);
            fake.recordLimit(leads + 10_000);
            WebhookSends.Result f = sends.scoreRun(String.format("full speed: lead score -> %d for %,d leads", WebhookSends.SCORE, leads), w, w + leads, 0, full);
            System.out.printf("  target: ≥ %,.0f webhook sends/s (Braze's maximum campaign rate, 500,000/min) — measured %,.0f /s (steady): %s%n",
                    TARGET_SENDS_PER_SECOND, f.steadySendsPerSecond(), ScoringFigures.verdict(f.steadySendsPerSecond() >= TARGET_SENDS_PER_SECOND));

            double rate = halfRate != null ? halfRate : f.steadySendsPerSecond() / 2;
            if (!(rate > 0)) throw new IllegalStateException("no sends/s measured: cannot pace the half-rate run (give --half-rate)");
            int n = (int) Math.min(2_000_000, Math.max(batch, Math.ceil(rate * halfSeconds / batch) * batch));
            System.out.println();
            System.out.printf("--- half-rate run: %,d fresh leads paced at %,.0f leads/s (%s) for about %d s%n", n, rate,
                    halfRate != null ? "--half-rate" : "half the full run's steady sends/s", halfSeconds);
            Map<String, Object> b = new LinkedHashMap<>();
            fig.put("leads_half", b);
            sends.createAndDrain(w + leads, w + leads + n, b);
            Map<String, Object> half = new LinkedHashMap<>();
            fig.put("half_rate", half);
            fake.recordLimit(n + 10_000);
            WebhookSends.Result h = sends.scoreRun(String.format("half rate: lead score -> %d for %,d leads at %,.0f leads/s", WebhookSends.SCORE, n, rate),
                    w + leads, w + leads + n, rate, half);
            double p99 = ScoringFigures.value(h.from201(), 99) / 1000.0;
            System.out.printf("  target: p99 score change -> request at the endpoint < %.0f ms at half the rate — measured p99 %.2f ms (from the 201), "
                    + "%.2f ms from the scheduled send: %s%n", TARGET_HALF_RATE_P99_MS, p99, ScoringFigures.value(h.fromSchedule(), 99) / 1000.0,
                    ScoringFigures.verdict(p99 < TARGET_HALF_RATE_P99_MS));
            half.put("half_rate_leads_per_second", rate);
        }
    }

    // ---- output ------------------------------------------------------------------------------------

    private void printHeader(Path examples, int renderThreads) {
        System.out.println("Kiln webhook benchmark — figures beside the targets, nothing asserted");
        System.out.printf("machine: %d cores, %s %s, max heap %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Heap.mb(Heap.maxBytes()),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("server, fake Salesforce and load generator share this JVM and these cores");
        System.out.println("load average before the run: " + IngestCommand.loadAverage() + " (other work on the machine skews every figure; see 'other processes' below)");
        System.out.printf("settings: leads=%,d warmup-leads=%,d half-seconds=%d half-rate=%s batch=%d concurrency=%d rate-limit=%s with-canvas=%s render-seconds=%.1f render-warmup=%.1f "
                        + "threads=%d lanes=%d store=%s%s%n", leads, warmupLeads, halfSeconds, halfRate == null ? "auto" : String.format("%,.0f", halfRate), batch, concurrency,
                rateLimit, withCanvas, renderSeconds, renderWarmup, renderThreads, lanes, store, quick ? " (--quick)" : "");
        System.out.println("seed campaign: " + WebhookDefinitions.campaignFile(examples).toAbsolutePath());
        if (!rateLimit.equals("none") && leads > 0) {
            double perMinute = rateLimit.equals("seed") ? 1000 : Double.parseDouble(rateLimit);   // the seed's per_minute
            System.out.printf("note: with a campaign rate_limit every message waits for it, aborts included (the dispatcher applies it before rendering): "
                    + "the %,d + %,d leads' messages alone need at least %.1f min%s%n", warmupLeads, leads, 2.0 * (warmupLeads + leads) / perMinute,
                    rateLimit.equals("seed") ? " (assuming the seed's per_minute: 1000)" : "");
        }
    }

    private Map<String, Object> settings(int renderThreads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leads", leads);
        m.put("warmup_leads", warmupLeads);
        m.put("half_seconds", halfSeconds);
        m.put("half_rate", halfRate);
        m.put("batch", batch);
        m.put("concurrency", concurrency);
        m.put("rate_limit", rateLimit);
        m.put("with_canvas", withCanvas);
        m.put("render_seconds", renderSeconds);
        m.put("render_warmup", renderWarmup);
        m.put("render_threads", renderThreads);
        m.put("lanes", lanes);
        m.put("store", store.name());
        m.put("delivery", delivery().toString());
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
        System.out.println("=== summary: the targets of issue 4 item 8 beside the figures (not asserted) ===");
        Map<String, Object> sends = (Map<String, Object>) phases.get("sends");
        if (sends != null && sends.get("full_speed") instanceof Map<?, ?> full && full.containsKey("sends_per_second_10_to_90")) {
            double v = num(full.get("sends_per_second_10_to_90"));
            line("webhook sends/s, seed template, local endpoint", String.format("%,.0f /s", v), String.format("≥ %,.0f /s", TARGET_SENDS_PER_SECOND),
                    v >= TARGET_SENDS_PER_SECOND, otherCores(full));
            System.out.printf("  %-48s %.3f ms CPU per handoff (this JVM: server + fake + load generator)%n", "", num(full.get("cpu_ms_per_send")));
            s.put("sends_per_second", v);
            s.put("cpu_ms_per_send", full.get("cpu_ms_per_send"));
        }
        if (sends != null && sends.get("half_rate") instanceof Map<?, ?> half && half.get("latency_201_to_arrival_us") instanceof Map<?, ?> lat) {
            double v = num(lat.get("p99")) / 1000;
            double upper = half.get("latency_request_sent_to_arrival_us") instanceof Map<?, ?> u ? num(u.get("p99")) / 1000 : Double.NaN;
            line(String.format("p99 score change (201) -> request, %,.0f /s", num(half.get("half_rate_leads_per_second"))), String.format("%.2f ms", v),
                    String.format("< %.0f ms", TARGET_HALF_RATE_P99_MS), v < TARGET_HALF_RATE_P99_MS, otherCores(half));
            line("  the same from the update request sent (bound)", String.format("%.2f ms", upper),
                    String.format("< %.0f ms", TARGET_HALF_RATE_P99_MS), upper < TARGET_HALF_RATE_P99_MS, otherCores(half));
            s.put("half_rate_p99_ms", v);
            s.put("half_rate_p99_ms_from_request_sent", upper);
        }
        Map<String, Object> render = (Map<String, Object>) phases.get("render");
        if (render != null && render.containsKey("body_renders_per_core")) {
            double v = num(render.get("body_renders_per_core"));
            Object first = ((List<Object>) render.get("runs")).getFirst();
            line("Liquid render of the seed body, per core", String.format("%,.0f /s", v), String.format("≥ %,.0f /s", WebhookRender.TARGET_BODY_RENDERS_PER_CORE),
                    v >= WebhookRender.TARGET_BODY_RENDERS_PER_CORE, otherCores((Map<?, ?>) first));
            s.put("body_renders_per_core", v);
        }
        if (sends != null) {
            for (String k : List.of("full_speed", "half_rate")) {
                if (!(sends.get(k) instanceof Map<?, ?> r) || !r.containsKey("lost")) continue;
                System.out.printf("  check %-10s exactly once %,.0f of %,.0f leads; lost %,.0f; duplicated %,.0f; profiles MQL %,.0f; statuses %s: %s%n", k,
                        num(r.get("exactly_once")), num(r.get("leads")), num(r.get("lost")), num(r.get("duplicated")), num(r.get("profiles_mql")),
                        r.get("statuses_at_fake"), Boolean.TRUE.equals(r.get("all_right")) ? "ok" : "MISMATCH");
                s.put(k + "_all_right", r.get("all_right"));
            }
        }
        for (var e : phases.entrySet())
            if (e.getValue() instanceof Map<?, ?> m && m.containsKey("error")) System.out.printf("  %s: FAILED (%s)%n", e.getKey(), m.get("error"));
        System.out.println("others = cores used by other processes during that measurement; server, fake and load generator share this JVM and its cores");
        return s;
    }

    private static void line(String what, String measured, String target, boolean met, double others) {
        System.out.printf("  %-48s %-20s target %-14s %-8s others %.2f cores%n", what, measured, target, ScoringFigures.verdict(met), others);
    }

    @SuppressWarnings("unchecked")
    private static double otherCores(Map<?, ?> fig) {
        if (fig == null || !(fig.get("cpu") instanceof Map<?, ?> cpu)) return Double.NaN;
        return num(((Map<String, Object>) cpu).get("other_processes_cores_busy"));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
