package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.ApiKeys;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /canvases}: PUT, GET, launch and stop over real HTTP against a real KilnServer. */
class CanvasRoutesTest {
    /** The Canvas the definitions directory holds: the seed's loop on "lead score" with a 2 s window. */
    static final String SCORING = """
            id: scoring
            name: Scoring
            tags: [Lead Management]
            status: active
            entry:
              triggers:
                - custom_attribute_changed: { name: "lead score" }
              reentry: { allowed: true, after: 0s }
            start: score
            steps:
              score:
                type: action_paths
                window: 2s
                groups:
                  - name: plus five
                    triggers: [ { custom_event: { name: demo_requested } } ]
                    next: add_5
                everyone_else: { next: decay }
              add_5: { type: user_update, updates: [ { attribute: "lead score", increment: 5 } ] }
              decay: { type: user_update, updates: [ { attribute: "lead score", decrement: 1, floor: 0 } ] }
            """;

    private static Running kiln;

    @BeforeAll static void start() { kiln = new Running(Map.of("canvases/scoring.yaml", SCORING)); }

    @AfterAll static void stop() { kiln.close(); }

    /** A Canvas entered on {@code EVENT} that counts entries in {@code COUNTER} and waits a day for a demo. */
    static String gate(String id, String event, String counter, String extra) {
        return """
                id: %s
                name: Gate %1$s
                tags: [Test, Gate]
                %s
                entry:
                  triggers:
                    - custom_event: { name: %s }
                  reentry: { allowed: true, after: 0s }
                start: count
                steps:
                  count: { type: user_update, updates: [ { attribute: %s, increment: 1 } ], next: wait }
                  wait:
                    type: action_paths
                    window: 1d
                    groups:
                      - name: booked
                        triggers: [ { custom_event: { name: demo_requested } } ]
                        next: bonus
                  bonus: { type: user_update, updates: [ { attribute: bonus, increment: 5 } ] }
                """.formatted(id, extra, event, counter);
    }

    @Test
    void put_creates_a_draft_canvas_and_get_shows_its_document_steps_and_entry() {
        String id = "welcome-" + UUID.randomUUID();
        String doc = gate(id, "signed_up", "signups", "");
        Http.Response put = kiln.put("/canvases/" + id, "application/yaml", doc);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.json().path("id").asText()).isEqualTo(id);
        assertThat(put.json().path("version").asInt()).isEqualTo(1);
        assertThat(put.json().path("status").asText()).isEqualTo("draft");
        assertThat(put.json().path("origin").asText()).isEqualTo("api");
        assertThat(put.json().path("updated_at").asText()).endsWith("Z");
        assertThat(put.message()).isEqualTo("success");

