package dev.kiln.definitions;

import dev.kiln.engine.campaign.Campaign;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per campaign validation rule; each asserts the exact line {@code kiln validate} prints. */
class CampaignProblemsTest {
    static final String FILE = "campaigns/c.yaml";
    static final String HEAD = "id: c\nname: C\nchannel: webhook\n";
    static final String DELIVERY = "delivery: { type: action_based, triggers: [ { session_started: {} } ] }\n";
    static final String WEBHOOK = "webhook: { url: \"https://example.com/hook\", method: POST }\n";

    static List<String> problems(String yaml) {
        Parsed<Campaign> parsed = DefinitionLoader.parseCampaign(yaml, FILE, false, CampaignModelTest.context());
        assertThat(parsed.value()).isEmpty();
        return parsed.problems().stream().map(Problem::toString).toList();
    }

    /** The usual head and webhook with {@code delivery} as the value after {@code delivery:}. */
    static List<String> problemsInDelivery(String delivery) {
        return problems(HEAD + "delivery: " + delivery + "\n" + WEBHOOK);
    }

    /** The usual head and delivery with the webhook block {@code webhook} (the lines after {@code webhook:}). */
    static List<String> problemsInWebhook(String webhook) {
        return problems(HEAD + DELIVERY + "webhook:\n" + webhook);
    }

    /** A valid document plus the top-level lines {@code extra}. */
    static List<String> problemsWith(String extra) {
        return problems(HEAD + DELIVERY + WEBHOOK + extra);
    }

    static String at(String path, String message) {
        return FILE + ": " + path + ": " + message;
    }

    // ---- document ------------------------------------------------------------------------------

    @Test
    void a_document_that_is_not_a_mapping_is_refused() {
        assertThat(problems("- id: c\n")).containsExactly(at("$", "expected a mapping with id, name, channel, delivery and webhook, got a list"));
    }

    @Test
    void unknown_top_level_key_is_refused_with_a_suggestion() {
        assertThat(problemsWith("rate_limits: { per_minute: 10 }\n")).containsExactly(at("rate_limits", "unknown key; did you mean rate_limit?"));
    }

    @Test
    void missing_id_and_name_are_reported() {
        assertThat(problems("channel: webhook\n" + DELIVERY + WEBHOOK)).containsExactly(at("id", "required"), at("name", "required"));
    }

    @Test
    void unknown_status_is_refused() {
        assertThat(problemsWith("status: live\n")).containsExactly(at("status", "expected draft, active or stopped, got string 'live'"));
    }

    @Test
    void channel_is_required() {
        assertThat(problems("id: c\nname: C\n" + DELIVERY + WEBHOOK)).containsExactly(at("channel", "required: webhook"));
    }

    @Test
    void a_channel_other_than_webhook_is_refused() {
        assertThat(problems("id: c\nname: C\nchannel: email\n" + DELIVERY + WEBHOOK))
                .containsExactly(at("channel", "expected webhook (the only channel Kiln sends for now), got string 'email'"));
    }

    // ---- delivery ------------------------------------------------------------------------------

    @Test
    void delivery_is_required() {
        assertThat(problems(HEAD + WEBHOOK)).containsExactly(at("delivery", "required: a mapping such as { type: action_based, triggers: [...] }"));
    }

    @Test
    void delivery_type_is_required() {
        assertThat(problemsInDelivery("{ triggers: [ { session_started: {} } ] }"))
                .containsExactly(at("delivery.type", "required: one of action_based, api_triggered or scheduled"));
    }

    @Test
    void unknown_delivery_type_is_refused_with_a_suggestion() {
        assertThat(problemsInDelivery("{ type: action-based, triggers: [ { session_started: {} } ] }"))
                .containsExactly(at("delivery.type", "unknown delivery type; did you mean action_based?"));
    }

    @Test
    void unknown_delivery_key_is_refused() {
        assertThat(problemsInDelivery("{ type: api_triggered, trigger: [] }"))
                .containsExactly(at("delivery.trigger", "unknown key; did you mean triggers?"));
    }

    @Test
    void action_based_delivery_needs_triggers() {
        assertThat(problemsInDelivery("{ type: action_based }"))
                .containsExactly(at("delivery.triggers", "required: action_based delivery needs at least one trigger"));
    }

    @Test
    void action_based_delivery_needs_at_least_one_trigger() {
        assertThat(problemsInDelivery("{ type: action_based, triggers: [] }"))
                .containsExactly(at("delivery.triggers", "action_based delivery needs at least one trigger"));
    }

