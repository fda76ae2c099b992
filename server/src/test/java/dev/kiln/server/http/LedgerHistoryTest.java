package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /users/{external_id}/attributes/{name}/history}: the score ledger over real HTTP. */
class LedgerHistoryTest {
    /** Entered on sign-up; a demo request within a day (group "demo: booked", a colon in its name) gives +5. */
    static final String ENGAGEMENT = """
            id: engagement
            name: Engagement
            status: active
            entry:
              triggers: [ { custom_event: { name: signed_up } } ]
            start: wait
            steps:
              wait:
                type: action_paths
                window: 1d
                groups:
                  - name: "demo: booked"
                    triggers: [ { custom_event: { name: demo_requested } } ]
                    next: add_5
              add_5: { type: user_update, updates: [ { attribute: "lead score", increment: 5 } ] }
            """;

    private static CanvasRoutesTest.Running kiln;
    /** A user whose "lead score" went 10 (track), 15 (Canvas), 20 (track). */
    private static String user;
    private static String path;

    @BeforeAll
    static void start() {
        kiln = new CanvasRoutesTest.Running(Map.of("canvases/engagement.yaml", ENGAGEMENT));
        user = "u-" + UUID.randomUUID();
        path = "/users/" + user + "/attributes/lead%20score/history";
        kiln.attributes(user, Map.of("lead score", 10));
        kiln.event(user, "signed_up");
        kiln.event(user, "demo_requested");
        kiln.attributes(user, Map.of("lead score", 20));
    }

    @AfterAll static void stop() { kiln.close(); }

    @Test
    void changes_come_newest_first_with_values_deltas_and_structured_sources() {
        Http.Response r = kiln.get(path);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("external_id").asText()).isEqualTo(user);
        assertThat(body.path("attribute").asText()).isEqualTo("lead score");
        assertThat(body.path("next_cursor").isNull()).isTrue();
        assertThat(body.path("message").asText()).isEqualTo("success");
        JsonNode changes = body.path("changes");
        assertThat(changes).hasSize(3);

        JsonNode last = changes.get(0), canvas = changes.get(1), first = changes.get(2);
        assertThat(values(last)).containsExactly(15L, 20L, 5L);
        assertThat(values(canvas)).containsExactly(10L, 15L, 5L);
        assertThat(first.path("old_value").isNull()).isTrue();
        assertThat(first.path("new_value").asLong()).isEqualTo(10);

        JsonNode track = last.path("source");
        assertThat(track.path("type").asText()).isEqualTo("users/track");
        assertThat(track.path("request_id").asText()).isNotBlank();
        assertThat(track.path("label").asText()).isEqualTo("users/track:" + track.path("request_id").asText());
        assertThat(first.path("source").path("type").asText()).isEqualTo("users/track");
        assertThat(first.path("source").path("request_id").asText()).isNotEqualTo(track.path("request_id").asText());

        JsonNode step = canvas.path("source");
        assertThat(step.path("type").asText()).isEqualTo("canvas");
        assertThat(step.path("canvas_id").asText()).isEqualTo("engagement");
        assertThat(step.path("version").asInt()).isEqualTo(1);
        assertThat(step.path("step").asText()).isEqualTo("add_5");
        assertThat(step.path("action_group").asText()).isEqualTo("demo: booked");
        assertThat(step.path("label").asText()).isEqualTo("canvas:engagement:v1:add_5:demo: booked");

        List<Instant> times = new ArrayList<>();
        changes.forEach(c -> times.add(Instant.parse(c.path("time").asText())));
        assertThat(times).isSortedAccordingTo((x, y) -> y.compareTo(x));
    }

    @Test
    void pages_follow_next_cursor_to_the_end() {
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Http.Response r = kiln.get(path + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode changes = r.json().path("changes");
            assertThat(changes.size()).isBetween(1, 2);
            changes.forEach(c -> seen.add(c.path("new_value").asLong()));
            JsonNode next = r.json().path("next_cursor");
            cursor = next.isNull() ? null : next.asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(2);
        assertThat(seen).containsExactly(20L, 15L, 10L);
        Http.Response one = kiln.get(path + "?limit=1");
        assertThat(one.json().path("changes")).hasSize(1);
        assertThat(one.json().path("next_cursor").isIntegralNumber()).isTrue();
    }

    @Test
    void an_attribute_without_changes_has_an_empty_history() {
        Http.Response r = kiln.get("/users/" + user + "/attributes/plan/history");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("changes")).isEmpty();
        assertThat(r.json().path("next_cursor").isNull()).isTrue();
    }

    @Test
    void an_unknown_user_is_404() {
        Http.Response r = kiln.get("/users/nobody-here/attributes/lead%20score/history");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.message()).isEqualTo("No user with external_id \"nobody-here\"");
    }

    @Test
    void limit_and_cursor_are_checked() {
        for (String q : List.of("limit=0", "limit=501", "limit=ten", "limit=-1", "cursor=0", "cursor=abc", "cursor=99999999999999999999",
                "limit=2&limit=3", "page=2")) {
            Http.Response r = kiln.get(path + "?" + q);
            assertThat(r.status()).as(q + " → " + r).isEqualTo(400);
        }
        assertThat(kiln.get(path + "?limit=501").message()).isEqualTo("limit must be a whole number from 1 to 500, was 501");
        assertThat(kiln.get(path + "?limit=500").status()).isEqualTo(200);
    }

    @Test
    void needs_a_key_with_users_export() {
        assertThat(kiln.http.get(path, null).status()).isEqualTo(401);
        Http.Response denied = kiln.http.get(path, kiln.keyWith(Scopes.CANVASES_READ));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().path("reason").asText()).contains(Scopes.USERS_EXPORT);
        assertThat(kiln.http.get(path, kiln.keyWith(Scopes.USERS_EXPORT)).status()).isEqualTo(200);
    }

    private static List<Long> values(JsonNode change) {
        return List.of(change.path("old_value").asLong(), change.path("new_value").asLong(), change.path("delta").asLong());
    }
}