        Http.Response get = kiln.get("/canvases/" + id);
        assertThat(get.status()).isEqualTo(200);
        JsonNode c = get.json();
        assertThat(c.path("name").asText()).isEqualTo("Gate " + id);
        assertThat(c.path("tags").toString()).isEqualTo("[\"Test\",\"Gate\"]");
        assertThat(c.path("document").asText()).isEqualTo(doc);
        assertThat(c.path("format").asText()).isEqualTo("yaml");
        assertThat(c.path("start").asText()).isEqualTo("count");
        List<String> steps = new ArrayList<>();
        c.path("steps").forEach(s -> steps.add(s.path("id").asText() + ":" + s.path("type").asText()));
        assertThat(steps).containsExactly("count:user_update", "wait:action_paths", "bonus:user_update");
        JsonNode wait = c.path("steps").get(1);
        assertThat(wait.path("window_seconds").asLong()).isEqualTo(86_400);
        assertThat(wait.path("groups").get(0).path("name").asText()).isEqualTo("booked");
        assertThat(c.path("steps").get(2).path("exits").asBoolean()).isTrue();
        JsonNode entry = c.path("entry");
        assertThat(entry.path("triggers").toString()).isEqualTo("[{\"type\":\"custom_event\",\"name\":\"signed_up\"}]");
        assertThat(entry.path("api_triggered").asBoolean()).isFalse();
        assertThat(entry.path("reentry").toString()).isEqualTo("{\"allowed\":true,\"after_seconds\":0}");
        assertThat(c.path("message").asText()).isEqualTo("success");
    }

    @Test
    void the_list_holds_file_and_api_canvases_with_their_lifecycle() {
        String id = "listed-" + UUID.randomUUID();
        assertThat(kiln.put("/canvases/" + id, "text/yaml", gate(id, "listed", "listed", "")).status()).isEqualTo(201);
        Http.Response r = kiln.get("/canvases");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.message()).isEqualTo("success");
        JsonNode scoring = find(r.json().path("canvases"), "scoring");
        assertThat(scoring.path("origin").asText()).isEqualTo("file");
        assertThat(scoring.path("status").asText()).isEqualTo("active");
        assertThat(scoring.path("version").asInt()).isEqualTo(1);
        assertThat(scoring.path("tags").toString()).isEqualTo("[\"Lead Management\"]");
        JsonNode listed = find(r.json().path("canvases"), id);
        assertThat(listed.path("origin").asText()).isEqualTo("api");
        assertThat(listed.path("status").asText()).isEqualTo("draft");
        assertThat(listed.has("document")).as("the list is a summary").isFalse();
    }

    @Test
    void put_accepts_a_json_document() {
        String id = "json-" + UUID.randomUUID();
        String doc = """
                {"id": "%s", "name": "JSON", "entry": {"triggers": [{"api_triggered": {}}]},
                 "start": "mark", "steps": {"mark": {"type": "user_update", "updates": [{"attribute": "marked", "set": true}]}}}
                """.formatted(id);
        Http.Response r = kiln.put("/canvases/" + id, "application/json", doc);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode c = kiln.get("/canvases/" + id).json();
        assertThat(c.path("format").asText()).isEqualTo("json");
        assertThat(c.path("entry").path("api_triggered").asBoolean()).isTrue();
        assertThat(c.path("steps").get(0).path("updates").toString()).isEqualTo("[{\"attribute\":\"marked\",\"set\":true}]");
    }

    @Test
    void an_invalid_canvas_is_400_listing_every_problem_with_file_and_path_and_changes_nothing() {
        String id = "bad-" + UUID.randomUUID();
        String doc = """
                id: %s
                name: Bad
                colour: red
                entry:
                  triggers: [ { custom_event: { name: go } } ]
                start: wait
                steps:
                  wait:
                    type: action_paths
                    window: 40d
                    groups:
                      - name: g
                        triggers: [ { custom_event: { name: x } } ]
                        next: nowhere
                """.formatted(id);
        Http.Response r = kiln.put("/canvases/" + id, "application/yaml", doc);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.message()).isEqualTo("invalid canvas");
        List<String> errors = new ArrayList<>();
        r.json().path("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(e -> assertThat(e).startsWith("canvases/" + id + ".yaml: "));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("colour"))
                .anySatisfy(e -> assertThat(e).contains("steps.wait.window"))
                .anySatisfy(e -> assertThat(e).contains("nowhere"));
        assertThat(kiln.get("/canvases/" + id).status()).isEqualTo(404);
    }

    @Test
    void the_id_in_the_url_must_be_the_documents_id() {
        String id = "url-" + UUID.randomUUID();
        Http.Response r = kiln.put("/canvases/other-id", "application/yaml", gate(id, "x", "x", ""));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").get(0).asText()).contains("other-id").contains(id);
    }

    @Test
    void bodies_that_are_not_a_canvas_document_are_refused() {
        assertThat(kiln.put("/canvases/x", "text/plain", "id: x").status()).isEqualTo(415);
        Http.Response empty = kiln.put("/canvases/x", "application/yaml", "  ");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.message()).contains("empty");
        Http.Response broken = kiln.put("/canvases/x", "application/yaml", "id: [x\n");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().path("errors").size()).isPositive();
    }

    @Test
    void unknown_canvases_are_404_everywhere() {
        for (Http.Response r : List.of(kiln.get("/canvases/nope"), kiln.get("/canvases/nope/stats"),
                kiln.post("/canvases/nope/launch", ""), kiln.post("/canvases/nope/stop", ""))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.message()).isEqualTo("No Canvas with id \"nope\"");
        }
    }

    @Test
    void launch_lets_users_in_and_stop_keeps_everyone_out() {
        String id = "gate-" + UUID.randomUUID();
        String event = "opened_" + id.replace('-', '_');
        assertThat(kiln.put("/canvases/" + id, "application/yaml", gate(id, event, "gated", "")).status()).isEqualTo(201);
        String draftUser = kiln.sendEvent(event);
        assertThat(kiln.custom(draftUser).has("gated")).as("a draft takes no one in").isFalse();

        Http.Response launched = kiln.post("/canvases/" + id + "/launch", "");
        assertThat(launched.status()).isEqualTo(200);
        assertThat(launched.json().path("status").asText()).isEqualTo("active");
        assertThat(launched.json().path("version").asInt()).isEqualTo(1);
        String activeUser = kiln.sendEvent(event);
        assertThat(kiln.custom(activeUser).path("gated").asInt()).isEqualTo(1);

        Http.Response stopped = kiln.post("/canvases/" + id + "/stop", "");
        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().path("status").asText()).isEqualTo("stopped");
        assertThat(kiln.get("/canvases/" + id).json().path("status").asText()).isEqualTo("stopped");
        String lateUser = kiln.sendEvent(event);
        assertThat(kiln.custom(lateUser).has("gated")).as("a stopped Canvas takes no one in").isFalse();
        kiln.event(activeUser, event);
        assertThat(kiln.custom(activeUser).path("gated").asInt()).as("nor anyone again").isEqualTo(1);

        assertThat(kiln.post("/canvases/" + id + "/launch", "").json().path("status").asText()).isEqualTo("active");
    }

    @Test
    void a_new_version_only_when_the_definition_changes() {
        String id = "versioned-" + UUID.randomUUID();
        String v1 = gate(id, "versioned", "versioned", "");
        assertThat(kiln.put("/canvases/" + id, "application/yaml", v1).json().path("version").asInt()).isEqualTo(1);

        Http.Response same = kiln.put("/canvases/" + id, "application/yaml", v1);
        assertThat(same.status()).as("replacing, not creating").isEqualTo(200);
        assertThat(same.json().path("version").asInt()).isEqualTo(1);
        Http.Response commented = kiln.put("/canvases/" + id, "application/yaml", "# only a comment differs\n" + v1);
        assertThat(commented.json().path("version").asInt()).as("same definition, other text").isEqualTo(1);

        String v2 = v1.replace("increment: 5", "increment: 6");
        Http.Response changed = kiln.put("/canvases/" + id, "application/yaml", v2);
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().path("version").asInt()).isEqualTo(2);
        assertThat(kiln.get("/canvases/" + id).json().path("document").asText()).isEqualTo(v2);
        assertThat(kiln.put("/canvases/" + id, "application/yaml", v2).json().path("version").asInt()).isEqualTo(2);
        assertThat(kiln.put("/canvases/" + id, "application/yaml", v1).json().path("version").asInt())
                .as("going back is a change too").isEqualTo(3);
    }

    @Test
    void keys_need_canvases_read_to_read_and_definitions_write_to_change() {
        String id = "scoped-" + UUID.randomUUID();
        String doc = gate(id, "scoped", "scoped", "");
        for (Http.Response r : List.of(kiln.http.get("/canvases", null), kiln.http.get("/canvases/scoring", null),
                kiln.http.get("/canvases/scoring/stats", null), kiln.putWith(null, "/canvases/" + id, doc),
                kiln.http.post("/canvases/scoring/stop", null, ""))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
        }
        assertThat(kiln.http.get("/canvases", "not-a-key").status()).isEqualTo(401);

        String reader = kiln.keyWith(Scopes.CANVASES_READ);
        assertThat(kiln.http.get("/canvases", reader).status()).isEqualTo(200);
        assertThat(kiln.http.get("/canvases/scoring/stats", reader).status()).isEqualTo(200);
        Http.Response denied = kiln.putWith(reader, "/canvases/" + id, doc);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.message()).isEqualTo("Access Denied");
        assertThat(denied.json().path("reason").asText()).contains(Scopes.DEFINITIONS_WRITE);
        assertThat(kiln.http.post("/canvases/scoring/stop", reader, "").status()).isEqualTo(403);
        assertThat(kiln.get("/canvases/scoring").json().path("status").asText()).isEqualTo("active");

        String writer = kiln.keyWith(Scopes.DEFINITIONS_WRITE);
        assertThat(kiln.http.get("/canvases/scoring", writer).status()).isEqualTo(403);
        assertThat(kiln.putWith(writer, "/canvases/" + id, doc).status()).isEqualTo(201);
        assertThat(kiln.http.post("/canvases/" + id + "/launch", writer, "").status()).isEqualTo(200);
    }

    private static JsonNode find(JsonNode canvases, String id) {
        for (JsonNode c : canvases) if (c.path("id").asText().equals(id)) return c;
        throw new AssertionError("no canvas " + id + " in " + canvases);
    }

    /**
     * A real Kiln ({@link KilnServer}) for the Canvas and ledger tests: a temp SQLite file, a temp
     * definitions directory holding {@code files}, the admin key with every scope, on a random port.
     */
    static final class Running implements AutoCloseable {
        final Path dir;
        final KilnServer server;
        final Http http;
        final String key = ApiKeys.newKey();

        Running(Map<String, String> files) {
            try {
                dir = Files.createTempDirectory("kiln-canvas-test");
                Path definitions = Files.createDirectories(dir.resolve("definitions"));
                for (var f : files.entrySet()) {
                    Path p = definitions.resolve(f.getKey());
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, f.getValue());
                }
                server = KilnServer.start(ServerConfig.of(0, "jdbc:sqlite:" + dir.resolve("kiln.db"), definitions).withAdminKey(key));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            http = new Http(server.port());
        }

        String keyWith(String... scopes) {
            String k = ApiKeys.newKey();
            server.store().apiKeys().create(ApiKeys.newId(), "limited", ApiKeys.hash(k), Set.of(scopes), System.currentTimeMillis());
            return k;
        }

        Http.Response get(String path) { return http.get(path, key); }

        Http.Response post(String path, String body) { return http.post(path, key, body); }

        Http.Response post(String path, Object body) { return http.post(path, key, body); }

        Http.Response put(String path, String contentType, String body) {
            return http.send(http.request(path, key).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body)));
        }

        Http.Response putWith(String withKey, String path, String body) {
            return http.send(http.request(path, withKey).header("Content-Type", "application/yaml")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)));
        }

        /** A /users/track that must succeed. */
        Http.Response track(String body) {
            Http.Response r = http.post("/users/track", key, body);
            if (r.status() != 201 || r.json().has("errors")) throw new AssertionError("track failed: " + r);
            return r;
        }

        /** A new user who does {@code event}; returns the external id. */
        String sendEvent(String event) {
            String u = "u-" + UUID.randomUUID();
            event(u, event);
            return u;
        }

        /** {@code externalId} does {@code event} now (the user is created when new). */
        void event(String externalId, String event) {
            track(Http.JSON.createObjectNode().set("events", Http.JSON.createArrayNode().add(Http.JSON.createObjectNode()
                    .put("external_id", externalId).put("name", event).put("time", java.time.Instant.now().toString()))).toString());
        }

        /** Sets custom attributes of {@code externalId} (created when new). */
        void attributes(String externalId, Map<String, Object> attributes) {
            Map<String, Object> a = new java.util.LinkedHashMap<>(attributes);
            a.put("external_id", externalId);
            try {
                track(Http.JSON.writeValueAsString(Map.of("attributes", List.of(a))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The committed custom attributes of a user (empty when there is no such user). */
        JsonNode custom(String externalId) {
            Http.Response r = http.post("/users/export/ids", key, Map.of("external_ids", List.of(externalId)));
            if (r.status() != 200) throw new AssertionError("export failed: " + r);
            JsonNode users = r.json().path("users");
            return users.isEmpty() ? Http.JSON.createObjectNode() : users.get(0).path("custom_attributes");
        }

        @Override public void close() {
            server.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp directory is harmless
            }
        }
    }
}