    @Test
    void triggers_use_the_canvas_trigger_parser() {
        assertThat(problemsInDelivery("{ type: action_based, triggers: [ { custom_attribute_crossed: { name: \"lead score\", threshold: 100 } } ] }"))
                .containsExactly(at("delivery.triggers[0].custom_attribute_crossed.direction", "required: up or down"));
    }

    @Test
    void api_triggered_is_a_delivery_type_not_a_trigger() {
        assertThat(problemsInDelivery("{ type: action_based, triggers: [ { api_triggered: {} } ] }")).containsExactly(at(
                "delivery.triggers[0].api_triggered",
                "api_triggered is a delivery type of its own: write delivery: { type: api_triggered } without triggers"));
    }

    @Test
    void triggers_are_only_for_action_based_delivery() {
        assertThat(problemsInDelivery("{ type: api_triggered, triggers: [ { session_started: {} } ] }"))
                .containsExactly(at("delivery.triggers", "only for action_based delivery (this campaign is api_triggered)"));
        assertThat(problemsInDelivery("{ type: scheduled, schedule: { at: 2026-12-01T09:00:00Z }, triggers: [ { session_started: {} } ] }"))
                .containsExactly(at("delivery.triggers", "only for action_based delivery (this campaign is scheduled)"));
    }

    @Test
    void a_schedule_is_only_for_scheduled_delivery() {
        assertThat(problemsInDelivery("{ type: action_based, triggers: [ { session_started: {} } ], schedule: { at: 2026-12-01T09:00:00Z } }"))
                .containsExactly(at("delivery.schedule", "only for scheduled delivery (this campaign is action_based)"));
    }

    @Test
    void scheduled_delivery_needs_a_schedule() {
        assertThat(problemsInDelivery("{ type: scheduled }")).containsExactly(
                at("delivery.schedule", "required for scheduled delivery: a mapping such as { at: 2026-12-01T09:00:00Z, every: 1d }"));
    }

    @Test
    void a_schedule_needs_at() {
        assertThat(problemsInDelivery("{ type: scheduled, schedule: { every: 1d } }")).containsExactly(at("delivery.schedule.at", "required"));
    }

    @Test
    void a_schedule_time_needs_its_zone_offset() {
        assertThat(problemsInDelivery("{ type: scheduled, schedule: { at: \"2026-12-01 09:00\" } }")).containsExactly(at("delivery.schedule.at",
                "expected a time with its zone offset, such as 2026-12-01T09:00:00Z or 2026-12-01T09:00:00+01:00, got string '2026-12-01 09:00'"));
    }

    @Test
    void a_recurring_schedule_must_recur_after_more_than_0s() {
        assertThat(problemsInDelivery("{ type: scheduled, schedule: { at: 2026-12-01T09:00:00Z, every: 0s } }"))
                .containsExactly(at("delivery.schedule.every", "must be more than 0s"));
    }

    @Test
    void a_schedule_takes_only_at_and_every() {
        assertThat(problemsInDelivery("{ type: scheduled, schedule: { at: 2026-12-01T09:00:00Z, evry: 1d } }"))
                .containsExactly(at("delivery.schedule.evry", "unknown key; did you mean every?"));
    }

    // ---- audience, re-eligibility, rate limit, on_success ------------------------------------------

    @Test
    void an_unknown_segment_is_refused_with_a_suggestion() {
        assertThat(problemsWith("audience: { segments: [leadz] }\n"))
                .containsExactly(at("audience.segments[0]", "unknown segment 'leadz'; did you mean leads?"));
    }

    @Test
    void audience_filters_use_the_filter_syntax() {
        assertThat(problemsWith("audience: { filters: { attribute: lead_status, none_of: MQL } }\n"))
                .containsExactly(at("audience.filters.none_of", "expected a list of strings, got string 'MQL'"));
    }

    @Test
    void audience_takes_only_segments_and_filters() {
        assertThat(problemsWith("audience: { segment: [leads] }\n"))
                .containsExactly(at("audience.segment", "unknown key; did you mean segments?"));
    }

    @Test
    void reeligibility_after_must_not_be_negative() {
        assertThat(problemsWith("reeligibility: { allowed: true, after: -1d }\n"))
                .containsExactly(at("reeligibility.after", "must not be negative, got string '-1d'"));
    }

