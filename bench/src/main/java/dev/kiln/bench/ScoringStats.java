package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /canvases/{id}/stats} of the seed Canvas over HTTP. The server reads these counters from the
 * store, so they count committed transitions only: users through each action group of step {@code score}
 * (Everyone Else = the window's timer fired), users now on each step, entries and exits.
 */
final class ScoringStats {
    static final String CANVAS = "lead-scoring";
    static final String STEP = "score";
    static final String EVERYONE_ELSE = "Everyone Else";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI uri;
    private final String authorization;

    ScoringStats(HttpClient http, URI base, String apiKey) {
        this.http = http;
        this.uri = base.resolve("/canvases/" + CANVAS + "/stats");
        this.authorization = "Bearer " + apiKey;
    }

    /** One reading; {@code atNanos} is when the answer arrived. */
    record Snapshot(long atNanos, long entries, Map<String, Long> onStep, Map<String, Long> groups, Map<String, Long> exits, long loopGuard) {
        long onScore() { return onStep.getOrDefault(STEP, 0L); }
        long group(String name) { return groups.getOrDefault(name, 0L); }
        long everyoneElse() { return group(EVERYONE_ELSE); }
        /** Users moved by an event: every action group but Everyone Else. */
        long eventTransitions() { return groups.entrySet().stream().filter(e -> !e.getKey().equals(EVERYONE_ELSE)).mapToLong(Map.Entry::getValue).sum(); }
        long exit(String reason) { return exits.getOrDefault(reason, 0L); }

        /** This minus {@code before}, per action group. */
        Map<String, Long> groupsSince(Snapshot before) {
            Map<String, Long> d = new TreeMap<>();
            groups.forEach((k, v) -> d.put(k, v - before.group(k)));
            return d;
        }

        Map<String, Long> exitsSince(Snapshot before) {
            Map<String, Long> d = new TreeMap<>();
            exits.forEach((k, v) -> d.put(k, v - before.exit(k)));
            return d;
        }

        Map<String, Object> json() {
            return Json.obj("entries", entries, "on_step", onStep, "action_groups_" + STEP, groups, "exits", exits, "loop_guard_hits", loopGuard);
        }

        @Override public String toString() {
            return String.format("entries %,d; on step %s; through action groups %s; exits %s; loop-guard hits %d",
                    entries, onStep, groups, exits, loopGuard);
        }
    }

    Snapshot read() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET " + uri.getPath() + " answered " + r.statusCode() + ": " + r.body());
            long at = System.nanoTime();
            JsonNode j = JSON.readTree(r.body());
            return new Snapshot(at, j.path("entries").path("total").asLong(), longs(j.path("on_step")),
                    longs(j.path("action_groups").path(STEP)), longs(j.path("exits")), j.path("loop_guard_hits").asLong());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + uri.getPath() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Map<String, Long> longs(JsonNode o) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            var e = it.next();
            m.put(e.getKey(), e.getValue().asLong());
        }
        return m;
    }
}
