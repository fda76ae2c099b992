package dev.kiln.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * Sends a {@link ScoringStream} to {@code /users/track} the way {@link TrackLoad#run} sends a
 * {@link Workload} (TrackLoad takes only a Workload, whose event names are not the seed Canvas's): one
 * request in flight per virtual thread, closed loop or paced at fixed intervals with the latency also
 * measured from the scheduled send (no coordinated omission). Requests are built by
 * {@link TrackLoad#post} and the figures come back as a {@link TrackLoad.Result}. Also creates ranges of
 * leads beyond {@code lead-0 … lead-(n-1)} ({@link TrackLoad#createLeads} starts at 0) with progress.
 */
final class ScoringLoad {
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final HttpClient http;
    private final TrackLoad track;

    ScoringLoad(HttpClient http, TrackLoad track) {
        this.http = http;
        this.track = track;
    }

    private final class Worker implements Runnable {
        final Histogram service = new Histogram(HIGHEST_MICROS, 3);
        final Histogram fromSchedule = new Histogram(HIGHEST_MICROS, 3);
        final Map<Integer, Long> statuses = new TreeMap<>();
        final Map<String, Long> failures = new TreeMap<>();
        final List<String> errorSamples = new ArrayList<>();
        final SplittableRandom random;
        final ScoringStream stream;
        final long start, end, intervalNanos;
        final AtomicLong schedule;
        long sent, ok, objectsOk, partial;

        Worker(SplittableRandom random, ScoringStream stream, long start, long end, long intervalNanos, AtomicLong schedule) {
            this.random = random;
            this.stream = stream;
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
                String body = stream.trackBody(random);
                long t0 = System.nanoTime();
                sent++;
                try {
                    HttpResponse<String> r = http.send(track.post("/users/track", body), HttpResponse.BodyHandlers.ofString());
                    long t1 = System.nanoTime();
                    if (r.statusCode() == 201) {
                        ok++;
                        objectsOk += ScoringStream.EVENTS_PER_REQUEST;
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

    /** Sends for {@code duration}, then waits for the requests in flight; {@code eventsPerSecond} 0 = closed loop. */
    TrackLoad.Result run(ScoringStream stream, Duration duration, int concurrency, double eventsPerSecond, long seed) {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long interval = eventsPerSecond > 0 ? (long) (1e9 * ScoringStream.EVENTS_PER_REQUEST / eventsPerSecond) : 0;
        AtomicLong schedule = new AtomicLong();
        SplittableRandom root = new SplittableRandom(seed);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) workers.add(new Worker(root.split(), stream, start, end, interval, schedule));
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
        return new TrackLoad.Result(seconds, sent, ok, objects, partial, statuses, failures, samples, service, fromSchedule);
    }

    /**
     * Creates leads {@code lead-from … lead-(to-1)} ({@link Workload#createBody}: email, {@code lead score} 0),
     * 75 per request, {@code concurrency} in flight, printing progress about every {@code progressSeconds}.
     */
    TrackLoad.Created createRange(int from, int to, int concurrency, int progressSeconds) {
        long t0 = System.nanoTime();
        int n = to - from;
        int chunks = (n + Workload.MAX_PER_ARRAY - 1) / Workload.MAX_PER_ARRAY;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> tasks = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) tasks.add(() -> {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int a = from + c * Workload.MAX_PER_ARRAY, b = Math.min(to, a + Workload.MAX_PER_ARRAY);
                try {
                    HttpResponse<String> r = http.send(track.post("/users/track", Workload.createBody(a, b)), HttpResponse.BodyHandlers.ofString());
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
                done.incrementAndGet();
            }
        });
        Thread progress = Thread.ofPlatform().daemon().name("bench-progress").start(() -> {
            long last = 0;
            while (true) {
                try {
                    Thread.sleep(progressSeconds * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                int d = done.get();
                long created = Math.min(n, (long) d * Workload.MAX_PER_ARRAY);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("    … %,d of %,d leads created in %.0f s (%,.0f profiles/s over the last %d s, %,.0f overall)%n",
                        created, n, s, (created - last) / (double) progressSeconds, progressSeconds, created / s);
                last = created;
            }
        });
        try {
            runAll(tasks, Duration.ofHours(2));
        } finally {
            progress.interrupt();
        }
        return new TrackLoad.Created((System.nanoTime() - t0) / 1e9, chunks, failed.get(), List.copyOf(samples));
    }

    /** Runs the tasks on virtual threads; gives up (interrupting them) a request timeout after {@code expected}. */
    private static void runAll(List<? extends Runnable> tasks, Duration expected) {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Runnable t : tasks) ex.submit(t);
            ex.shutdown();
            if (!ex.awaitTermination(expected.plus(TrackLoad.REQUEST_TIMEOUT).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.println("  ! load tasks still running past their deadline: interrupting them");
                ex.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