    @Test
    void reeligibility_needs_allowed_and_refuses_after_when_not_allowed() {
        assertThat(problemsWith("reeligibility: { after: 1d }\n")).containsExactly(at("reeligibility.allowed", "required: true or false"));
        assertThat(problemsWith("reeligibility: { allowed: false, after: 1d }\n"))
                .containsExactly(at("reeligibility.after", "only allowed when allowed is true"));
    }

    @Test
    void rate_limit_must_be_above_0() {
        assertThat(problemsWith("rate_limit: { per_minute: 0 }\n"))
                .containsExactly(at("rate_limit.per_minute", "expected a whole number of messages ≥ 1, got number 0"));
        assertThat(problemsWith("rate_limit: { per_minute: -5 }\n"))
                .containsExactly(at("rate_limit.per_minute", "expected a whole number of messages ≥ 1, got number -5"));
    }

    @Test
    void rate_limit_needs_per_minute() {
        assertThat(problemsWith("rate_limit: { }\n"))
                .containsExactly(at("rate_limit.per_minute", "required: a whole number ≥ 1 (leave rate_limit out for no limit)"));
        assertThat(problemsWith("rate_limit: 100\n"))
                .containsExactly(at("rate_limit", "expected a mapping such as { per_minute: 5000 }, got number 100"));
    }

    @Test
    void on_success_needs_at_least_one_update() {
        assertThat(problemsWith("on_success: { updates: [] }\n"))
                .containsExactly(at("on_success.updates", "on_success needs at least one update (leave on_success out for none)"));
    }

    @Test
    void on_success_updates_use_the_user_update_parser() {
        assertThat(problemsWith("on_success: { updates: [ { attribute: lead_status, set: null } ] }\n"))
                .containsExactly(at("on_success.updates[0].set", "set: null is not allowed; write unset: true"));
        assertThat(problemsWith("on_success: { update: [] }\n"))
                .containsExactly(at("on_success.update", "unknown key; did you mean updates?"), at("on_success.updates", "required"));
    }

    // ---- webhook --------------------------------------------------------------------------------

    @Test
    void webhook_is_required() {
        assertThat(problems(HEAD + DELIVERY)).containsExactly(at("webhook", "required"));
    }

