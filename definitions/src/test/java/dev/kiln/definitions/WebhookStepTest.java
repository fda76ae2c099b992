package dev.kiln.definitions;

import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Step;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Canvas {@code webhook} step: the campaign's webhook keys at step level, plus {@code next}. */
class WebhookStepTest {
    static final String FILE = "canvases/c.yaml";
    static final String HEAD = "id: c\nname: C\nentry: { triggers: [ { session_started: {} } ] }\n";

    static Parsed<Canvas> parsed(String steps) {
        return DefinitionLoader.parseCanvas(HEAD + "start: send\nsteps:\n" + steps, FILE, false, CampaignModelTest.context());
    }

    static List<String> problems(String steps) {
        Parsed<Canvas> p = parsed(steps);
        assertThat(p.value()).isEmpty();
        return p.problems().stream().map(Problem::toString).toList();
    }

    static String at(String path, String message) {
        return FILE + ": " + path + ": " + message;
    }

    @Test
    void a_webhook_step_parses_into_its_webhook_and_next() {
        Parsed<Canvas> p = parsed("""
                  send:
                    type: webhook
                    url: "{{connections.salesforce.instance_url}}/services/data/v60.0/sobjects/Lead/{{${user_id}}}"
                    method: PATCH
                    headers:
                      Authorization: "Bearer {{connections.salesforce.access_token}}"
                      Content-Type: application/json
                    body: '{"lead_status": "MQL", "source": "{{canvas_entry_properties.${source} | json_escape}}"}'
                    next: mark
                  mark: { type: user_update, updates: [ { attribute: lead_status, set: MQL } ] }
                """);
        assertThat(p.problems()).isEmpty();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer {{connections.salesforce.access_token}}");
        headers.put("Content-Type", "application/json");
        Step expected = new Step.WebhookStep("send", new Webhook(
                "{{connections.salesforce.instance_url}}/services/data/v60.0/sobjects/Lead/{{${user_id}}}", "PATCH", headers,
                "{\"lead_status\": \"MQL\", \"source\": \"{{canvas_entry_properties.${source} | json_escape}}\"}", null), "mark");
        Canvas c = p.value().orElseThrow();
        assertThat(c.step("send")).isEqualTo(expected);
        assertThat(((Step.WebhookStep) c.step("send")).webhook().headers().keySet()).containsExactly("Authorization", "Content-Type");
    }

    @Test
    void a_webhook_step_without_next_exits_and_takes_body_pairs() {
        Parsed<Canvas> p = parsed("  send: { type: webhook, url: \"https://example.com/x\", method: POST, body_pairs: { status: MQL } }\n");
        assertThat(p.problems()).isEmpty();
        assertThat(p.value().orElseThrow().step("send")).isEqualTo(
                new Step.WebhookStep("send", new Webhook("https://example.com/x", "POST", Map.of(), null, Map.of("status", "MQL")), null));
    }

    @Test
    void a_webhook_step_needs_url_and_method() {
        assertThat(problems("  send: { type: webhook }\n")).containsExactly(
                at("steps.send.url", "required"), at("steps.send.method", "required: one of GET, POST, PUT, PATCH or DELETE"));
    }

    @Test
    void unknown_webhook_step_keys_are_refused_with_a_suggestion() {
        assertThat(problems("  send: { type: webhook, url: \"https://example.com\", method: POST, nxt: send }\n"))
                .containsExactly(at("steps.send.nxt", "unknown key; did you mean next?"));
    }

    @Test
    void body_and_body_pairs_are_not_both_allowed_in_a_step() {
        assertThat(problems("  send: { type: webhook, url: \"https://example.com\", method: POST, body: x, body_pairs: { a: b } }\n"))
                .containsExactly(at("steps.send", "a webhook takes body (raw text) or body_pairs (JSON key/value pairs), not both"));
    }

    @Test
    void step_templates_are_compiled_with_their_path() {
        assertThat(problems("  send: { type: webhook, url: \"https://example.com\", method: POST, headers: { X-Score: \"{{ x | nofilter }}\" } }\n"))
                .containsExactly(at("steps.send.headers.X-Score", "invalid Liquid at line 1, column 6 of the template: unknown filter 'nofilter'"));
    }

    @Test
    void step_templates_name_known_connections() {
        assertThat(problems("  send: { type: webhook, url: \"{{connections.crm.instance_url}}/x\", method: POST }\n"))
                .containsExactly(at("steps.send.url", "unknown connection 'crm'"));
    }

    @Test
    void a_webhook_step_next_must_name_a_step() {
        assertThat(problems("  send: { type: webhook, url: \"https://example.com\", method: POST, next: mrak }\n"
                + "  mark: { type: user_update, updates: [ { attribute: x, unset: true } ] }\n"))
                .containsExactly(at("steps.send.next", "no step 'mrak'; did you mean mark?"));
    }

    @Test
    void a_webhook_step_no_path_reaches_is_unreachable() {
        assertThat(problems("  send: { type: user_update, updates: [ { attribute: x, unset: true } ] }\n"
                + "  orphan: { type: webhook, url: \"https://example.com\", method: POST }\n"))
                .containsExactly(at("steps.orphan", "unreachable: no path from start (send) leads to this step"));
    }

    @Test
    void a_webhook_step_does_not_wait_so_a_loop_through_it_is_refused() {
        assertThat(problems("  send: { type: webhook, url: \"https://example.com\", method: POST, next: check }\n"
                + "  check: { type: decision_split, filters: { email: present }, yes: send }\n"))
                .containsExactly(at("steps.send", "a loop without waiting: send → check → send; users would go round it at once,"
                        + " so put an action_paths or delay step in it"));
    }

    @Test
    void a_webhook_step_before_an_update_that_reenters_still_warns_about_the_loop() {
        Parsed<Canvas> p = DefinitionLoader.parseCanvas("""
                id: c
                name: C
                entry: { triggers: [ { custom_attribute_changed: { name: "lead score" } } ] }
                start: send
                steps:
                  send: { type: webhook, url: "https://example.com", method: POST, next: add }
                  add: { type: user_update, updates: [ { attribute: "lead score", increment: 1 } ] }
                """, FILE, false, CampaignModelTest.context());
        assertThat(p.problems()).isEmpty();
        assertThat(p.warnings()).extracting(Problem::toString).containsExactly(at("steps.add.updates[0]", CanvasLoadingTest.LOOP_WARNING));
    }

    @Test
    void a_literal_secret_in_a_step_header_warns() {
        Parsed<Canvas> p = parsed("  send: { type: webhook, url: \"https://example.com\", method: POST, headers: { Authorization: \"Basic a2lsbjpodW50ZXIy\" } }\n");
        assertThat(p.problems()).isEmpty();
        assertThat(p.warnings()).extracting(Problem::toString)
                .containsExactly(CampaignWarningsTest.secret("steps.send.headers.Authorization", "Basic …").replace(CampaignWarningsTest.FILE, FILE));
    }
}
