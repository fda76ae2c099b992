package dev.kiln.definitions;

import dev.kiln.engine.campaign.Campaign;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Warnings never refuse a campaign: secrets written in templates, and a recurring schedule that sends once. */
class CampaignWarningsTest {
    static final String FILE = CampaignProblemsTest.FILE;
    static final String ADVICE = "; definitions are reviewed and versioned like code, so keep secrets in a connection (connections/ID.yaml,"
            + " read from env or file) and write {{connections.ID.access_token}}, or :basic_auth ID in connected_content";

    static List<String> warnings(String yaml) {
        Parsed<Campaign> parsed = DefinitionLoader.parseCampaign(yaml, FILE, false, CampaignModelTest.context());
        assertThat(parsed.problems()).isEmpty();
        return parsed.warnings().stream().map(Problem::toString).toList();
    }

    /** Warnings for a valid campaign with these lines under {@code webhook:}. */
    static List<String> warningsInWebhook(String webhook) {
        return warnings(CampaignProblemsTest.HEAD + CampaignProblemsTest.DELIVERY + "webhook:\n" + webhook);
    }

    static String secret(String path, String form) {
        return FILE + ": " + path + ": looks like a secret written in the template (" + form + ")" + ADVICE;
    }

    @Test
    void a_literal_bearer_token_in_a_header_warns_without_repeating_it() {
        List<String> w = warningsInWebhook("  url: \"https://example.com\"\n  method: POST\n"
                + "  headers: { Authorization: \"Bearer 00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog\" }\n");
        assertThat(w).containsExactly(secret("webhook.headers.Authorization", "Bearer …"));
        assertThat(String.join("\n", w)).doesNotContain("00Dxx0000001gPL");
    }

    @Test
    void literal_basic_credentials_warn() {
        assertThat(warningsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { Authorization: \"Basic a2lsbjpodW50ZXIy\" }\n"))
                .containsExactly(secret("webhook.headers.Authorization", "Basic …"));
    }

    @Test
    void a_client_secret_in_the_url_warns() {
        assertThat(warningsInWebhook("  url: \"https://example.com/token?client_id=a&client_secret=s3cr3t\"\n  method: POST\n"))
                .containsExactly(secret("webhook.url", "client_secret=…"));
    }

    @Test
    void the_seeds_connected_content_header_warns_about_its_client_secret() {
        assertThat(warningsInWebhook("  url: \"https://example.com\"\n  method: PATCH\n  headers:\n    Authorization: >-\n"
                + "      {% connected_content https://[instance].my.salesforce.com/services/oauth2/token\n"
                + "      :method post\n"
                + "      :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials\n"
                + "      :save result %}Bearer {{result.access_token}}\n"))
                .containsExactly(secret("webhook.headers.Authorization", "client_secret=…"));
    }

    @Test
    void a_long_literal_in_a_key_header_warns() {
        assertThat(warningsInWebhook("  url: \"https://example.com\"\n  method: POST\n  headers: { X-Api-Key: sk_live_4eC39HqLyjWDarjtT1zdp7dc }\n"))
                .containsExactly(secret("webhook.headers.X-Api-Key", "a long literal value"));
    }

    @Test
    void secrets_from_templates_and_placeholders_do_not_warn() {
        assertThat(warningsInWebhook("""
                  url: "https://example.com/{{${user_id}}}?client_secret={{connections.salesforce.access_token}}"
                  method: POST
                  headers:
                    Authorization: "Bearer {{connections.salesforce.access_token}}"
                    X-Api-Key: "{{connections.salesforce.access_token}}"
                    X-Request-Source: kiln
                    Content-Type: application/json
                """)).isEmpty();
    }

    @Test
    void a_recurring_schedule_without_reeligibility_warns_that_it_sends_once() {
        assertThat(warnings(CampaignModelTest.scheduled("{ at: 2026-12-01T09:00:00Z, every: 1d }", ""))).containsExactly(
                FILE + ": delivery.schedule.every: a recurring schedule sends to each user only once unless re-eligibility allows more:"
                        + " add reeligibility: { allowed: true, after: … }");
        assertThat(warnings(CampaignModelTest.scheduled("{ at: 2026-12-01T09:00:00Z, every: 1d }", "reeligibility: { allowed: true }\n"))).isEmpty();
    }

    @Test
    void warnings_reach_kiln_validate_through_the_loader(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("campaigns"));
        java.nio.file.Files.writeString(dir.resolve("campaigns/c.yaml"), CampaignProblemsTest.HEAD + CampaignProblemsTest.DELIVERY
                + "webhook: { url: \"https://example.com\", method: POST, headers: { Authorization: \"Basic a2lsbjpodW50ZXIy\" } }\n");
        LoadResult r = new DefinitionLoader().load(dir);
        assertThat(r.valid()).isTrue();
        assertThat(r.warnings()).extracting(Problem::toString).containsExactly(secret("webhook.headers.Authorization", "Basic …"));
    }
}