    @Test
    void unknown_webhook_key_is_refused_with_a_suggestion() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  header: { X: y }\n"))
                .containsExactly(at("webhook.header", "unknown key; did you mean headers?"));
    }

    @Test
    void url_is_required() {
        assertThat(problemsInWebhook("  method: POST\n")).containsExactly(at("webhook.url", "required"));
    }

    @Test
    void method_is_required() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n"))
                .containsExactly(at("webhook.method", "required: one of GET, POST, PUT, PATCH or DELETE"));
    }

    @Test
    void an_unknown_method_is_refused() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: FETCH\n"))
                .containsExactly(at("webhook.method", "expected GET, POST, PUT, PATCH or DELETE, got string 'FETCH'"));
    }

    @Test
    void a_lower_case_method_is_refused_with_a_hint() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: patch\n")).containsExactly(
                at("webhook.method", "expected GET, POST, PUT, PATCH or DELETE, got string 'patch' (methods are written in capitals)"));
    }

    @Test
    void body_and_body_pairs_are_not_both_allowed() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body: \"{}\"\n  body_pairs: { a: b }\n"))
                .containsExactly(at("webhook", "a webhook takes body (raw text) or body_pairs (JSON key/value pairs), not both"));
    }

    @Test
    void a_body_written_as_yaml_is_refused_with_a_hint() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body: { lead_status: MQL }\n")).containsExactly(at("webhook.body",
                "expected a body template (raw text), got a mapping: write JSON as text in a block (body: |) or use body_pairs for JSON key/value pairs"));
    }

    @Test
    void a_url_must_be_http_or_start_with_liquid() {
        assertThat(problemsInWebhook("  url: example.com/hook\n  method: POST\n")).containsExactly(at("webhook.url",
                "expected a URL starting with https:// or http:// (or with Liquid, such as {{connections.ID.instance_url}}), got string 'example.com/hook'"));
    }

    @Test
    void a_bad_url_that_holds_a_secret_is_not_shown_back() {
        assertThat(problemsInWebhook("  url: \"example.com/hook?api_key=hunter2\"\n  method: POST\n")).containsExactly(at("webhook.url",
                "expected a URL starting with https:// or http:// (or with Liquid, such as {{connections.ID.instance_url}})"));
    }

    @Test
    void a_liquid_syntax_error_in_the_body_is_refused_with_line_and_column() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body: |\n    {\n    {% if custom_attribute.${lead score} > 1 %}\n    }\n"))
                .containsExactly(at("webhook.body", "invalid Liquid at line 2, column 4 of the template: {% if %} is never closed: add {% endif %}"));
    }

    @Test
    void an_unknown_tag_in_a_header_is_refused_at_the_header() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { Authorization: \"{% token %}\" }\n"))
                .singleElement().asString()
                .startsWith(at("webhook.headers.Authorization", "invalid Liquid at line 1, column 4 of the template: unknown tag 'token'; known tags: "));
    }

    @Test
    void a_liquid_error_in_the_url_is_refused() {
        assertThat(problemsInWebhook("  url: \"https://example.com/{{${nickname}}}\"\n  method: GET\n"))
                .singleElement().asString()
                .startsWith(at("webhook.url", "invalid Liquid at line 1, column 23 of the template: unknown '${nickname}'"));
    }

    @Test
    void a_liquid_error_in_a_body_pair_is_refused() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body_pairs: { score: \"{{ x | nofilter }}\" }\n"))
                .containsExactly(at("webhook.body_pairs.score", "invalid Liquid at line 1, column 6 of the template: unknown filter 'nofilter'"));
    }

    @Test
    void body_pairs_hold_text_templates() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body_pairs: { score: 5 }\n")).containsExactly(at(
                "webhook.body_pairs.score", "expected a value template (quote numbers and booleans: pairs are sent as JSON strings), got number 5"));
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body_pairs: {}\n"))
                .containsExactly(at("webhook.body_pairs", "must hold at least one key (leave body_pairs out for no body)"));
    }

    @Test
    void header_values_are_text_templates() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { X-Version: 2 }\n"))
                .containsExactly(at("webhook.headers.X-Version", "expected a header value template (quote numbers and booleans), got number 2"));
    }

    @Test
    void a_header_name_must_be_an_http_token() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { \"X Key\": a }\n"))
                .containsExactly(at("webhook.headers[\"X Key\"]", "not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only"));
    }

    @Test
    void headers_the_http_client_sets_are_refused() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { Host: example.org }\n"))
                .containsExactly(at("webhook.headers.Host", "the HTTP client sets Host itself; remove it"));
    }

    @Test
    void a_header_given_twice_in_different_case_is_refused() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { Content-Type: a, content-type: b }\n"))
                .containsExactly(at("webhook.headers.content-type", "header content-type is given twice (also Content-Type); header names ignore case"));
    }

    // ---- connections named by templates ----------------------------------------------------------

    @Test
    void an_unknown_connection_is_refused_with_a_suggestion() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n"
                + "  headers: { Authorization: \"Bearer {{connections.salesfroce.access_token}}\" }\n"))
                .containsExactly(at("webhook.headers.Authorization", "unknown connection 'salesfroce'; did you mean salesforce?"));
    }

    @Test
    void a_connection_offers_only_access_token_and_instance_url() {
        assertThat(problemsInWebhook("  url: \"{{connections.salesforce.url}}/x\"\n  method: POST\n"))
                .containsExactly(at("webhook.url", "connection 'salesforce' offers access_token and instance_url, not 'url'"));
    }

    @Test
    void a_basic_auth_connection_has_no_template_variables() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n  body: \"{{connections.partner.password}}\"\n"))
                .containsExactly(at("webhook.body", "connection 'partner' is basic_auth and has no template variables; use it in connected content as :basic_auth partner"));
    }

    @Test
    void basic_auth_in_connected_content_needs_a_basic_auth_connection() {
        assertThat(problemsInWebhook("  url: \"https://example.com\"\n  method: POST\n"
                + "  body: \"{% connected_content https://api.example.com/x :basic_auth salesforce :save r %}{{r.id}}\"\n"))
                .containsExactly(at("webhook.body", "connection 'salesforce' is oauth2_client_credentials; :basic_auth needs a basic_auth"
                        + " connection (write {{connections.salesforce.access_token}} in a header instead)"));
    }

    @Test
    void connections_without_any_defined_say_so() {
        Parsed<Campaign> p = DefinitionLoader.parseCampaign(HEAD + DELIVERY
                + "webhook: { url: \"{{connections.crm.instance_url}}/x\", method: POST }\n", FILE, false, DefinitionSet.EMPTY);
        assertThat(p.problems()).extracting(Problem::toString).containsExactly(at("webhook.url", "unknown connection 'crm' (no connections are defined)"));
    }
}
