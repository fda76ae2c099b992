package dev.kiln.server.currents;

import dev.kiln.store.EventLogRow;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Each event type in Braze's Currents shape: id, time in epoch seconds, user ids, then the type's fields. */
class CurrentsMapperTest {
    static final long T = 1_700_000_123_456L;

    static Map<String, Object> map(String type, String data) {
        return CurrentsMapper.map(new EventLogRow(7, "ev-1", "uid-1", "ext-1", type, T, data, T));
    }

    @Test
    void every_record_starts_with_id_time_in_seconds_and_both_user_ids() {
        Map<String, Object> m = map("users.behaviors.CustomEvent", "{\"name\":\"x\",\"properties\":{},\"source\":\"s\"}");
        assertThat(m.keySet()).startsWith("id", "time", "user_id", "external_user_id");
        assertThat(m).contains(entry("id", "ev-1"), entry("time", 1_700_000_123L), entry("user_id", "uid-1"),
                entry("external_user_id", "ext-1"));
    }

    @Test
    void a_user_without_external_id_has_a_null_external_user_id() {
        Map<String, Object> m = CurrentsMapper.map(new EventLogRow(1, "e", "uid", null, "users.canvas.Exit", T, "{}", T));
        assertThat(m).containsEntry("external_user_id", null);
    }

    @Test
    void a_custom_event_has_its_name_and_properties_as_a_json_string() {
        Map<String, Object> m = map("users.behaviors.CustomEvent",
                "{\"name\":\"webinar_signup\",\"properties\":{\"topic\":\"ai\",\"n\":2},\"source\":\"users/track:r1\"}");
        assertThat(m).containsEntry("name", "webinar_signup").containsEntry("properties", "{\"topic\":\"ai\",\"n\":2}")
                .containsEntry("source", "users/track:r1");
    }

    @Test
    void a_purchase_has_product_price_currency_quantity_and_properties() {
        Map<String, Object> m = map("users.behaviors.Purchase",
                "{\"product_id\":\"plan\",\"currency\":\"USD\",\"price\":9.5,\"quantity\":2,\"properties\":{},\"source\":\"s\"}");
        assertThat(m).containsEntry("product_id", "plan").containsEntry("currency", "USD").containsEntry("price", 9.5)
                .containsEntry("quantity", 2).containsEntry("properties", "{}");
    }

    @Test
    void a_session_start_and_email_events_flatten_their_properties_into_brazes_fields() {
        Map<String, Object> s = map("users.behaviors.app.SessionStart",
                "{\"name\":\"kiln.session_start\",\"properties\":{\"session_id\":\"s1\",\"id\":\"spoof\"},\"source\":\"s\"}");
        assertThat(s).containsEntry("session_id", "s1").containsEntry("id", "ev-1").doesNotContainKey("name");
        Map<String, Object> o = map("users.messages.email.Open",
                "{\"name\":\"kiln.email.open\",\"properties\":{\"email_address\":\"a@b.c\",\"campaign_id\":\"c\"},\"source\":\"s\"}");
        assertThat(o).containsEntry("email_address", "a@b.c").containsEntry("campaign_id", "c");
    }

    @Test
    void canvas_entry_and_exit_carry_canvas_fields() {
        assertThat(map("users.canvas.Entry", "{\"canvas_id\":\"seed\",\"canvas_name\":\"Seed\",\"canvas_version\":2,\"canvas_step_id\":\"paths\"}"))
                .containsEntry("canvas_id", "seed").containsEntry("canvas_name", "Seed").containsEntry("canvas_version", 2)
                .containsEntry("canvas_step_id", "paths");
        assertThat(map("users.canvas.Exit", "{\"canvas_id\":\"seed\",\"canvas_version\":2,\"canvas_step_id\":\"u\",\"reason\":\"finished\"}"))
                .containsEntry("reason", "finished").containsEntry("canvas_step_id", "u");
    }

    @Test
    void webhook_outcomes_carry_dispatch_campaign_attempt_status_and_abort_or_error() {
        assertThat(map("users.messages.webhook.Send", "{\"dispatch_id\":\"m1\",\"campaign_id\":\"handoff\",\"attempt\":1,\"status_code\":204}"))
                .containsEntry("dispatch_id", "m1").containsEntry("campaign_id", "handoff").containsEntry("attempt", 1).containsEntry("status_code", 204);
        assertThat(map("users.messages.webhook.Abort", "{\"dispatch_id\":\"m1\",\"campaign_id\":\"h\",\"attempt\":1,\"abort_type\":\"below 100\"}"))
                .containsEntry("abort_type", "below 100");
        assertThat(map("users.messages.webhook.Failure", "{\"dispatch_id\":\"m1\",\"canvas_id\":\"c\",\"canvas_step_id\":\"w\",\"attempt\":5,\"status_code\":404,\"error\":\"not found\"}"))
                .containsEntry("canvas_step_id", "w").containsEntry("error", "not found");
        assertThat(map("users.messages.webhook.Retry", "{\"dispatch_id\":\"m1\",\"campaign_id\":\"h\",\"attempt\":2,\"status_code\":503}"))
                .containsEntry("attempt", 2);
    }

    @Test
    void an_attribute_change_has_name_old_new_delta_and_source() {
        assertThat(map("users.attributes.Change", "{\"name\":\"lead score\",\"old_value\":4,\"new_value\":5,\"delta\":1,\"source\":\"canvas:seed:v1:plus:0\"}"))
                .containsEntry("name", "lead score").containsEntry("old_value", 4).containsEntry("new_value", 5).containsEntry("delta", 1)
                .containsEntry("source", "canvas:seed:v1:plus:0");
    }

    @Test
    void a_user_delete_has_only_the_common_fields() {
        assertThat(map("users.Delete", "{\"external_id\":\"ext-1\"}")).containsOnlyKeys("id", "time", "user_id", "external_user_id");
    }

    @Test
    void the_date_partition_is_the_utc_hour_of_the_event_time() {
        assertThat(CurrentsMapper.hour(new EventLogRow(1, "e", "u", null, "t", 0L, "{}", 0))).isEqualTo("1970-01-01-00");
        assertThat(CurrentsMapper.hour(new EventLogRow(1, "e", "u", null, "t", T, "{}", 0))).isEqualTo("2023-11-14-22");
    }
}
