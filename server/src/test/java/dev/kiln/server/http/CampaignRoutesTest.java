package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.fake.FakeSalesforce;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /campaigns}, previews, API-triggered sends and the message log over real HTTP against a real KilnServer. */
class CampaignRoutesTest {
    /** The seed's body verbatim; the URL and headers use no connection, so previews need no secret. */
    static final String SEED_BODY = """
                {% assign threshold = 100%}
                {% if custom_attribute.${lead score} > threshold %}
                {
                "lead_status": "MQL"
                }
                {% else %}{% abort_message('not at threshold')%}
                {% endif %}""";

    static String campaign(String id, String baseUrl, String delivery) { return campaign(id, baseUrl, delivery, SEED_BODY); }

    static String campaign(String id, String baseUrl, String delivery, String body) {
        return """
                id: %s
                name: Handoff %1$s
                status: active
                channel: webhook
                delivery:
                %s
                audience:
                  filters: { attribute: lead_status, none_of: [MQL] }
                webhook:
                  url: "%s/services/data/v60.0/sobjects/Lead/{{${user_id}}}"
                  method: PATCH
                  headers:
                    Authorization: "Bearer {{custom_attribute.${sf token} | default: 'none'}}"
                    Content-Type: application/json
                  body: |-
                %s
                on_success:
                  updates: [ { attribute: lead_status, set: MQL } ]
                """.formatted(id, delivery.indent(2).stripTrailing(), baseUrl, body.indent(4).stripTrailing());
    }

    private static FakeSalesforce salesforce;
    private static CanvasRoutesTest.Running kiln;

    @BeforeAll static void start() {
        salesforce = FakeSalesforce.start(0).acceptAnyLead(true);
        kiln = new CanvasRoutesTest.Running(Map.of(
                "campaigns/handoff.yaml", campaign("handoff", salesforce.baseUrl(), "type: action_based\ntriggers:\n  - custom_attribute_changed: { name: \"lead score\" }"),
                "campaigns/api.yaml", campaign("api", salesforce.baseUrl(), "type: api_triggered", "{\"lead_status\": \"{{event_properties.${status}}}\"}")));
    }

    @AfterAll static void stop() {
        kiln.close();
        salesforce.close();
    }

    @Test void campaigns_are_listed_and_read_with_their_delivery_and_status() {
        Http.Response list = kiln.get("/campaigns");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("campaigns")).extracting(c -> c.path("id").asText()).contains("handoff", "api");
        JsonNode one = kiln.get("/campaigns/handoff").json();
        assertThat(one.path("status").asText()).isEqualTo("active");
        assertThat(one.path("delivery").asText()).isEqualTo("action_based");
        assertThat(one.path("method").asText()).isEqualTo("PATCH");
        assertThat(kiln.get("/campaigns/nope").status()).isEqualTo(404);
    }

    @Test void a_put_makes_a_new_version_and_an_invalid_template_is_refused_with_its_place() {
        String doc = campaign("put-me", salesforce.baseUrl(), "type: api_triggered");
        assertThat(kiln.put("/campaigns/put-me", "application/yaml", doc).status()).isEqualTo(201);
        Http.Response again = kiln.put("/campaigns/put-me", "application/yaml", doc.replace("PATCH", "POST"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("version").asInt()).isEqualTo(2);
        Http.Response bad = kiln.put("/campaigns/put-me", "application/yaml", doc.replace("{% endif %}", ""));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").toString()).contains("webhook.body");
        assertThat(kiln.get("/campaigns/put-me").json().path("version").asInt()).isEqualTo(2);
        assertThat(kiln.post("/campaigns/put-me/stop", "").json().path("status").asText()).isEqualTo("stopped");
        assertThat(kiln.post("/campaigns/put-me/launch", "").json().path("status").asText()).isEqualTo("active");
    }

    @Test void a_preview_renders_for_an_inline_profile_without_sending() {
        long before = salesforce.requestCount();
        Http.Response r = kiln.post("/campaigns/handoff/preview", Map.of("user",
                Map.of("external_id", "00Q0000000000PVAAA", "custom_attributes", Map.of("lead score", 120, "sf token", "tok-123"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("aborted").asBoolean()).isFalse();
        assertThat(r.json().path("url").asText()).isEqualTo(salesforce.leadUrl("00Q0000000000PVAAA"));
        assertThat(r.json().path("body").asText().replaceAll("\\s", "")).isEqualTo("{\"lead_status\":\"MQL\"}");
        assertThat(r.json().path("headers").toString()).doesNotContain("tok-123");
        Http.Response low = kiln.post("/campaigns/handoff/preview", Map.of("user", Map.of("custom_attributes", Map.of("lead score", 40))));
        assertThat(low.json().path("aborted").asBoolean()).isTrue();
        assertThat(low.json().path("abort_reason").asText()).isEqualTo("not at threshold");
        assertThat(salesforce.requestCount()).isEqualTo(before);
        assertThat(kiln.post("/campaigns/handoff/preview", Map.of()).status()).isEqualTo(400);
    }

    @Test void an_api_triggered_campaign_is_sent_to_existing_recipients_and_logged() throws Exception {
        kiln.track("{\"attributes\":[{\"external_id\":\"00Q0000000000APAAA\",\"sf token\":\"" + token() + "\"}]}");
        Http.Response r = kiln.post("/campaigns/trigger/send", Map.of("campaign_id", "api", "trigger_properties", Map.of("status", "Working"),
                "recipients", java.util.List.of(Map.of("external_user_id", "00Q0000000000APAAA"), Map.of("external_user_id", "nobody"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("errors").toString()).contains("nobody");
        await().atMost(Duration.ofSeconds(20)).until(() -> kiln.get("/messages/log?user=00Q0000000000APAAA&campaign=api&status=sent")
                .json().path("messages").size() == 1);
        JsonNode m = kiln.get("/messages/log?user=00Q0000000000APAAA&campaign=api").json().path("messages").get(0);
        assertThat(m.path("status_code").asInt()).isEqualTo(204);
        assertThat(m.path("url").asText()).isEqualTo(salesforce.leadUrl("00Q0000000000APAAA"));
        assertThat(salesforce.patchesFor("00Q0000000000APAAA")).singleElement()
                .satisfies(p -> assertThat(p.body()).isEqualTo("{\"lead_status\": \"Working\"}"));
        assertThat(kiln.post("/campaigns/trigger/send", Map.of("campaign_id", "handoff",
                "recipients", java.util.List.of(Map.of("external_user_id", "x")))).status()).isEqualTo(400);
    }

    /** A token from the fake's token endpoint (client credentials). */
    private static String token() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(salesforce.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id="
                        + FakeSalesforce.DEFAULT_CLIENT_ID + "&client_secret=" + FakeSalesforce.DEFAULT_CLIENT_SECRET)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return Http.JSON.readTree(res.body()).path("access_token").asText();
    }

    @Test void the_message_log_refuses_bad_filters() {
        assertThat(kiln.get("/messages/log?status=lost").status()).isEqualTo(400);
        assertThat(kiln.get("/messages/log?limit=0").status()).isEqualTo(400);
        assertThat(kiln.get("/messages/log?limit=abc").status()).isEqualTo(400);
        assertThat(kiln.get("/messages/log?user=nobody").json().path("messages").size()).isZero();
    }
}
