package dev.kiln.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends exactly {@code events} custom events through {@code POST /users/track}, 75 per request (the last one
 * fewer), for leads drawn uniformly, as fast as {@code concurrency} requests in flight allow. Without a Canvas
 * each event makes exactly one event log row ({@code users.behaviors.CustomEvent}).
 */
final class DataIngest {
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

    private DataIngest() {}

    /** What the ingest saw: events in requests answered 201 without errors, and the rest. */
    record Result(long events, long accepted, long failedRequests, double seconds, List<String> errorSamples) {
        double perSecond() { return accepted / seconds; }
    }

    static Result events(HttpClient http, TrackLoad track, long events, int leads, int concurrency, long seed, int progressSeconds) {
        int per = Workload.MAX_PER_ARRAY;
        long chunks = (events + per - 1) / per;
        Workload full = new Workload(0, per, leads);
        int rest = (int) (events % per);
        Workload last = rest == 0 ? full : new Workload(0, rest, leads);
        AtomicLong next = new AtomicLong(), accepted = new AtomicLong(), failed = new AtomicLong();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        SplittableRandom root = new SplittableRandom(seed);
        long t0 = System.nanoTime();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                SplittableRandom r = root.split();
                ex.submit(() -> {
                    long c;
                    while ((c = next.getAndIncrement()) < chunks) {
                        Workload wl = c == chunks - 1 ? last : full;
                        try {
                            if (send(http, track, wl, r, failed, samples)) accepted.addAndGet(wl.events());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });
            }
            ex.shutdown();
            long lastPrint = System.nanoTime();
            while (!ex.awaitTermination(250, TimeUnit.MILLISECONDS)) {
                if (progressSeconds > 0 && System.nanoTime() - lastPrint >= progressSeconds * 1_000_000_000L) {
                    lastPrint = System.nanoTime();
                    double s = (lastPrint - t0) / 1e9;
                    System.out.printf("  … %,d of %,d events accepted after %.0f s (%,.0f /s)%n", accepted.get(), events, s, accepted.get() / s);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return new Result(events, accepted.get(), failed.get(), (System.nanoTime() - t0) / 1e9, List.copyOf(samples));
    }

    /**
     * Sends one {@code /users/track} request of {@code wl}'s events; true when answered 201 without errors,
     * else counts it in {@code failed} and keeps up to three samples of what came back.
     */
    private static boolean send(HttpClient http, TrackLoad track, Workload wl, SplittableRandom r, AtomicLong failed,
                                List<String> samples) throws InterruptedException {
        try {
            HttpResponse<String> resp = http.send(track.post("/users/track", wl.trackBody(r)), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() == 201 && !resp.body().contains("\"errors\"")) return true;
            failed.incrementAndGet();
            if (samples.size() < 3) samples.add(resp.statusCode() + " " + clip(resp.body()));
        } catch (IOException e) {
            failed.incrementAndGet();
            if (samples.size() < 3) samples.add(e.toString());
        }
        return false;
    }

    /**
     * What a paced run saw. {@code scheduled}: requests the schedule held before the deadline; {@code sent} fewer
     * when the server could not keep up (a late request is sent at once, and sending stops at the deadline).
     * Latency in microseconds, of requests answered 201.
     */
    record Paced(double seconds, long scheduled, long sent, long ok, long accepted, long failed, List<String> errorSamples, Histogram service) {
        double perSecond() { return accepted / seconds; }
    }

    /**
     * Custom events, 75 per request, paced at {@code eventsPerSecond} for {@code duration} by {@code concurrency}
     * virtual threads with one request in flight each. Unlike {@link TrackLoad#run}, which sends every scheduled
     * request however late, sending stops at the deadline, so a machine that cannot keep the rate shows a lower
     * achieved rate over the same time instead of a longer run.
     */
    static Paced paced(HttpClient http, TrackLoad track, int leads, Duration duration, int concurrency, double eventsPerSecond, long seed) {
        Workload wl = new Workload(0, Workload.MAX_PER_ARRAY, leads);
        long interval = (long) (1e9 * Workload.MAX_PER_ARRAY / eventsPerSecond);
        long start = System.nanoTime(), end = start + duration.toNanos();
        AtomicLong slot = new AtomicLong(), sent = new AtomicLong(), ok = new AtomicLong(), accepted = new AtomicLong(), failed = new AtomicLong();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        List<Histogram> histograms = Collections.synchronizedList(new ArrayList<>());
        SplittableRandom root = new SplittableRandom(seed);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                SplittableRandom r = root.split();
                Histogram h = new Histogram(HIGHEST_MICROS, 3);
                histograms.add(h);
                ex.submit(() -> {
                    while (true) {
                        long intended = start + slot.getAndIncrement() * interval;
                        if (intended >= end) return;
                        long wait;
                        while ((wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
                        if (System.nanoTime() >= end) return;
                        sent.incrementAndGet();
                        long t0 = System.nanoTime();
                        try {
                            if (send(http, track, wl, r, failed, samples)) {
                                ok.incrementAndGet();
                                accepted.addAndGet(wl.events());
                                h.recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - t0) / 1000));
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });
            }
            ex.shutdown();
            if (!ex.awaitTermination(duration.plus(TrackLoad.REQUEST_TIMEOUT).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) ex.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Histogram all = new Histogram(HIGHEST_MICROS, 3);
        histograms.forEach(all::add);
        long scheduled = (duration.toNanos() + interval - 1) / interval;
        return new Paced((System.nanoTime() - start) / 1e9, scheduled, sent.get(), ok.get(), accepted.get(), failed.get(), List.copyOf(samples), all);
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
