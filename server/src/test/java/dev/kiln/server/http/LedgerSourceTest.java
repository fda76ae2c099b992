package dev.kiln.server.http;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Ledger source labels become structure; the raw label always comes along. */
class LedgerSourceTest {
    private static Map<String, Object> expected(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void a_users_track_request() {
        assertThat(LedgerSource.parse("users/track:3f2a")).isEqualTo(expected("type", "users/track", "request_id", "3f2a",
                "label", "users/track:3f2a"));
    }

    @Test
    void a_canvas_step_with_and_without_an_action_group() {
        assertThat(LedgerSource.parse("canvas:lead-scoring:v3:add_1:plus one")).isEqualTo(expected("type", "canvas",
                "canvas_id", "lead-scoring", "version", 3, "step", "add_1", "action_group", "plus one",
                "label", "canvas:lead-scoring:v3:add_1:plus one"));
        assertThat(LedgerSource.parse("canvas:c.1:v12:decay")).isEqualTo(expected("type", "canvas", "canvas_id", "c.1",
                "version", 12, "step", "decay", "label", "canvas:c.1:v12:decay"));
    }

    @Test
    void a_group_name_may_hold_colons() {
        assertThat(LedgerSource.parse("canvas:c:v1:s:a: b:c").get("action_group")).isEqualTo("a: b:c");
    }

    @Test
    void a_canvas_label_of_another_shape_keeps_what_it_can() {
        assertThat(LedgerSource.parse("canvas:c:latest")).isEqualTo(expected("type", "canvas", "canvas_id", "c", "label", "canvas:c:latest"));
    }

    @Test
    void campaigns_cdi_api_timers_and_system() {
        assertThat(LedgerSource.parse("campaign:mql-handoff")).containsEntry("type", "campaign").containsEntry("campaign_id", "mql-handoff");
        assertThat(LedgerSource.parse("cdi:scores")).containsEntry("type", "cdi").containsEntry("integration_id", "scores");
        assertThat(LedgerSource.parse("api:canvas/trigger/send:r1")).containsEntry("type", "api").containsEntry("what", "canvas/trigger/send:r1");
        assertThat(LedgerSource.parse("timer:lead-scoring")).containsEntry("type", "timer").containsEntry("canvas_id", "lead-scoring");
        assertThat(LedgerSource.parse("system:migration")).containsEntry("type", "system").containsEntry("what", "migration");
    }

    @Test
    void an_unknown_label_is_kept_as_is() {
        assertThat(LedgerSource.parse("later")).isEqualTo(expected("type", "unknown", "label", "later"));
        assertThat(LedgerSource.parse("kafka:t:1")).isEqualTo(expected("type", "unknown", "label", "kafka:t:1"));
    }
}
