package dev.kiln.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code kiln_http_requests_total{route,status}} and {@code kiln_ingest_objects_total{type,outcome}}.
 * Route labels are route patterns, never raw paths, so their number stays bounded.
 */
final class HttpMetrics {
    static final String ACCEPTED = "accepted";
    static final String REJECTED = "rejected";

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> objects = new ConcurrentHashMap<>();

    HttpMetrics(MeterRegistry registry) { this.registry = registry; }

    void request(String route, int status) {
        requests.computeIfAbsent(route + ' ' + status, k -> Counter.builder("kiln.http.requests")
                .description("HTTP requests by route and status")
                .tag("route", route).tag("status", Integer.toString(status))
                .register(registry)).increment();
    }

    /** {@code type}: attributes, events, purchases, aliases, deletes …; {@code outcome}: accepted or rejected. */
    void objects(String type, String outcome, int n) {
        if (n == 0) return;
        objects.computeIfAbsent(type + ' ' + outcome, k -> Counter.builder("kiln.ingest.objects")
                .description("Objects received through the API, by type and outcome")
                .tag("type", type).tag("outcome", outcome)
                .register(registry)).increment(n);
    }
}
