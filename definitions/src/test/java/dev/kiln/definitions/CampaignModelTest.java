package dev.kiln.definitions;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Campaign documents become exactly the engine model they say. */
class CampaignModelTest {
    static final long MINUTE = 60_000L, DAY = 24 * 60 * MINUTE;

    static final Connection SALESFORCE = new Connection("salesforce", Connection.Type.OAUTH2_CLIENT_CREDENTIALS,
            "https://login.salesforce.com/services/oauth2/token", "client", Connection.SecretRef.env("SF_SECRET"), null, null, null, null, Map.of());
    static final Connection PARTNER = new Connection("partner", Connection.Type.BASIC_AUTH, null, null, null, null, null,
            "kiln", Connection.SecretRef.env("PARTNER_PASSWORD"), Map.of());

    /** Segment {@code leads} and connections {@code salesforce} (OAuth) and {@code partner} (basic auth). */
    static DefinitionSet context() {
        return DefinitionSet.of(Map.of(
                DefinitionLoader.SEGMENTS, Map.of("leads", CanvasModelTest.LEADS),
                DefinitionLoader.CONNECTIONS, Map.of("salesforce", SALESFORCE, "partner", PARTNER)));
    }

    static Campaign parse(String yaml) {
        Parsed<Campaign> p = DefinitionLoader.parseCampaign(yaml, "campaigns/c.yaml", false, context());
        assertThat(p.problems()).isEmpty();
        return p.value().orElseThrow();
    }

    static final String SEED_BODY = """
            {% assign threshold = 100%}
            {% if custom_attribute.${lead score} > threshold %}
            {
            "lead_status": "MQL"
            }
            {% else %}{% abort_message('not at threshold')%}
            {% endif %}""";

    @Test
    void a_full_action_based_campaign_parses_into_every_field() {
        Campaign c = parse("""
                id: salesforce-mql
                name: Salesforce MQL handoff
                tags: [Lead Management]
                status: active
                channel: webhook
                delivery:
                  type: action_based
                  triggers:
                    - custom_attribute_changed: { name: "lead score" }
                    - custom_attribute_crossed: { name: "lead score", threshold: 100, direction: up }
                audience:
                  segments: [leads]
                  filters: { none: [ { attribute: lead_status, equals: MQL } ] }
                reeligibility: { allowed: true, after: 1d }
                rate_limit: { per_minute: 5000 }
                webhook:
                  url: "{{connections.salesforce.instance_url}}/services/data/v60.0/sobjects/Lead/{{${user_id}}}"
                  method: PATCH
                  headers: { Authorization: "Bearer {{connections.salesforce.access_token}}", Content-Type: application/json }
                  body: |-
                    {% assign threshold = 100%}
                    {% if custom_attribute.${lead score} > threshold %}
                    {
                    "lead_status": "MQL"
                    }
                    {% else %}{% abort_message('not at threshold')%}
                    {% endif %}
                on_success:
                  updates: [ { attribute: lead_status, set: MQL }, { attribute: handoffs, increment: 1 } ]
                """);

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer {{connections.salesforce.access_token}}");
        headers.put("Content-Type", "application/json");
        Webhook webhook = new Webhook("{{connections.salesforce.instance_url}}/services/data/v60.0/sobjects/Lead/{{${user_id}}}",
                "PATCH", headers, SEED_BODY, null);
        Filter own = new Filter.None(List.of(new Filter.Attribute("lead_status", new Condition.Str(Condition.Str.Op.EQUALS, "MQL"))));
        Campaign expected = new Campaign("salesforce-mql", "Salesforce MQL handoff", List.of("Lead Management"), 1, Canvas.Status.ACTIVE,
                List.of(new Trigger.AttributeChanged("lead score", null),
                        new Trigger.AttributeCrossed("lead score", 100, Trigger.AttributeCrossed.Direction.UP)),
                false, null, new Filter.All(List.of(CanvasModelTest.LEADS.filter(), own)), List.of("leads"),
                new Entry.Reentry(true, DAY), 5000, webhook,
                List.of(new AttributeOp.Set("lead_status", new Value.Str("MQL")), new AttributeOp.Inc("handoffs", 1, null, null)));
        assertThat(c).isEqualTo(expected);
        assertThat(c.webhook().headers().keySet()).containsExactly("Authorization", "Content-Type");
    }

