package dev.kiln.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kiln.liquid.Liquid;
import dev.kiln.liquid.LiquidTemplate;
import dev.kiln.liquid.RenderContext;
import dev.kiln.liquid.RenderResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntPredicate;

/**
 * Phase 1 of the webhook benchmark, no server: the seed campaign's templates (body, URL, headers, read verbatim
 * from {@code examples/campaigns/salesforce-mql.yaml}) compiled with {@link Liquid#compile} and rendered for varied
 * users on platform threads, as the dispatcher renders them ({@code WebhookRenderer}, package-private in
 * {@code delivery}, is mirrored here: body first and trimmed, then URL, then each header, trimmed and checked for
 * line breaks). Each thread counts its renders and its own CPU time, so renders per CPU-second (= per core) do not
 * depend on what else the machine runs.
 */
final class WebhookRender {
    static final double TARGET_BODY_RENDERS_PER_CORE = 50_000;
    private static final int USERS = 4096;
    private static final String TOKEN = "00DKILNFAKE0001!AQbenchtoken.0.1";
    private static final String INSTANCE = "https://kiln-bench.my.salesforce.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final LiquidTemplate url;
    private final Map<String, LiquidTemplate> headers = new LinkedHashMap<>();
    private final LiquidTemplate body;
    private final Map<String, Object> connections = Map.of("salesforce",
            Map.of("access_token", TOKEN, "instance_url", INSTANCE, "token_type", "Bearer"));
    /** Per user: a ready context (body alone), the data a snapshot holds, and the snapshot's JSON. */
    private final RenderContext[] above = new RenderContext[USERS], below = new RenderContext[USERS];
    private final List<Map<String, Object>> snapshots = new ArrayList<>();
    private final String[] snapshotJson = new String[USERS];

