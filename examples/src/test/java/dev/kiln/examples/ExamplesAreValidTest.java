package dev.kiln.examples;

import dev.kiln.definitions.Connection;
import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.LoadResult;
import dev.kiln.definitions.Problem;
import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Trigger;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The definitions that `./kiln serve` loads by default must always be valid. */
class ExamplesAreValidTest {
    /** The seed's request body (Braze guide, "Compor webhook"), verbatim. */
    static final String SEED_BODY = """
            {% assign threshold = 100%}
            {% if custom_attribute.${lead score} > threshold %}
            {
            "lead_status": "MQL"
            }
            {% else %}{% abort_message('not at threshold')%}
            {% endif %}""";

    final LoadResult r = new DefinitionLoader().load(Path.of("").toAbsolutePath());

    @Test void example_definitions_load_without_problems() {
        assertThat(r.problems()).isEmpty();
        assertThat(r.definitions().segments()).containsKeys("engaged-leads", "mql", "employees-and-customers");
        assertThat(r.definitions().canvases()).containsKey("lead-scoring");
        assertThat(r.definitions().canvas("lead-scoring").orElseThrow().active()).isTrue();
        assertThat(r.definitions().campaigns()).containsOnlyKeys("salesforce-mql", "salesforce-mql-connected-content");
        assertThat(r.definitions().connections()).containsOnlyKeys("salesforce");
        assertThat(r.definitions().cdi()).containsOnlyKeys("lead-scores");
        assertThat(r.definitions().cdi().get("lead-scores").jdbcUrl()).isEqualTo("jdbc:sqlite:./kiln-data/warehouse.db");
        assertThat(r.definitions().currents()).containsOnlyKeys("files");
    }

    @Test void the_currents_example_writes_gzip_json_files_under_kiln_data() {
        dev.kiln.definitions.CurrentsConnector c = r.definitions().currents().get("files");
        assertThat(c.sink()).isEqualTo(new dev.kiln.definitions.CurrentsConnector.Files("./kiln-data/currents", "ndjson_gzip", 300, 15_000));
        assertThat(c.matches("users.behaviors.CustomEvent")).isTrue();
        assertThat(c.matches("users.messages.webhook.Send")).isTrue();
        assertThat(c.matches("users.canvas.Entry")).isTrue();
        assertThat(c.matches("users.attributes.Change")).isTrue();
        assertThat(c.matches("users.Delete")).isFalse();
    }

    @Test void the_only_warning_is_the_secret_in_the_seeds_own_connected_content_header() {
        assertThat(r.warnings()).extracting(Problem::toString).containsExactly(
                "campaigns/salesforce-mql-connected-content.yaml: webhook.headers.Authorization: looks like a secret written in the"
                        + " template (client_secret=…); definitions are reviewed and versioned like code, so keep secrets in a"
                        + " connection (connections/ID.yaml, read from env or file) and write {{connections.ID.access_token}},"
                        + " or :basic_auth ID in connected_content");
    }

    @Test void the_handoff_campaign_is_the_seeds_webhook_with_the_token_from_a_connection() {
        DefinitionSet d = r.definitions();
        Campaign c = d.campaign("salesforce-mql").orElseThrow();
        assertThat(c.active()).isTrue();
        assertThat(c.triggers()).containsExactly(new Trigger.AttributeChanged("lead score", null));
        assertThat(c.apiTriggered()).isFalse();
        assertThat(c.schedule()).isNull();
        assertThat(c.reeligibility()).isEqualTo(Entry.Reentry.NEVER);
        assertThat(c.webhook().method()).isEqualTo("PATCH");
        assertThat(c.webhook().url()).isEqualTo("{{connections.salesforce.instance_url}}/services/data/v60.0/sobjects/Lead/{{${user_id}}}");
        assertThat(c.webhook().headers()).containsExactly(
                Map.entry("Authorization", "Bearer {{connections.salesforce.access_token}}"),
                Map.entry("Content-Type", "application/json"));
        assertThat(c.webhook().body()).isEqualTo(SEED_BODY);
        assertThat(c.onSuccess()).containsExactly(new AttributeOp.Set("lead_status", new Value.Str("MQL")));
    }

    @Test void the_connected_content_variant_is_a_draft_with_the_seeds_header_on_one_line() {
        Campaign c = r.definitions().campaign("salesforce-mql-connected-content").orElseThrow();
        assertThat(c.status()).isEqualTo(Canvas.Status.DRAFT);
        assertThat(c.webhook().headers().get("Authorization")).isEqualTo(
                "{% connected_content https://[instance].my.salesforce.com/services/oauth2/token :method post"
                        + " :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials"
                        + " :save result %}Bearer {{result.access_token}}");
        assertThat(c.webhook().body()).isEqualTo(SEED_BODY);
    }

    @Test void the_salesforce_connection_reads_its_secret_from_the_environment() {
        Connection s = r.definitions().connection("salesforce").orElseThrow();
        assertThat(s.type()).isEqualTo(Connection.Type.OAUTH2_CLIENT_CREDENTIALS);
        assertThat(s.clientSecret()).isEqualTo(Connection.SecretRef.env("SALESFORCE_CLIENT_SECRET"));
        assertThat(s.tokenUrl()).endsWith("/services/oauth2/token");
        assertThat(s.instanceUrl()).isNull();
    }
}