    @Test
    void defaults_are_draft_everyone_not_reeligible_no_rate_limit_no_body_and_no_updates() {
        Campaign c = parse("""
                id: c
                name: C
                channel: webhook
                delivery: { type: action_based, triggers: [ { session_started: {} } ] }
                webhook: { url: "https://example.com/hook", method: GET }
                """);
        assertThat(c.status()).isEqualTo(Canvas.Status.DRAFT);
        assertThat(c.version()).isEqualTo(1);
        assertThat(c.tags()).isEmpty();
        assertThat(c.audience()).isEqualTo(new Filter.All(List.of()));
        assertThat(c.segmentIds()).isEmpty();
        assertThat(c.reeligibility()).isEqualTo(Entry.Reentry.NEVER);
        assertThat(c.perMinute()).isNull();
        assertThat(c.webhook()).isEqualTo(new Webhook("https://example.com/hook", "GET", Map.of(), null, Map.of()));
        assertThat(c.onSuccess()).isEmpty();
    }

    @Test
    void api_triggered_delivery_has_no_triggers_and_no_schedule() {
        Campaign c = parse("""
                id: c
                name: C
                channel: webhook
                delivery: { type: api_triggered }
                webhook: { url: "https://example.com/hook", method: POST }
                """);
        assertThat(c.apiTriggered()).isTrue();
        assertThat(c.triggers()).isEmpty();
        assertThat(c.schedule()).isNull();
    }

    @Test
    void scheduled_delivery_starts_at_its_instant_and_may_recur() {
        Campaign once = parse(scheduled("{ at: 2026-12-01T09:00:00Z }", ""));
        assertThat(once.schedule()).isEqualTo(new Campaign.Schedule(Instant.parse("2026-12-01T09:00:00Z").toEpochMilli(), null));
        assertThat(once.triggers()).isEmpty();
        assertThat(once.apiTriggered()).isFalse();

        Campaign daily = parse(scheduled("{ at: \"2026-12-01T10:00:00+01:00\", every: 1d }", "reeligibility: { allowed: true, after: 12h }\n"));
        assertThat(daily.schedule()).isEqualTo(new Campaign.Schedule(Instant.parse("2026-12-01T09:00:00Z").toEpochMilli(), DAY));
    }

    static String scheduled(String schedule, String extra) {
        return "id: c\nname: C\nchannel: webhook\ndelivery: { type: scheduled, schedule: " + schedule + " }\n" + extra
                + "webhook: { url: \"https://example.com/hook\", method: POST }\n";
    }

    @Test
    void body_pairs_keep_their_order_and_leave_body_null() {
        Campaign c = parse("""
                id: c
                name: C
                channel: webhook
                delivery: { type: api_triggered }
                webhook:
                  url: "https://example.com/hook"
                  method: POST
                  body_pairs: { lead_status: MQL, score: "{{custom_attribute.${lead score}}}", email: "{{${email_address}}}" }
                """);
        assertThat(c.webhook().body()).isNull();
        assertThat(c.webhook().bodyPairs()).containsExactly(Map.entry("lead_status", "MQL"),
                Map.entry("score", "{{custom_attribute.${lead score}}}"), Map.entry("email", "{{${email_address}}}"));
    }

    @Test
    void a_json_document_reads_the_same() {
        Parsed<Campaign> p = DefinitionLoader.parseCampaign("""
                {"id": "c", "name": "C", "channel": "webhook", "delivery": {"type": "api_triggered"},
                 "webhook": {"url": "https://example.com/{{${user_id}}}", "method": "DELETE"}}""", "campaigns/c.json", true, context());
        assertThat(p.problems()).isEmpty();
        assertThat(p.value().orElseThrow().webhook().method()).isEqualTo("DELETE");
    }

