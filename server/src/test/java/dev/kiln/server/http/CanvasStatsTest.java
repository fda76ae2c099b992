package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /canvases/{id}/stats} after real activity in the 2 s scoring loop: entries, users on steps,
 * action groups including Everyone Else (the decay), exits; and the ledger explains the decay.
 */
class CanvasStatsTest {
    private static CanvasRoutesTest.Running kiln;

    @BeforeAll static void start() { kiln = new CanvasRoutesTest.Running(Map.of("canvases/scoring.yaml", CanvasRoutesTest.SCORING)); }

    @AfterAll static void stop() { kiln.close(); }

    @Test
    void stats_count_entries_groups_everyone_else_and_exits() {
        String idle = "idle-" + UUID.randomUUID(), keen = "keen-" + UUID.randomUUID();
        kiln.attributes(idle, Map.of("lead score", 1));
        kiln.attributes(keen, Map.of("lead score", 3));
        kiln.event(keen, "demo_requested");
        assertThat(kiln.custom(keen).path("lead score").asInt()).isEqualTo(8);

        JsonNode now = stats();
        assertThat(now.path("canvas_id").asText()).isEqualTo("scoring");
        // At least: idle once, keen twice (the +5 re-enters it); more once a 2 s window has passed.
        assertThat(now.path("entries").path("total").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(now.path("entries").path("per_day").path(LocalDate.now(ZoneOffset.UTC).toString()).asLong())
                .isEqualTo(now.path("entries").path("total").asLong());
        assertThat(now.path("on_step").path("score").asLong()).as("both wait in Action Paths").isEqualTo(2);
        assertThat(now.path("action_groups").path("score").path("plus five").asLong()).isEqualTo(1);
        assertThat(now.path("loop_guard_hits").asLong()).isZero();
        assertThat(now.path("message").asText()).isEqualTo("success");

        // Both windows pass with no action: Everyone Else decays idle 1 → 0 and keen 8 → 7; each leaves
        // the Canvas after the decay ("completed") and re-enters because the score changed.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(kiln.custom(idle).path("lead score").asInt()).isZero();
            JsonNode s = stats();
            assertThat(s.path("action_groups").path("score").path("Everyone Else").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(s.path("exits").path("completed").asLong()).isGreaterThanOrEqualTo(3);
        });

        JsonNode decay = kiln.get("/users/" + idle + "/attributes/lead%20score/history").json().path("changes").get(0);
        assertThat(decay.path("old_value").asLong()).isEqualTo(1);
        assertThat(decay.path("new_value").asLong()).isZero();
        assertThat(decay.path("delta").asLong()).isEqualTo(-1);
        assertThat(decay.path("source").path("type").asText()).isEqualTo("canvas");
        assertThat(decay.path("source").path("step").asText()).isEqualTo("decay");
        assertThat(decay.path("source").path("action_group").asText()).isEqualTo("Everyone Else");
    }

    private static JsonNode stats() {
        Http.Response r = kiln.get("/canvases/scoring/stats");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }
}
