package dev.kiln.bench;

import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reads of single profiles by external id, one at a time (nothing else running), for random leads: over
 * HTTP ({@code POST /users/export/ids}, round trip on loopback, so an upper bound of the server's time)
 * and in-process ({@link KilnRuntime#find}, the lookup the endpoint makes: identity index, then the
 * profile row, from the store, not from the lanes' caches).
 */
final class ExportProbe {
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

    record Result(int requests, Histogram http, long httpMisses, Histogram find, long findMisses) {}

    private ExportProbe() {}

    static Result run(HttpClient http, TrackLoad load, KilnRuntime runtime, int leads, int requests, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int warm = Math.max(100, requests / 10);
        Histogram h = new Histogram(HIGHEST_NANOS, 3), f = new Histogram(HIGHEST_NANOS, 3);
        long httpMisses = 0, findMisses = 0;
        for (int i = 0; i < warm + requests; i++) {
            String id = Workload.leadId(r.nextInt(leads));
            long t0 = System.nanoTime();
            boolean found;
            try {
                HttpResponse<String> resp = http.send(load.post("/users/export/ids", "{\"external_ids\":[\"" + id + "\"]}"),
                        HttpResponse.BodyHandlers.ofString());
                found = resp.statusCode() == 200 && resp.body().contains("\"" + id + "\"") && !resp.body().contains("invalid_user_ids");
            } catch (IOException e) {
                found = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long t1 = System.nanoTime();
            if (i >= warm) {
                h.recordValue(Math.min(HIGHEST_NANOS, t1 - t0));
                if (!found) httpMisses++;
            }
        }
        for (int i = 0; i < warm + requests; i++) {
            String id = Workload.leadId(r.nextInt(leads));
            long t0 = System.nanoTime();
            boolean found = runtime.find(new Identifier.ExternalId(id)).isPresent();
            long t1 = System.nanoTime();
            if (i >= warm) {
                f.recordValue(Math.min(HIGHEST_NANOS, t1 - t0));
                if (!found) findMisses++;
            }
        }
        return new Result(requests, h, httpMisses, f, findMisses);
    }
}