    // ---- in a directory ---------------------------------------------------------------------------

    @TempDir Path dir;

    void write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static final String CAMPAIGN = """
            id: mql
            name: MQL
            channel: webhook
            delivery: { type: action_based, triggers: [ { custom_attribute_changed: { name: "lead score" } } ] }
            audience: { segments: [leads] }
            webhook:
              url: "{{connections.salesforce.instance_url}}/x"
              method: PATCH
              headers: { Authorization: "Bearer {{connections.salesforce.access_token}}" }
            """;

    @Test
    void a_directory_resolves_segments_and_connections_across_folders() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\nfilters: { attribute: x, greater_than: 1 }\n");
        write("connections/salesforce.yaml", """
                id: salesforce
                type: oauth2_client_credentials
                token_url: https://login.salesforce.com/services/oauth2/token
                client_id: abc
                client_secret: { env: SF_SECRET }
                """);
        write("campaigns/mql.yaml", CAMPAIGN);
        LoadResult r = new DefinitionLoader().load(dir);
        assertThat(r.problems()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        DefinitionSet d = r.definitions();
        assertThat(d.campaigns()).containsOnlyKeys("mql");
        assertThat(d.campaign("mql").orElseThrow().audience()).isEqualTo(new Filter.All(List.of(d.segment("leads").orElseThrow().filter())));
        assertThat(d.campaign("nope")).isEmpty();
        assertThat(d.connection("salesforce").orElseThrow().clientSecret()).isEqualTo(Connection.SecretRef.env("SF_SECRET"));
    }

    @Test
    void a_connection_with_problems_is_named_as_such_not_as_unknown() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\n");
        write("connections/salesforce.yaml", "id: salesforce\ntype: oauth2_client_credentials\n");
        write("campaigns/mql.yaml", CAMPAIGN);
        assertThat(new DefinitionLoader().load(dir).problems()).extracting(Problem::toString).containsExactly(
                "campaigns/mql.yaml: webhook.url: connection 'salesforce' has problems of its own (see connections/salesforce.yaml)",
                "campaigns/mql.yaml: webhook.headers.Authorization: connection 'salesforce' has problems of its own (see connections/salesforce.yaml)",
                "connections/salesforce.yaml: token_url: required",
                "connections/salesforce.yaml: client_id: required",
                "connections/salesforce.yaml: client_secret: required: { env: VARIABLE_NAME } or { file: /path/to/secret }");
    }

    @Test
    void a_campaign_id_duplicated_across_files_names_both() throws IOException {
        String doc = "id: dup\nname: D\nchannel: webhook\ndelivery: { type: api_triggered }\nwebhook: { url: \"https://e.com\", method: GET }\n";
        write("campaigns/a.yaml", doc);
        write("campaigns/b.yaml", doc);
        assertThat(new DefinitionLoader().load(dir).problems()).extracting(Problem::toString)
                .containsExactly("campaigns/b.yaml: id: duplicate id 'dup' (also in campaigns/a.yaml)");
    }

    @Test
    void validate_counts_campaigns_and_connections() throws IOException {
        write("campaigns/a.yaml", "id: a\nname: A\nchannel: webhook\ndelivery: { type: api_triggered }\nwebhook: { url: \"https://e.com\", method: GET }\n");
        write("connections/p.yaml", "id: p\ntype: basic_auth\nusername: u\npassword: { file: /run/secrets/p }\n");
        var bytes = new java.io.ByteArrayOutputStream();
        assertThat(Validate.validate(dir, new java.io.PrintStream(bytes, true))).isZero();
        assertThat(bytes.toString().strip()).isEqualTo("OK: 0 segments, 0 canvases, 1 campaign, 1 connection, 0 CDI integrations, 0 Currents connectors");
    }
}
