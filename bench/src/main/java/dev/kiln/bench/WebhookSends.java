package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.Identifier;
import dev.kiln.server.KilnServer;
import dev.kiln.server.fake.FakeSalesforce;
import dev.kiln.server.fake.Recorded;
import dev.kiln.store.MessageLogQuery;
import dev.kiln.store.MessageLogRow;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Phase 2 of the webhook benchmark, against the real server and the fake Salesforce in this JVM: leads created with
 * {@code lead score} 0 (each makes one message of the seed campaign, which aborts), then runs that set
 * {@code lead score} 150 for a range of leads through {@code /users/track} and follow every PATCH to the fake.
 *
 * <p>Times are wall-clock microseconds from the same clock the fake stamps arrivals with ({@code Clock.systemUTC},
 * i.e. {@link Instant#now()}), so "201 → arrival" is measured per lead: the 201 of the request that carried its
 * score change (the change is committed when the server answers 201) to the arrival of its PATCH at the fake.
 */
final class WebhookSends {
    static final int SCORE = 150;
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(600);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode MQL_BODY = json("{\"lead_status\":\"MQL\"}");

    private final HttpClient http;
    private final TrackLoad track;
    private final ScoringLoad load;
    private final KilnServer server;
    private final FakeSalesforce fake;
    private final int concurrency;
    private final int batch;
    private final int sampleMillis;
    private final int stallSeconds;
    /** Where the figures are printed; a null stream for the unmeasured warm-up. */
    java.io.PrintStream out = System.out;

    WebhookSends(HttpClient http, TrackLoad track, KilnServer server, FakeSalesforce fake, int concurrency, int batch,
                 int sampleMillis, int stallSeconds) {
        this.http = http;
        this.track = track;
        this.load = new ScoringLoad(http, track);
        this.server = server;
        this.fake = fake;
        this.concurrency = concurrency;
        this.batch = batch;
        this.sampleMillis = sampleMillis;
        this.stallSeconds = stallSeconds;
    }

    static long nowMicros() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- leads and their aborts ----------------------------------------------------------------------

    /**
     * Creates {@code lead-from … lead-(to-1)} (lead score 0, lead_status new) and waits until every message they
     * made has aborted and left the outbox. Returns aborts/s from the first create request to the empty outbox.
     */
    double createAndDrain(int from, int to, Map<String, Object> fig) {
        int n = to - from;
        fake.clearRequests();
        Scrape before = track.scrape();
        CpuSplit cpu = new CpuSplit();
        long t0 = System.nanoTime();
        // each new lead's lead score (none -> 0) triggers the campaign; the body aborts at <= 100. Sampled while the
        // leads are being created and until the outbox is empty.
        java.util.concurrent.atomic.AtomicReference<TrackLoad.Created> done = new java.util.concurrent.atomic.AtomicReference<>();
        AtomicLong createEnd = new AtomicLong();
        Thread creator = Thread.ofPlatform().name("bench-create").start(() -> {
            done.set(load.createRange(from, to, concurrency, 10));
            createEnd.set(System.nanoTime());
        });
        List<double[]> samples = new ArrayList<>();    // {seconds since t0, aborted, outbox}
        double createSeconds = Double.NaN, lastChange = 0;
        int createdAt = -1;                            // the first sample after the last create request was answered
        long lastValue = -1;
        boolean stalled = false;
        while (true) {
            boolean creating = creator.isAlive();
            Scrape s = track.scrape();
            double aborted = s.sum("kiln_delivery_outcomes_total", "outcome", "aborted") - before.sum("kiln_delivery_outcomes_total", "outcome", "aborted");
            long outbox = server.store().countOutbox();
            double at = (System.nanoTime() - t0) / 1e9;
            samples.add(new double[]{at, aborted, outbox});
            if (!creating && createdAt < 0) {
                createdAt = samples.size() - 1;
                createSeconds = at;
            }
            if (!creating && outbox == 0 && aborted >= n) break;
            long v = (long) aborted * 1_000_000 + outbox;
            if (v != lastValue || creating) {
                lastValue = v;
                lastChange = at;
            } else if (at - lastChange > stallSeconds) {
                stalled = true;
                break;
            }
            sleep(sampleMillis);
        }
        try {
            creator.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        TrackLoad.Created created = done.get();
        createSeconds = (createEnd.get() - t0) / 1e9;
        out.printf("leads: lead-%d … lead-%d created through /users/track (lead score 0, lead_status new; 75 per request, %d in flight) in %.1f s = %,.0f profiles/s; %d failed requests%n",
                from, to - 1, concurrency, createSeconds, n / createSeconds, created.failed());
        created.errorSamples().forEach(e -> out.println("  ! " + e));
        CpuSplit.Split split = cpu.finish();
        Scrape after = track.scrape();
        double[] last = samples.getLast();
        double all = last[0];
        double steady = steadyRate(samples, 1, n);
        Map<String, Double> outcomes = outcomes(before, after);
        long patches = fake.requestCount();
        out.printf("  aborts: %,.0f messages aborted (body: lead score <= 100) and left the outbox %.2f s after the first create request = %,.0f aborts/s "
                        + "(creation included); %,.0f /s between 10 %% and 90 %% of them (sampled every %d ms)%s%n",
                last[1], all, last[1] / all, steady, sampleMillis, stalled ? "; STALLED: no progress for " + stallSeconds + " s" : "");
        double[] first = samples.get(createdAt);                              // taken as the last create request was answered
        double backlog = last[0] > first[0] && last[1] - first[1] >= 10 ? (last[1] - first[1]) / (last[0] - first[0]) : Double.NaN;
        out.printf("  backlog after the last create request: %,.0f messages aborted in %.2f s = %,.0f aborts/s (no commit wakes the dispatcher then)%n",
                last[1] - first[1], last[0] - first[0], backlog);
        out.printf("  check: outcomes %s; outbox left %,d; requests at the fake %d (%s)%n", outcomes, (long) last[2], patches,
                patches == 0 && last[2] == 0 && last[1] == n ? "ok" : "MISMATCH: expected " + n + " aborts, no request, empty outbox");
        out.println("  timeline (s: aborted/outbox): " + timeline(samples));
        out.printf("  CPU per lead: %.3f ms of this process (create + abort)%n", 1000 * split.processCpuSeconds() / Math.max(1, n));
        out.println("  " + ScoringFigures.cpu(split));
        fig.put("leads", n);
        fig.put("create_seconds", createSeconds);
        fig.put("profiles_per_second", n / createSeconds);
        fig.put("failed_create_requests", created.failed());
        fig.put("aborted", last[1]);
        fig.put("seconds_to_all_aborted", all);
        fig.put("aborts_per_second", last[1] / all);
        fig.put("aborts_per_second_10_to_90", steady);
        fig.put("aborts_per_second_backlog_after_creation", backlog);
        fig.put("cpu_ms_per_lead", 1000 * split.processCpuSeconds() / Math.max(1, n));
        fig.put("stalled", stalled);
        fig.put("outcomes", outcomes);
        fig.put("outbox_left", (long) last[2]);
        fig.put("requests_at_fake", patches);
        fig.put("cpu", CpuSplit.json(split));
        return last[1] / all;
    }

    // ---- score runs ------------------------------------------------------------------------------------

    /** What one score run measured. */
    record Result(int leads, long accepted, double steadySendsPerSecond, double overallSendsPerSecond, double peakSendsPerSecond,
                  Histogram from201, Histogram fromSend, Histogram fromSchedule, long negative, long lost, long duplicates,
                  long mqlProfiles, CpuSplit.Split cpu) {}

    /**
     * Sets {@code lead score} {@value #SCORE} for {@code lead-from … lead-(to-1)}, {@code batch} per request, as fast as
     * {@code concurrency} requests in flight allow ({@code leadsPerSecond} 0) or paced; waits until every PATCH
     * arrived and every outcome committed; checks; prints.
     */
    Result scoreRun(String title, int from, int to, double leadsPerSecond, Map<String, Object> fig) {
        int n = to - from;
        long[] sentAt = new long[n], okAt = new long[n], scheduledAt = new long[n];
        fake.clearRequests();
        Scrape before = track.scrape();
        CpuSplit cpu = new CpuSplit();
        Sampler sampler = new Sampler();
        Thread samplerThread = Thread.ofPlatform().daemon().name("bench-sampler").start(sampler);

        // the updates
        int batches = (n + batch - 1) / batch;
        long startNanos = System.nanoTime();
        long startMicros = nowMicros();
        long interval = leadsPerSecond > 0 ? (long) (1e9 * batch / leadsPerSecond) : 0;
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        Map<String, Long> problems = Collections.synchronizedMap(new TreeMap<>());
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) ex.submit(() -> {
                int b;
                while ((b = next.getAndIncrement()) < batches) {
                    int a = b * batch, z = Math.min(n, a + batch);
                    long intended = 0;
                    if (interval > 0) {
                        long t = startNanos + b * interval;
                        long wait;
                        while ((wait = t - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
                        intended = startMicros + (t - startNanos) / 1000;
                    }
                    String body = scoreBody(from + a, from + z);
                    long sent = nowMicros();
                    try {
                        HttpResponse<String> r = http.send(track.post("/users/track", body), HttpResponse.BodyHandlers.ofString());
                        long ok = nowMicros();
                        if (r.statusCode() == 201 && !r.body().contains("\"errors\"")) {
                            for (int i = a; i < z; i++) {
                                sentAt[i] = sent;
                                okAt[i] = ok;
                                scheduledAt[i] = interval > 0 ? intended : sent;
                            }
                        } else {
                            failed.incrementAndGet();
                            problems.merge(String.valueOf(r.statusCode()), 1L, Long::sum);
                            if (samples.size() < 3) samples.add(r.statusCode() + " " + r.body());
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        problems.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                        if (samples.size() < 3) samples.add(e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
            ex.shutdown();
            if (!ex.awaitTermination(30, TimeUnit.MINUTES)) ex.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        double sendSeconds = (System.nanoTime() - startNanos) / 1e9;
        long accepted = Arrays.stream(okAt).filter(t -> t > 0).count();

        // every PATCH arrived and every outcome committed (nothing left in the outbox: nothing more can be sent)
        boolean stalled = waitFor(() -> sampler.arrived204 >= accepted, () -> sampler.arrived204);
        boolean outboxStalled = waitFor(() -> server.store().countOutbox() == 0, () -> server.store().countOutbox());
        double doneSeconds = (System.nanoTime() - startNanos) / 1e9;
        sampler.stop = true;
        try {
            samplerThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CpuSplit.Split split = cpu.finish();
        Scrape after = track.scrape();

        // what arrived
        List<Recorded> recorded = fake.requests();
        long logged = fake.requestCount();
        int[] patches = new int[n], ok204 = new int[n];
        long[] arrival = new long[n];
        long tokens = 0, badBody = 0, outside = 0, other = 0;
        Map<Integer, Long> statuses = new TreeMap<>();
        List<String> badBodies = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        for (Recorded r : recorded) {
            if (r.path().equals(FakeSalesforce.TOKEN_PATH)) {
                tokens++;
                statuses.merge(r.status(), 1L, Long::sum);
                continue;
            }
            statuses.merge(r.status(), 1L, Long::sum);
            int idx = r.isPatch() ? leadIndex(r.leadId().orElse(null)) : -1;
            if (idx < 0) {
                other++;
                continue;
            }
            if (idx < from || idx >= to) {
                outside++;
                continue;
            }
            int i = idx - from;
            patches[i]++;
            if (r.status() == 204) {
                ok204[i]++;
                long t = micros(r.time());
                arrivals.add(t);
                if (arrival[i] == 0 || t < arrival[i]) arrival[i] = t;
                if (!bodyIsMql(r.body())) {
                    badBody++;
                    if (badBodies.size() < 3) badBodies.add("lead-" + idx + ": " + r.body().replace("\n", "\\n"));
                }
            }
        }
        Histogram from201 = new Histogram(HIGHEST_MICROS, 3), fromSend = new Histogram(HIGHEST_MICROS, 3), fromSchedule = new Histogram(HIGHEST_MICROS, 3);
        long negative = 0, lost = 0, duplicates = 0, extraAttempts = 0;
        List<Integer> lostIdx = new ArrayList<>(), dupIdx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (ok204[i] > 1) {
                duplicates++;
                if (dupIdx.size() < 5) dupIdx.add(from + i);
            }
            if (patches[i] > ok204[i]) extraAttempts += patches[i] - ok204[i];
            if (okAt[i] == 0) continue;                                  // the update was not accepted
            if (ok204[i] == 0) {
                lost++;
                if (lostIdx.size() < 5) lostIdx.add(from + i);
                continue;
            }
            long d = arrival[i] - okAt[i];
            if (d < 0) negative++;
            from201.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, d)));
            fromSend.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, arrival[i] - sentAt[i])));
            fromSchedule.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, arrival[i] - scheduledAt[i])));
        }
        Collections.sort(arrivals);
        long lastOk = Arrays.stream(okAt).max().orElse(startMicros);
        double steady = Double.NaN, overall = Double.NaN, peak = 0, during = Double.NaN, backlog = Double.NaN;
        long afterUpdates = 0;
        if (arrivals.size() >= 10) {
            // while updates arrive (commits with new outbox rows wake the dispatcher) and after the last 201 (the backlog)
            long in = arrivals.stream().filter(t -> t <= lastOk).count();
            afterUpdates = arrivals.size() - in;
            during = in / ((lastOk - startMicros) / 1e6);
            if (afterUpdates >= 10) backlog = afterUpdates / ((arrivals.getLast() - lastOk) / 1e6);
            int a = arrivals.size() / 10, z = arrivals.size() * 9 / 10;
            steady = (z - a) / ((arrivals.get(z) - arrivals.get(a)) / 1e6);
            overall = arrivals.size() / ((arrivals.getLast() - startMicros) / 1e6);
            for (int i = 0, j = 0; i < arrivals.size(); i++) {                 // busiest 1 s window
                while (arrivals.get(i) - arrivals.get(j) >= 1_000_000) j++;
                peak = Math.max(peak, i - j + 1);
            }
        }
        long mql = exportMql(from, to, fig);

        // print
        Map<String, Double> outcomes = outcomes(before, after);
        out.println(title + ":");
        out.printf("  updates: %,d leads (lead score -> %d, %d per request, %d in flight%s) sent in %.2f s = %,.0f leads/s accepted; %,d accepted (201); %d failed requests %s%n",
                n, SCORE, batch, concurrency, interval > 0 ? String.format(", paced at %,.0f leads/s", leadsPerSecond) : ", as fast as possible",
                sendSeconds, accepted / sendSeconds, accepted, failed.get(), problems.isEmpty() ? "" : problems.toString());
        samples.forEach(s -> out.println("    e.g. " + s));
        out.printf("  sends (204 at the fake) %,10.0f /s  steady: between 10 %% and 90 %% of the arrivals; %,.0f /s overall (first update sent -> last arrival); "
                        + "busiest second %,.0f; all arrived %.2f s after the first update%n",
                steady, overall, peak, arrivals.isEmpty() ? Double.NaN : (arrivals.getLast() - startMicros) / 1e6);
        out.printf("                          %,10.0f /s  while the updates were being accepted (%,d PATCHes until the last 201, %.2f s); "
                        + "%,.0f /s after it (%,d PATCHes left in the backlog%s)%n",
                during, arrivals.size() - afterUpdates, (lastOk - startMicros) / 1e6, backlog, afterUpdates,
                afterUpdates >= 10 ? String.format(", %.2f s", (arrivals.getLast() - lastOk) / 1e6) : "; too few to rate");
        out.println("  latency score change committed (201) -> PATCH at the fake: " + ScoringFigures.latencies(from201)
                + (negative > 0 ? String.format("  (%,d PATCHes arrived before the client had read its 201; counted as 0)", negative) : ""));
        out.println("  latency update request sent -> PATCH at the fake:          " + ScoringFigures.latencies(fromSend));
        if (interval > 0) out.println("  latency scheduled send -> PATCH at the fake:              " + ScoringFigures.latencies(fromSchedule));
        out.println("  timeline (s after the first update: PATCHes answered 204; in flight/parked/outbox): " + sampler.timeline(startNanos));
        out.printf("  delivery (server /metrics): outcomes %s; HTTP requests %,.0f; reauthorized %,.0f; commit failures %,.0f; render mean %.3f ms; "
                        + "send latency p50 <= %.1f ms, p99 <= %.1f ms (bucket bounds); max in flight %d, max parked %d, max outbox lag %.2f s, max outbox %,d%n",
                outcomes, delta(before, after, "kiln_delivery_requests_total"), delta(before, after, "kiln_delivery_reauthorized_total"),
                delta(before, after, "kiln_delivery_commit_failures_total"),
                1000 * delta(before, after, "kiln_delivery_render_seconds_sum") / Math.max(1, delta(before, after, "kiln_delivery_render_seconds_count")),
                1000 * Scrape.quantileBetween(before, after, "kiln_delivery_send_latency_seconds", 0.5),
                1000 * Scrape.quantileBetween(before, after, "kiln_delivery_send_latency_seconds", 0.99),
                sampler.maxInFlight, sampler.maxParked, sampler.maxLag, sampler.maxOutbox);
        double commits = delta(before, after, "kiln_commit_batch_ops_count"), ops = delta(before, after, "kiln_commit_batch_ops_sum");
        out.printf("  commits (server): %,.0f ops in %,.0f commits (%,.0f /s, mean %,.1f ops per commit, mean commit %.2f ms); submit -> commit p99 <= %.1f ms (bucket bound)%n",
                ops, commits, commits / doneSeconds, commits > 0 ? ops / commits : 0,
                1000 * delta(before, after, "kiln_commit_latency_seconds_sum") / Math.max(1, delta(before, after, "kiln_commit_latency_seconds_count")),
                1000 * Scrape.quantileBetween(before, after, "kiln_submit_to_commit_seconds", 0.99));
        long exactlyOnce = 0;
        for (int i = 0; i < n; i++) if (okAt[i] > 0 && ok204[i] == 1 && patches[i] == 1) exactlyOnce++;
        boolean allRight = exactlyOnce == accepted && accepted == n && lost == 0 && duplicates == 0 && badBody == 0 && mql == n
                && outside == 0 && other == 0 && logged == recorded.size() && !stalled && !outboxStalled;
        out.printf("  check: exactly one PATCH, answered 204, for %,d of %,d leads; lost (accepted, no 204) %,d; duplicated (more than one 204) %,d; other PATCH attempts %,d; "
                        + "bodies not {\"lead_status\":\"MQL\"} %,d; lead_status MQL in the profiles (/users/export/ids, every lead) %,d of %,d; "
                        + "requests outside the run's leads %,d, not a lead PATCH %,d; token requests %,d; %s%n",
                exactlyOnce, n, lost, duplicates, extraAttempts, badBody, mql, n, outside, other, tokens,
                allRight ? "ok" : "MISMATCH");
        out.printf("  statuses at the fake: 204 %,d; 401 %,d; 503 %,d; other %s (token endpoint included)%s%s%n",
                statuses.getOrDefault(204, 0L), statuses.getOrDefault(401, 0L), statuses.getOrDefault(503, 0L), otherStatuses(statuses),
                logged != recorded.size() ? String.format("; ! the fake's record log dropped %,d requests (raise its limit)", logged - recorded.size()) : "",
                stalled || outboxStalled ? "; ! STALLED: no progress for " + stallSeconds + " s (arrivals " + stalled + ", outbox " + outboxStalled + ")" : "");
        badBodies.forEach(s -> out.println("    body e.g. " + s));
        if (!lostIdx.isEmpty()) out.println("    lost e.g. " + describe(lostIdx, recorded));
        if (!dupIdx.isEmpty()) out.println("    duplicated e.g. " + describe(dupIdx, recorded));
        double cpuPerSend = 1000 * split.processCpuSeconds() / Math.max(1, arrivals.size());
        out.printf("  CPU per handoff: %.3f ms of this process per PATCH sent (server + fake + load generator: update, commit, outbox, render, send, "
                + "outcome commit), i.e. at most %,.0f handoffs/s if all %d cores did only this%n", cpuPerSend,
                1000 * Runtime.getRuntime().availableProcessors() / cpuPerSend, Runtime.getRuntime().availableProcessors());
        out.println("  " + ScoringFigures.cpu(split));

        fig.put("leads", n);
        fig.put("paced_leads_per_second", leadsPerSecond > 0 ? leadsPerSecond : null);
        fig.put("batch", batch);
        fig.put("update_seconds", sendSeconds);
        fig.put("updates_accepted", accepted);
        fig.put("updates_accepted_per_second", accepted / sendSeconds);
        fig.put("failed_update_requests", failed.get());
        fig.put("sends_per_second_10_to_90", steady);
        fig.put("sends_per_second_overall", overall);
        fig.put("sends_busiest_second", peak);
        fig.put("sends_per_second_while_updates_accepted", during);
        fig.put("sends_per_second_backlog_after_last_update", backlog);
        fig.put("sends_after_last_update", afterUpdates);
        fig.put("latency_201_to_arrival_us", ScoringFigures.percentilesMicros(from201));
        fig.put("latency_request_sent_to_arrival_us", ScoringFigures.percentilesMicros(fromSend));
        if (interval > 0) fig.put("latency_scheduled_to_arrival_us", ScoringFigures.percentilesMicros(fromSchedule));
        fig.put("arrived_before_201_read", negative);
        fig.put("exactly_once", exactlyOnce);
        fig.put("lost", lost);
        fig.put("duplicated", duplicates);
        fig.put("other_patch_attempts", extraAttempts);
        fig.put("bad_bodies", badBody);
        fig.put("profiles_mql", mql);
        fig.put("requests_outside_run", outside);
        fig.put("requests_not_lead_patch", other);
        fig.put("token_requests", tokens);
        fig.put("statuses_at_fake", statuses);
        fig.put("fake_log_dropped", logged - recorded.size());
        fig.put("stalled", stalled || outboxStalled);
        fig.put("delivery_outcomes", outcomes);
        fig.put("delivery_requests", delta(before, after, "kiln_delivery_requests_total"));
        fig.put("delivery_reauthorized", delta(before, after, "kiln_delivery_reauthorized_total"));
        fig.put("delivery_commit_failures", delta(before, after, "kiln_delivery_commit_failures_total"));
        fig.put("render_mean_ms", 1000 * delta(before, after, "kiln_delivery_render_seconds_sum") / Math.max(1, delta(before, after, "kiln_delivery_render_seconds_count")));
        fig.put("send_latency_p99_ms_bucket", 1000 * Scrape.quantileBetween(before, after, "kiln_delivery_send_latency_seconds", 0.99));
        fig.put("max_in_flight", sampler.maxInFlight);
        fig.put("max_parked", sampler.maxParked);
        fig.put("max_outbox_lag_s", sampler.maxLag);
        fig.put("max_outbox", sampler.maxOutbox);
        fig.put("commits", commits);
        fig.put("ops_committed", ops);
        fig.put("timeline", sampler.json(startNanos));
        fig.put("all_right", allRight);
        fig.put("cpu_ms_per_send", cpuPerSend);
        fig.put("cpu", CpuSplit.json(split));
        return new Result(n, accepted, steady, overall, peak, from201, fromSend, fromSchedule, negative, lost, duplicates, mql, split);
    }

    private String scoreBody(int from, int to) {
        StringBuilder b = new StringBuilder((to - from) * 48 + 20).append("{\"attributes\":[");
        for (int i = from; i < to; i++) {
            if (i > from) b.append(',');
            b.append("{\"external_id\":\"lead-").append(i).append("\",\"lead score\":").append(SCORE).append('}');
        }
        return b.append("]}").toString();
    }

    static int leadIndex(String externalId) {
        if (externalId == null || !externalId.startsWith("lead-")) return -1;
        try {
            return Integer.parseInt(externalId, 5, externalId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean bodyIsMql(String body) {
        try {
            return MQL_BODY.equals(JSON.readTree(body));
        } catch (IOException e) {
            return false;
        }
    }

    private static String otherStatuses(Map<Integer, Long> s) {
        Map<Integer, Long> o = new TreeMap<>(s);
        o.remove(204);
        o.remove(401);
        o.remove(503);
        return o.toString();
    }

    /** The fake's requests and the message log for a few leads. */
    private String describe(List<Integer> leads, List<Recorded> recorded) {
        StringBuilder b = new StringBuilder();
        for (int idx : leads) {
            String id = "lead-" + idx;
            b.append(id).append(": fake saw [");
            for (Recorded r : recorded)
                if (r.leadId().filter(id::equals).isPresent()) b.append(r.method()).append(' ').append(r.status()).append(" at ").append(r.time()).append("; ");
            b.append("]; message log [");
            server.runtime().find(new Identifier.ExternalId(id)).ifPresent(u -> {
                for (MessageLogRow m : server.store().messageLog(new MessageLogQuery(u.userId(), null, null, null, Long.MAX_VALUE, 10)))
                    b.append(m.outcome()).append(' ').append(m.statusCode()).append(' ').append(m.detail()).append("; ");
                b.append("] lead_status ").append(u.custom().get("lead_status"));
            });
            b.append(" | ");
        }
        return b.toString();
    }

    /** Leads of the range whose profile says lead_status MQL, read back through /users/export/ids, 50 per request. */
    private long exportMql(int from, int to, Map<String, Object> fig) {
        AtomicLong mql = new AtomicLong(), failures = new AtomicLong();
        List<String> notMql = Collections.synchronizedList(new ArrayList<>());
        int chunks = (to - from + 49) / 50;
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 8; w++) ex.submit(() -> {
                int c;
                while ((c = next.getAndIncrement()) < chunks) {
                    int a = from + c * 50, z = Math.min(to, a + 50);
                    StringBuilder q = new StringBuilder("{\"fields_to_export\":[\"external_id\",\"custom_attributes\"],\"external_ids\":[");
                    for (int i = a; i < z; i++) q.append(i > a ? "," : "").append("\"lead-").append(i).append('"');
                    q.append("]}");
                    try {
                        HttpResponse<String> r = http.send(track.post("/users/export/ids", q.toString()), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failures.incrementAndGet();
                            continue;
                        }
                        for (JsonNode u : JSON.readTree(r.body()).path("users")) {
                            if ("MQL".equals(u.path("custom_attributes").path("lead_status").asText(null))) mql.incrementAndGet();
                            else if (notMql.size() < 3) notMql.add(u.path("external_id").asText() + " " + u.path("custom_attributes"));
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
        }
        double s = (System.nanoTime() - t0) / 1e9;
        fig.put("export_check_seconds", s);
        fig.put("export_check_failed_requests", failures.get());
        if (failures.get() > 0) out.printf("  ! %d /users/export/ids requests failed%n", failures.get());
        notMql.forEach(x -> out.println("    not MQL e.g. " + x));
        return mql.get();
    }

    // ---- sampling ------------------------------------------------------------------------------------

    /** Every {@code sampleMillis}: PATCHes answered 204 at the fake; every fourth time also the delivery gauges and the outbox. */
    private final class Sampler implements Runnable {
        volatile boolean stop;
        volatile long arrived204;
        int maxInFlight, maxParked;
        long maxOutbox;
        double maxLag;
        final List<long[]> points = Collections.synchronizedList(new ArrayList<>());   // {nanos, 204s, in flight, parked, outbox}
        private long inFlight, parked, outbox;

        @Override public void run() {
            int k = 0;
            while (!stop) {
                arrived204 = fake.countsByStatus().getOrDefault(204, 0L);
                if (k++ % 4 == 0) {
                    try {
                        Scrape s = track.scrape();
                        inFlight = (long) s.sum("kiln_delivery_in_flight");
                        parked = (long) s.sum("kiln_delivery_parked");
                        maxInFlight = (int) Math.max(maxInFlight, inFlight);
                        maxParked = (int) Math.max(maxParked, parked);
                        maxLag = Math.max(maxLag, s.sum("kiln_delivery_outbox_lag_seconds"));
                        outbox = server.store().countOutbox();
                        maxOutbox = Math.max(maxOutbox, outbox);
                    } catch (RuntimeException e) {
                        // the next sample will do
                    }
                }
                points.add(new long[]{System.nanoTime(), arrived204, inFlight, parked, outbox});
                try {
                    Thread.sleep(sampleMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        String timeline(long t0) {
            List<long[]> p = List.copyOf(points);
            if (p.isEmpty()) return "";
            StringBuilder b = new StringBuilder();
            int step = Math.max(1, p.size() / 16);
            for (int i = 0; i < p.size(); i += step) append(b, p.get(i), t0);
            if ((p.size() - 1) % step != 0) append(b, p.getLast(), t0);
            return b.toString().trim();
        }

        private void append(StringBuilder b, long[] x, long t0) {
            b.append(String.format(" %.2f:%,d(%d/%d/%,d)", (x[0] - t0) / 1e9, x[1], x[2], x[3], x[4]));
        }

        List<List<Object>> json(long t0) {
            List<List<Object>> out = new ArrayList<>();
            for (long[] x : List.copyOf(points)) out.add(List.of((x[0] - t0) / 1e9, x[1], x[2], x[3], x[4]));
            return out;
        }
    }

    private interface Check {
        boolean done();
    }

    private interface Progress {
        long value();
    }

    /** Waits until {@code done}; gives up (returns true) when {@code progress} has not moved for {@code stallSeconds}. */
    private boolean waitFor(Check done, Progress progress) {
        long last = Long.MIN_VALUE, changed = System.nanoTime();
        while (!done.done()) {
            long v = progress.value();
            if (v != last) {
                last = v;
                changed = System.nanoTime();
            } else if (System.nanoTime() - changed > stallSeconds * 1_000_000_000L) {
                return true;
            }
            sleep(Math.min(50, sampleMillis));
        }
        return false;
    }

    private static Map<String, Double> outcomes(Scrape before, Scrape after) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String k : List.of("sent", "aborted", "failed", "retry"))
            m.put(k, after.sum("kiln_delivery_outcomes_total", "outcome", k) - before.sum("kiln_delivery_outcomes_total", "outcome", k));
        return m;
    }

    private static double delta(Scrape before, Scrape after, String name) {
        return after.sum(name) - before.sum(name);
    }

    /** Rate of {@code samples[col]} between the samples where it passed 10 % and 90 % of {@code total}. */
    private static double steadyRate(List<double[]> samples, int col, double total) {
        double[] a = null, z = null;
        for (double[] s : samples) {
            if (a == null && s[col] >= 0.1 * total) a = s;
            if (z == null && s[col] >= 0.9 * total) z = s;
        }
        return a == null || z == null || z[0] <= a[0] ? Double.NaN : (z[col] - a[col]) / (z[0] - a[0]);
    }

    private static String timeline(List<double[]> samples) {
        StringBuilder b = new StringBuilder();
        int step = Math.max(1, samples.size() / 16);
        for (int i = 0; i < samples.size(); i += step) b.append(String.format(" %.1f:%,.0f/%,.0f", samples.get(i)[0], samples.get(i)[1], samples.get(i)[2]));
        double[] last = samples.getLast();
        if ((samples.size() - 1) % step != 0) b.append(String.format(" %.1f:%,.0f/%,.0f", last[0], last[1], last[2]));
        return b.toString().trim();
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