    private WebhookRender(JsonNode webhook) {
        this.url = Liquid.compile(webhook.path("url").asText(), "salesforce-mql#url");
        for (Iterator<Map.Entry<String, JsonNode>> it = webhook.path("headers").fields(); it.hasNext(); ) {
            var e = it.next();
            headers.put(e.getKey(), Liquid.compile(e.getValue().asText(), "salesforce-mql#headers." + e.getKey()));
        }
        this.body = Liquid.compile(webhook.path("body").asText(), "salesforce-mql#body");
        for (int i = 0; i < USERS; i++) {
            String id = "lead-" + (i * 7919 % 1_000_000);
            Map<String, Object> custom = new LinkedHashMap<>();
            custom.put("lead score", 101 + (i * 31) % 900);          // 101..1000: the body renders
            custom.put("lead_status", "new");
            Map<String, Object> standard = new LinkedHashMap<>();
            standard.put("first_name", "Lead" + i);
            standard.put("email_address", id + "@bench.example");
            Map<String, Object> snap = new LinkedHashMap<>();
            snap.put("braze_id", "b" + Long.toHexString(0x5a5a5a5a00L + i));
            snap.put("external_id", id);
            snap.put("standard", standard);
            snap.put("custom", custom);
            snap.put("event_properties", Map.of());
            snap.put("canvas_entry_properties", Map.of());
            snap.put("aliases", List.of());
            snap.put("time", 1_767_225_600_000L + i);
            snapshots.add(snap);
            try {
                snapshotJson[i] = JSON.writeValueAsString(snap);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            above[i] = context(snap, false).build();
            Map<String, Object> low = new LinkedHashMap<>(custom);
            low.put("lead score", i % 101);                          // 0..100: the body aborts
            below[i] = RenderContext.builder().externalId(id).customAttributes(low).build();
        }
    }

    static WebhookRender load(Path examples) {
        Path file = WebhookDefinitions.campaignFile(examples);
        try {
            JsonNode webhook = new YAMLMapper().readTree(file.toFile()).path("webhook");
            if (!webhook.path("body").isTextual() || !webhook.path("url").isTextual())
                throw new IllegalStateException(file + ": no webhook.url and webhook.body");
            return new WebhookRender(webhook);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private RenderContext.Builder context(Map<String, Object> snap, boolean withConnections) {
        RenderContext.Builder b = RenderContext.builder().brazeId((String) snap.get("braze_id")).externalId((String) snap.get("external_id"));
        ((Map<String, Object>) snap.get("standard")).forEach(b::standardAttribute);
        b.customAttributes((Map<String, Object>) snap.get("custom"))
                .eventProperties((Map<String, Object>) snap.get("event_properties"))
                .canvasEntryProperties((Map<String, Object>) snap.get("canvas_entry_properties"));
        if (withConnections) b.variable("connections", connections);
        return b;
    }

    // ---- the measured operations (true = as expected) ------------------------------------------------

    boolean bodyAbove(int i) {
        return body.render(above[i & (USERS - 1)]) instanceof RenderResult.Rendered r && r.output().indexOf("MQL") > 0;
    }

    boolean bodyBelow(int i) {
        return body.render(below[i & (USERS - 1)]) instanceof RenderResult.Aborted;
    }

    /** A whole request as the dispatcher renders it from the snapshot's data: context, body, URL, headers. */
    boolean request(int i) {
        return request(snapshots.get(i & (USERS - 1))) != null;
    }

    /** The same, starting from the snapshot's JSON text (the outbox row), as the dispatcher does. */
    boolean requestFromJson(int i) {
        try {
            return request(JSON.readValue(snapshotJson[i & (USERS - 1)], MAP)) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** {url, body, header values…}, or null when the body aborted or a header held a line break. */
    String[] request(Map<String, Object> snap) {
        RenderContext ctx = context(snap, true).build();
        if (!(body.render(ctx) instanceof RenderResult.Rendered b)) return null;
        String[] out = new String[2 + headers.size()];
        out[1] = b.output().strip();
        if (!(url.render(ctx) instanceof RenderResult.Rendered u)) return null;
        out[0] = u.output().strip();
        int k = 2;
        for (LiquidTemplate h : headers.values()) {
            if (!(h.render(ctx) instanceof RenderResult.Rendered r)) return null;
            String v = r.output().strip();
            if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) return null;
            out[k++] = v;
        }
        return out;
    }

    /** One user's rendered request, to show and to check once before measuring. */
    String sample() {
        String[] r = request(snapshots.getFirst());
        if (r == null) return "ABORTED";
        StringBuilder s = new StringBuilder(r[0]);
        int k = 2;
        for (String name : headers.keySet()) s.append(" | ").append(name).append(": ").append(r[k++]);
        return s.append(" | body ").append(r[1].replace("\n", "\\n")).toString();
    }

    boolean sampleIsRight() {
        String[] r = request(snapshots.getFirst());
        if (r == null) return false;
        try {
            return r[0].equals(INSTANCE + "/services/data/v60.0/sobjects/Lead/" + snapshots.getFirst().get("external_id"))
                    && JSON.readTree(r[1]).equals(JSON.readTree("{\"lead_status\":\"MQL\"}"))
                    && List.of(r).contains("Bearer " + TOKEN);
        } catch (IOException e) {
            return false;
        }
    }

    // ---- measuring -------------------------------------------------------------------------------------

    /** One measured run: renders, wall time, the rendering threads' CPU time, wrong results. */
    record Run(String what, int threads, long renders, long wrong, double seconds, double threadCpuSeconds, CpuSplit.Split cpu) {
        double perSecond() { return renders / seconds; }
        /** Renders per CPU-second of the rendering threads: what one core does. */
        double perCore() { return threadCpuSeconds > 0 ? renders / threadCpuSeconds : Double.NaN; }

        Map<String, Object> json() {
            return Json.obj("operation", what, "threads", threads, "renders", renders, "wrong_results", wrong, "seconds", seconds,
                    "renders_per_second", perSecond(), "thread_cpu_seconds", threadCpuSeconds, "renders_per_cpu_second", perCore(),
                    "cpu", CpuSplit.json(cpu));
        }
    }

    static Run measure(String what, IntPredicate op, int threads, double seconds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isCurrentThreadCpuTimeSupported() && !mx.isThreadCpuTimeEnabled()) mx.setThreadCpuTimeEnabled(true);
        long[] renders = new long[threads], wrong = new long[threads], cpu = new long[threads];
        CountDownLatch ready = new CountDownLatch(threads), go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            ts.add(Thread.ofPlatform().name("bench-render-" + t).start(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                long c0 = mx.getCurrentThreadCpuTime();
                long n = 0, bad = 0;
                int i = k * 1021;
                while (true) {
                    for (int j = 0; j < 64; j++) if (!op.test(i++)) bad++;
                    n += 64;
                    if (System.nanoTime() >= end) break;
                }
                cpu[k] = mx.getCurrentThreadCpuTime() - c0;
                renders[k] = n;
                wrong[k] = bad;
            }));
        }
        try {
            ready.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        CpuSplit split = new CpuSplit();
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        double wall = (System.nanoTime() - window[0]) / 1e9;
        CpuSplit.Split s = split.finish();
        long n = 0, bad = 0, c = 0;
        for (int t = 0; t < threads; t++) {
            n += renders[t];
            bad += wrong[t];
            c += cpu[t];
        }
        return new Run(what, threads, n, bad, wall, c / 1e9, s);
    }

    /** The whole phase; figures go into {@code fig}. Returns the single-thread body render rate per core. */
    static double run(Path examples, double seconds, double warmup, int threads, Map<String, Object> fig) {
        WebhookRender r = load(examples);
        System.out.println("templates: " + WebhookDefinitions.campaignFile(examples).toAbsolutePath() + " (webhook url, headers, body verbatim), compiled once");
        System.out.println("one rendered request (lead score > 100, connections.salesforce given): " + r.sample());
        boolean right = r.sampleIsRight();
        System.out.println("  check: URL, Authorization and the body {\"lead_status\":\"MQL\"}: " + (right ? "ok" : "WRONG"));
        fig.put("sample_request", r.sample());
        fig.put("sample_right", right);
        System.out.printf("users: %,d varied (external ids, names, e-mails; lead score 101..1000 for the body, 0..100 for the abort path); "
                + "%.0f s per run after a warm-up of %.0f s per operation; per core = renders / CPU-seconds of the rendering threads%n", USERS, seconds, warmup);
        if (warmup > 0) {                              // each operation, so that the JIT has compiled all of them
            measure("warm-up", r::bodyAbove, threads, warmup);
            measure("warm-up", r::bodyBelow, threads, warmup);
            measure("warm-up", r::request, threads, warmup);
            measure("warm-up", r::requestFromJson, threads, warmup);
        }
        List<Run> runs = new ArrayList<>();
        runs.add(measure("body (renders: lead score > 100)", r::bodyAbove, 1, seconds));
        if (threads > 1) runs.add(measure("body (renders: lead score > 100)", r::bodyAbove, threads, seconds));
        runs.add(measure("body (aborts: lead score <= 100)", r::bodyBelow, 1, seconds));
        runs.add(measure("request: context + body + URL + headers", r::request, 1, seconds));
        if (threads > 1) runs.add(measure("request: context + body + URL + headers", r::request, threads, seconds));
        runs.add(measure("request from the snapshot JSON (+ parse)", r::requestFromJson, 1, seconds));
        System.out.printf("  %-44s %7s %14s %16s %8s %s%n", "operation", "threads", "renders/s", "per core (CPU-s)", "wrong", "CPU");
        List<Object> out = new ArrayList<>();
        for (Run run : runs) {
            System.out.printf("  %-44s %7d %,14.0f %,16.0f %8d this process %.2f cores, other processes %.2f cores%n", run.what(), run.threads(),
                    run.perSecond(), run.perCore(), run.wrong(), run.cpu().coresBusy(), run.cpu().otherCores());
            out.add(run.json());
        }
        fig.put("runs", out);
        Run body1 = runs.getFirst();
        System.out.printf("  target: Liquid render of the seed body ≥ %,.0f /s per core — measured %,.0f /s per core (1 thread, %,.0f /s wall clock): %s%n",
                TARGET_BODY_RENDERS_PER_CORE, body1.perCore(), body1.perSecond(), ScoringFigures.verdict(body1.perCore() >= TARGET_BODY_RENDERS_PER_CORE));
        fig.put("body_renders_per_core", body1.perCore());
        fig.put("body_renders_per_second_1_thread", body1.perSecond());
        return body1.perCore();
    }
}
