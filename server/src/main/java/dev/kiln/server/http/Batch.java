package dev.kiln.server.http;

import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The objects of one request: those that parse become ops (submitted together, in order), those that
 * don't become {@code errors} entries {@code {type, input_array, index, reason}} and are never submitted.
 */
final class Batch {
    static final String REJECTED = "rejected";

    private record Slot(String array, int index) {}

    private final List<String> arrays;
    private final List<Op> ops = new ArrayList<>();
    private final List<Slot> slots = new ArrayList<>();
    private final List<Map<String, Object>> errors = new ArrayList<>();
    private final Map<String, Integer> received = new LinkedHashMap<>();
    private final Map<String, Integer> accepted = new LinkedHashMap<>();

    /** {@code arrays}: the request's array names in processing order (errors are listed in that order). */
    Batch(List<String> arrays) {
        this.arrays = arrays;
        for (String a : arrays) {
            received.put(a, 0);
            accepted.put(a, 0);
        }
    }

    void add(String array, int index, Supplier<Op> parse) {
        received.merge(array, 1, Integer::sum);
        try {
            ops.add(parse.get());
            slots.add(new Slot(array, index));
        } catch (Invalid e) {
            errors.add(error(e.type(), array, index, e.getMessage()));
        }
    }

    /** Records an object that did not parse (its error type and reason as the parser gave them). */
    void reject(String array, int index, String type, String reason) {
        received.merge(array, 1, Integer::sum);
        errors.add(error(type, array, index, reason));
    }

    /** Submits the valid ops once and records what the runtime refused. */
    void submit(Submitter submitter) {
        List<Outcome> outcomes = submitter.submit(ops);
        for (int i = 0; i < outcomes.size(); i++) {
            Slot s = slots.get(i);
            Outcome o = outcomes.get(i);
            if (o.ok()) accepted.merge(s.array, 1, Integer::sum);
            else errors.add(error(REJECTED, s.array, s.index, o.error()));
        }
        errors.sort(Comparator.<Map<String, Object>>comparingInt(e -> arrays.indexOf((String) e.get("input_array")))
                .thenComparingInt(e -> (Integer) e.get("index")));
    }

    private static Map<String, Object> error(String type, String array, int index, String reason) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("input_array", array);
        e.put("index", index);
        e.put("reason", reason);
        return e;
    }

    int received(String array) { return received.get(array); }
    int accepted(String array) { return accepted.get(array); }
    int acceptedTotal() { return accepted.values().stream().mapToInt(Integer::intValue).sum(); }
    List<Map<String, Object>> errors() { return errors; }

    /** Counts accepted and rejected objects per array under {@code kiln_ingest_objects_total}. */
    void count(HttpMetrics metrics) {
        for (String a : arrays) {
            metrics.objects(a, HttpMetrics.ACCEPTED, accepted(a));
            metrics.objects(a, HttpMetrics.REJECTED, received(a) - accepted(a));
        }
    }
}
