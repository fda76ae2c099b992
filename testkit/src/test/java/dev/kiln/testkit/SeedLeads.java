package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's scoring Canvas over HTTP, for the {@code Seed*} tests: definitions holding a copy of
 * {@code examples/canvases/lead-scoring.yaml} with a short window, and the few calls the tests make
 * (track attributes and events, read a lead's score, its ledger and the Canvas's stats).
 */
final class SeedLeads {
    static final String CANVAS = "lead-scoring";
    static final String SCORE = "lead score";
    /** The seed Canvas as shipped; Maven runs tests in the module directory. */
    static final Path EXAMPLE = Path.of("..", "examples", "canvases", "lead-scoring.yaml");

    private final KilnClient client;

    SeedLeads(KilnClient client) { this.client = client; }

    /**
     * Writes {@code dir/canvases/lead-scoring.yaml}: the example Canvas, audience and all, with its
     * Action Paths window ({@code window: 1d}) replaced by {@code window}. Returns {@code dir}.
     */
    static Path definitions(Path dir, String window) {
        try {
            String yaml = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
            assertThat(yaml).as("the example Canvas %s waits a day in Action Paths", EXAMPLE.toAbsolutePath()).contains("window: 1d");
            Path canvases = Files.createDirectories(dir.resolve("canvases"));
            Files.writeString(canvases.resolve("lead-scoring.yaml"), yaml.replace("window: 1d", "window: " + window), StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the seed Canvas into " + dir, e);
        }
    }

    /** {@code POST /users/track} with one attributes object per map (each holding its {@code external_id}). */
    @SafeVarargs
    final void attributes(Map<String, Object>... objects) {
        attributes(List.of(objects));
    }

    void attributes(List<Map<String, Object>> objects) {
        for (int from = 0; from < objects.size(); from += 75) { // Braze's limit per request
            KilnClient.Response r = client.track(KilnClient.toJson(Map.of("attributes", objects.subList(from, Math.min(objects.size(), from + 75)))));
            assertThat(r.status()).as("POST /users/track attributes: %s", r).isBetween(200, 299);
        }
    }

    /** A lead whose {@code lead score} is set through {@code /users/track}. */
    void lead(String externalId, int score) { attributes(attrs(externalId, SCORE, score)); }

    /** One {@code /users/track} event with {@code time} = now. */
    void event(String externalId, String name) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("external_id", externalId);
        event.put("name", name);
        event.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        KilnClient.Response r = client.track(KilnClient.toJson(Map.of("events", List.of(event))));
        assertThat(r.status()).as("POST /users/track event %s for %s: %s", name, externalId, r).isBetween(200, 299);
    }

    static Map<String, Object> attrs(String externalId, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("external_id", externalId);
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    /** The lead's {@code lead score} from {@code POST /users/export/ids}; null when unset. */
    Integer score(String externalId) {
        return scores(List.of(externalId)).get(externalId);
    }

    /** {@code lead score} of each lead (null when unset), through {@code /users/export/ids}, 50 at a time. */
    Map<String, Integer> scores(List<String> externalIds) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int from = 0; from < externalIds.size(); from += 50) {
            List<String> ids = externalIds.subList(from, Math.min(externalIds.size(), from + 50));
            KilnClient.Response r = client.export(ids);
            assertThat(r.status()).as("export %s: %s", ids, r).isEqualTo(200);
            for (JsonNode u : r.json().path("users")) {
                JsonNode s = u.path("custom_attributes").path(SCORE);
                out.put(u.path("external_id").asText(), s.isMissingNode() || s.isNull() ? null : s.asInt());
            }
            for (String id : ids) out.putIfAbsent(id, null);
        }
        return out;
    }

    /** The whole score ledger of a lead, newest first (every page). */
    List<JsonNode> ledger(String externalId) {
        List<JsonNode> rows = new ArrayList<>();
        String base = "/users/" + URLEncoder.encode(externalId, StandardCharsets.UTF_8).replace("+", "%20") + "/attributes/lead%20score/history?limit=500";
        String path = base;
        while (true) {
            KilnClient.Response r = client.get(path);
            assertThat(r.status()).as("GET %s: %s", path, r).isEqualTo(200);
            r.json().path("changes").forEach(rows::add);
            JsonNode next = r.json().path("next_cursor");
            if (next.isMissingNode() || next.isNull()) return rows;
            path = base + "&cursor=" + next.asLong();
        }
    }

    /** {@code GET /canvases/lead-scoring/stats}. */
    JsonNode stats() {
        KilnClient.Response r = client.get("/canvases/" + CANVAS + "/stats");
        assertThat(r.status()).as("GET /canvases/%s/stats: %s", CANVAS, r).isEqualTo(200);
        return r.json();
    }

    static long entries(JsonNode stats) { return stats.path("entries").path("total").asLong(); }

    static long onScore(JsonNode stats) { return stats.path("on_step").path("score").asLong(); }

    static long everyoneElse(JsonNode stats) { return stats.path("action_groups").path("score").path("Everyone Else").asLong(); }

    static long exits(JsonNode stats, String reason) { return stats.path("exits").path(reason).asLong(); }

    // ---- ledger rows ----------------------------------------------------------------------------

    static String sourceType(JsonNode row) { return row.path("source").path("type").asText(); }

    static String step(JsonNode row) { return row.path("source").path("step").asText(null); }

    static String group(JsonNode row) { return row.path("source").path("action_group").asText(null); }

    static Instant time(JsonNode row) { return Instant.parse(row.path("time").asText()); }

    /** The change of one row; a first value (no old value, no delta) counts from 0. */
    static double delta(JsonNode row) {
        JsonNode d = row.path("delta");
        if (!d.isNull() && !d.isMissingNode()) return d.asDouble();
        JsonNode old = row.path("old_value");
        return row.path("new_value").asDouble() - (old.isNull() || old.isMissingNode() ? 0 : old.asDouble());
    }

    /** A row as {@code source step/group old→new}, for messages and exact comparisons. */
    static String describe(JsonNode row) {
        String src = sourceType(row).equals("canvas")
                ? "canvas " + row.path("source").path("canvas_id").asText() + " " + step(row) + "/" + group(row)
                : sourceType(row);
        return src + " " + text(row.path("old_value")) + "→" + text(row.path("new_value"));
    }

    static List<String> describe(List<JsonNode> rows) { return rows.stream().map(SeedLeads::describe).toList(); }

    private static String text(JsonNode v) { return v.isNull() || v.isMissingNode() ? "null" : v.asText(); }
}
