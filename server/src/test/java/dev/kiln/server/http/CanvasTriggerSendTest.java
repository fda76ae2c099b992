package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.canvas.CanvasState;
import dev.kiln.runtime.Identifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /canvas/trigger/send}: API-triggered entry with canvas_entry_properties, over real HTTP. */
class CanvasTriggerSendTest {
    /** Entered only through the API: counts entries, then waits a day for the offer to be accepted. */
    static final String OFFER = """
            id: offer
            name: Offer
            status: active
            entry:
              triggers: [ { api_triggered: {} } ]
              reentry: { allowed: true, after: 0s }
            start: count
            steps:
              count: { type: user_update, updates: [ { attribute: offers, increment: 1 } ], next: wait }
              wait:
                type: action_paths
                window: 1d
                groups:
                  - name: accepted
                    triggers: [ { custom_event: { name: offer_accepted } } ]
                    exit: true
            """;
    static final String DRAFT = OFFER.replace("id: offer", "id: offer-draft").replace("status: active", "status: draft");
    /** Entered by an event only: not open to the API. */
    static final String ACTION_BASED = """
            id: action-based
            name: Action based
            status: active
            entry:
              triggers: [ { custom_event: { name: poked } } ]
            start: mark
            steps:
              mark: { type: user_update, updates: [ { attribute: poked, set: true } ] }
            """;

    private static CanvasRoutesTest.Running kiln;

    @BeforeAll
    static void start() {
        kiln = new CanvasRoutesTest.Running(Map.of("canvases/offer.yaml", OFFER, "canvases/offer-draft.yaml", DRAFT,
                "canvases/action-based.yaml", ACTION_BASED));
    }

    @AfterAll static void stop() { kiln.close(); }

    private static String newUser() {
        String u = "u-" + UUID.randomUUID();
        kiln.attributes(u, Map.of("plan", "trial"));
        return u;
    }

    private static Map<String, Object> recipient(String externalId, Map<String, Object> properties) {
        return properties == null ? Map.of("external_user_id", externalId)
                : Map.of("external_user_id", externalId, "canvas_entry_properties", properties);
    }

    private static CanvasState position(String externalId, String canvasId) {
        return kiln.server.runtime().find(new Identifier.ExternalId(externalId)).orElseThrow().canvases().get(canvasId);
    }

