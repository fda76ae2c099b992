package dev.kiln.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives {@code POST /users/track} over real HTTP/1.1 (java.net.http) from {@code concurrency} virtual
 * threads, each with one request in flight, so at most {@code concurrency} requests are outstanding.
 * Closed loop when no rate is given; otherwise requests are scheduled at fixed intervals and latency is
 * also measured from the scheduled instant, so a stall delays the next requests and shows in the
 * figures instead of hiding (no coordinated omission).
 */
final class TrackLoad {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final HttpClient http;
    private final URI base;
    private final String authorization;

    TrackLoad(HttpClient http, URI base, String apiKey) {
        this.http = http;
        this.base = base;
        this.authorization = "Bearer " + apiKey;
    }

    /** What one run saw. Latencies in microseconds, only of requests answered 201. */
    record Result(double seconds, long sent, long ok, long objectsOk, long partial, Map<Integer, Long> statuses,
                  Map<String, Long> failures, List<String> errorSamples, Histogram service, Histogram fromSchedule) {
        double objectsPerSecond() { return objectsOk / seconds; }
        double requestsPerSecond() { return ok / seconds; }
    }

    private final class Worker implements Runnable {
        final Histogram service = new Histogram(HIGHEST_MICROS, 3);
        final Histogram fromSchedule = new Histogram(HIGHEST_MICROS, 3);
        final Map<Integer, Long> statuses = new TreeMap<>();
        final Map<String, Long> failures = new TreeMap<>();
        final List<String> errorSamples = new ArrayList<>();
        final SplittableRandom random;
        final Workload workload;
        final long start, end, intervalNanos;
        final AtomicLong schedule;
        long sent, ok, objectsOk, partial;

        Worker(SplittableRandom random, Workload workload, long start, long end, long intervalNanos, AtomicLong schedule) {
            this.random = random;
            this.workload = workload;
            this.start = start;
            this.end = end;
            this.intervalNanos = intervalNanos;
            this.schedule = schedule;
        }

        @Override public void run() {
            while (true) {
                long intended;
                if (intervalNanos > 0) {
                    intended = start + schedule.getAndIncrement() * intervalNanos;
                    if (intended >= end) return;
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
                } else {
                    intended = System.nanoTime();
                    if (intended >= end) return;
                }
                String body = workload.trackBody(random);
                long t0 = System.nanoTime();
                sent++;
                try {
                    HttpResponse<String> r = http.send(post("/users/track", body), HttpResponse.BodyHandlers.ofString());
                    long t1 = System.nanoTime();
                    if (r.statusCode() == 201) {
                        ok++;
                        objectsOk += workload.objectsPerRequest();
                        if (r.body().contains("\"errors\"")) {
                            partial++;
                            sample(r.statusCode() + " " + r.body());
                        }
                        service.recordValue(Math.min(HIGHEST_MICROS, (t1 - t0) / 1000));
                        fromSchedule.recordValue(Math.min(HIGHEST_MICROS, (t1 - intended) / 1000));
                    } else {
                        statuses.merge(r.statusCode(), 1L, Long::sum);
                        sample(r.statusCode() + " " + r.body());
                    }
                } catch (IOException e) {
                    failures.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                    sample(e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void sample(String s) {
            if (errorSamples.size() < 3) errorSamples.add(s.length() > 300 ? s.substring(0, 300) + "…" : s);
        }
    }

    HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /**
     * Sends for {@code duration}, then waits for the requests in flight. {@code objectsPerSecond} 0 means
     * as fast as {@code concurrency} outstanding requests allow.
     */
    Result run(Workload workload, Duration duration, int concurrency, double objectsPerSecond, long seed) {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long interval = objectsPerSecond > 0 ? (long) (1e9 * workload.objectsPerRequest() / objectsPerSecond) : 0;
        AtomicLong schedule = new AtomicLong();
        SplittableRandom root = new SplittableRandom(seed);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) workers.add(new Worker(root.split(), workload, start, end, interval, schedule));
        runAll(workers, duration);
        double seconds = (System.nanoTime() - start) / 1e9;

        Histogram service = new Histogram(HIGHEST_MICROS, 3), fromSchedule = new Histogram(HIGHEST_MICROS, 3);
        Map<Integer, Long> statuses = new TreeMap<>();
        Map<String, Long> failures = new TreeMap<>();
        List<String> samples = new ArrayList<>();
        long sent = 0, ok = 0, objects = 0, partial = 0;
        for (Worker w : workers) {
            service.add(w.service);
            fromSchedule.add(w.fromSchedule);
            w.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
            w.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
            for (String s : w.errorSamples) if (samples.size() < 5) samples.add(s);
            sent += w.sent;
            ok += w.ok;
            objects += w.objectsOk;
            partial += w.partial;
        }
        return new Result(seconds, sent, ok, objects, partial, statuses, failures, samples, service, fromSchedule);
    }

    /** What loading the leads saw. */
    record Created(double seconds, int requests, long failed, List<String> errorSamples) {}

    /** Creates {@code lead-0 … lead-(n-1)}, 75 per request, {@code concurrency} requests in flight. */
    Created createLeads(int n, int concurrency) {
        long t0 = System.nanoTime();
        int chunks = (n + Workload.MAX_PER_ARRAY - 1) / Workload.MAX_PER_ARRAY;
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Runnable> tasks = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) tasks.add(() -> {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int from = c * Workload.MAX_PER_ARRAY, to = Math.min(n, from + Workload.MAX_PER_ARRAY);
                try {
                    HttpResponse<String> r = http.send(post("/users/track", Workload.createBody(from, to)), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 201 || r.body().contains("\"errors\"")) {
                        failed.incrementAndGet();
                        if (samples.size() < 3) samples.add(r.statusCode() + " " + r.body());
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    if (samples.size() < 3) samples.add(e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        runAll(tasks, Duration.ofHours(1));
        return new Created((System.nanoTime() - t0) / 1e9, chunks, failed.get(), List.copyOf(samples));
    }

    /** Runs the tasks on virtual threads; gives up (interrupting them) a request timeout after {@code expected}. */
    private static void runAll(List<? extends Runnable> tasks, Duration expected) {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Runnable t : tasks) ex.submit(t);
            ex.shutdown();
            if (!ex.awaitTermination(expected.plus(REQUEST_TIMEOUT).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.println("  ! load tasks still running past their deadline: interrupting them");
                ex.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code GET /metrics}, parsed. */
    Scrape scrape() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(REQUEST_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET /metrics answered " + r.statusCode());
            return Scrape.parse(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET /metrics failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