    @Test
    void enters_each_recipient_with_the_shared_properties_under_its_own() {
        String a = newUser(), b = newUser();
        String aliasName = "lead-" + UUID.randomUUID();
        assertThat(kiln.post("/users/alias/new", Map.of("user_aliases", List.of(Map.of("alias_name", aliasName, "alias_label", "crm"))))
                .status()).isEqualTo(201);
        Http.Response r = kiln.post("/canvas/trigger/send", Map.of(
                "canvas_id", "offer",
                "canvas_entry_properties", Map.of("offer", "A", "tier", "gold"),
                "recipients", List.of(
                        recipient(a, Map.of("offer", "B", "nested", Map.of("n", 1))),
                        recipient(b, null),
                        Map.of("user_alias", Map.of("alias_name", aliasName, "alias_label", "crm")))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.message()).isEqualTo("success");
        assertThat(r.json().path("dispatch_id").asText()).isNotBlank().isEqualTo(r.header("X-Request-Id"));
        assertThat(r.json().has("errors")).isFalse();

        assertThat(kiln.custom(a).path("offers").asInt()).isEqualTo(1);
        assertThat(kiln.custom(b).path("offers").asInt()).isEqualTo(1);
        assertThat(position(a, "offer").step).isEqualTo("wait");
        assertThat(position(a, "offer").entryProperties).containsEntry("offer", "B").containsEntry("tier", "gold")
                .containsEntry("nested", Map.of("n", 1L));
        assertThat(position(b, "offer").entryProperties).isEqualTo(Map.of("offer", "A", "tier", "gold"));
        var aliasUser = kiln.server.runtime().find(new Identifier.Alias(new dev.kiln.engine.UserAlias(aliasName, "crm"))).orElseThrow();
        assertThat(aliasUser.canvases().get("offer").step).isEqualTo("wait");
    }

    @Test
    void a_user_already_in_the_canvas_is_not_entered_twice() {
        String a = newUser();
        Map<String, Object> body = Map.of("canvas_id", "offer", "recipients", List.of(recipient(a, null)));
        assertThat(kiln.post("/canvas/trigger/send", body).status()).isEqualTo(201);
        assertThat(kiln.post("/canvas/trigger/send", body).status()).isEqualTo(201);
        assertThat(kiln.custom(a).path("offers").asInt()).isEqualTo(1);
    }

    @Test
    void users_that_do_not_exist_are_listed_in_errors_and_the_others_enter() {
        String a = newUser();
        String ghost = "ghost-" + UUID.randomUUID();
        Http.Response r = kiln.post("/canvas/trigger/send", Map.of("canvas_id", "offer",
                "recipients", List.of(recipient(ghost, null), recipient(a, null))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode errors = r.json().path("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).path("input_array").asText()).isEqualTo("recipients");
        assertThat(errors.get(0).path("index").asInt()).isZero();
        assertThat(errors.get(0).path("reason").asText()).contains(ghost);
        assertThat(kiln.custom(a).path("offers").asInt()).isEqualTo(1);
        assertThat(kiln.server.runtime().find(new Identifier.ExternalId(ghost))).as("no one is created").isEmpty();
    }

    @Test
    void canvases_that_are_unknown_not_active_or_not_api_triggered_are_refused() {
        String a = newUser();
        Http.Response unknown = kiln.post("/canvas/trigger/send", Map.of("canvas_id", "nope", "recipients", List.of(recipient(a, null))));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("nope");

        Http.Response draft = kiln.post("/canvas/trigger/send", Map.of("canvas_id", "offer-draft", "recipients", List.of(recipient(a, null))));
        assertThat(draft.status()).isEqualTo(400);
        assertThat(draft.message()).isEqualTo("Canvas \"offer-draft\" is draft, not active");
        assertThat(draft.json().path("reason").asText()).contains("/canvases/offer-draft/launch");

        Http.Response actionBased = kiln.post("/canvas/trigger/send", Map.of("canvas_id", "action-based",
                "recipients", List.of(recipient(a, null))));
        assertThat(actionBased.status()).isEqualTo(400);
        assertThat(actionBased.message()).isEqualTo("Canvas \"action-based\" is not API-triggered");
        assertThat(actionBased.json().path("reason").asText()).contains("api_triggered");
        assertThat(kiln.custom(a).has("poked")).isFalse();
        assertThat(kiln.custom(a).has("offers")).isFalse();
    }

    @Test
    void a_stopped_canvas_takes_no_one_from_the_api() {
        String id = "offer-stoppable";
        assertThat(kiln.put("/canvases/" + id, "application/yaml", OFFER.replace("id: offer", "id: " + id)).status()).isEqualTo(201);
        String a = newUser();
        Map<String, Object> body = Map.of("canvas_id", id, "recipients", List.of(recipient(a, null)));
        assertThat(kiln.post("/canvas/trigger/send", body).status()).isEqualTo(201);
        assertThat(kiln.post("/canvases/" + id + "/stop", "").status()).isEqualTo(200);
        String b = newUser();
        Http.Response r = kiln.post("/canvas/trigger/send", Map.of("canvas_id", id, "recipients", List.of(recipient(b, null))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("is stopped");
        assertThat(kiln.custom(a).path("offers").asInt()).isEqualTo(1);
        assertThat(kiln.custom(b).has("offers")).isFalse();
    }

    @Test
    void malformed_requests_are_400_and_enter_no_one() {
        String a = newUser();
        List<Map<String, Object>> fifty = new ArrayList<>();
        for (int i = 0; i < 51; i++) fifty.add(recipient(a, null));
        record Case(Object body, String expected) {}
        List<Case> cases = List.of(
                new Case(Map.of("recipients", List.of(recipient(a, null))), "canvas_id must be a string, was missing"),
                new Case(Map.of("canvas_id", "offer", "broadcast", true), "broadcast is not supported"),
                new Case(Map.of("canvas_id", "offer"), "recipients is required and must not be empty"),
                new Case(Map.of("canvas_id", "offer", "recipients", fifty), "Too many recipients: 51"),
                new Case(Map.of("canvas_id", "offer", "recipients", List.of(recipient(a, null),
                        Map.of("external_user_id", a, "user_alias", Map.of("alias_name", "x", "alias_label", "y")))),
                        "recipients[1] needs exactly one of external_user_id and user_alias"),
                new Case(Map.of("canvas_id", "offer", "recipients", List.of(Map.of("external_user_id", a, "send_to_existing_only", false))),
                        "recipients[0].send_to_existing_only: false is not supported"),
                new Case(Map.of("canvas_id", "offer", "recipients", List.of(Map.of("external_user_id", a, "canvas_entry_properties", "x"))),
                        "recipients[0].canvas_entry_properties must be an object"),
                new Case(Map.of("canvas_id", "offer", "recipients", List.of(recipient(a, null)), "trigger_properties", Map.of()),
                        "Unknown field \"trigger_properties\""),
                new Case(Map.of("canvas_id", "offer", "recipients", List.of(recipient(a, Map.of("big", "x".repeat(200)))),
                        "canvas_entry_properties", Map.of("$bad", 1)), "canvas_entry_properties key \"$bad\" must not start with $"));
        for (Case c : cases) {
            Http.Response r = kiln.post("/canvas/trigger/send", c.body());
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.message()).as(r.toString()).contains(c.expected());
        }
        assertThat(kiln.custom(a).has("offers")).isFalse();
    }

    @Test
    void needs_a_key_with_canvas_trigger() {
        String a = newUser();
        Map<String, Object> body = Map.of("canvas_id", "offer", "recipients", List.of(recipient(a, null)));
        assertThat(kiln.http.post("/canvas/trigger/send", null, body).status()).isEqualTo(401);
        Http.Response denied = kiln.http.post("/canvas/trigger/send", kiln.keyWith(Scopes.USERS_TRACK), body);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().path("reason").asText()).contains(Scopes.CANVAS_TRIGGER);
        assertThat(kiln.http.post("/canvas/trigger/send", kiln.keyWith(Scopes.CANVAS_TRIGGER), body).status()).isEqualTo(201);
        assertThat(kiln.custom(a).path("offers").asInt()).isEqualTo(1);
    }
}
