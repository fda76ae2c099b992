package dev.kiln.liquid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed's webhook (seed/000_b967608328c0ed88.txt, "Etapa 2a: Compor webhook"), its Liquid copied verbatim.
 * The seed's header cell writes line breaks as {@code <br>} (a Markdown table cannot hold newlines); here they are
 * the newlines a user types.
 */
class SeedTemplatesTest {

    /** The request body, exactly as in the seed, including {@code 100%}} and {@code ')%}}. */
    static final String SEED_BODY = """
            {% assign threshold = 100%}
            {% if custom_attribute.${lead score} > threshold %}
            {
            "lead_status": "MQL"
            }
            {% else %}{% abort_message('not at threshold')%}
            {% endif %}""";

    static final String SEED_URL =
            "https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/data/v60.0/sobjects/Lead/{{${user_id}}}";

    /** The Authorization header: the seed's connected_content call, then {@code Bearer {{result.access_token}}}. */
    static final String SEED_AUTHORIZATION = """
            {% connected_content https://[instance].my.salesforce.com/services/oauth2/token
            :method post
             :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials
            :save result %}
            Bearer {{result.access_token}}""";

    /** The body as the brief restates it (abort first, then the JSON). */
    static final String BRIEF_BODY = """
            {% if custom_attribute.${lead score} < 100 %}
            {% abort_message('not at threshold') %}
            {% endif %}
            {"lead_status": "MQL"}""";

    private static final LiquidTemplate BODY = Liquid.compile(SEED_BODY, "seed#body");

    private static RenderContext lead(Object score) {
        Map<String, Object> custom = new HashMap<>();
        custom.put("lead score", score);
        return RenderContext.builder().externalId("00Q5e00000AbCdE").customAttributes(custom).build();
    }

    @Test
    void seed_body_aborts_below_the_threshold() {
        assertThat(BODY.render(lead(99))).isEqualTo(new RenderResult.Aborted("not at threshold"));
    }

    @Test
    void seed_body_aborts_at_exactly_100_because_it_asks_for_more_than_the_threshold() {
        assertThat(BODY.render(lead(100))).isEqualTo(new RenderResult.Aborted("not at threshold"));
    }

    @Test
    void seed_body_aborts_when_the_score_is_unset() {
        assertThat(BODY.render(lead(null))).isEqualTo(new RenderResult.Aborted("not at threshold"));
    }

    @Test
    void seed_body_sends_mql_above_the_threshold() throws Exception {
        RenderResult r = BODY.render(lead(120));
        assertThat(r).isInstanceOf(RenderResult.Rendered.class);
        String body = ((RenderResult.Rendered) r).output().strip();
        assertThat(body).isEqualTo("{\n\"lead_status\": \"MQL\"\n}");
        assertThat(new ObjectMapper().readTree(body)).isEqualTo(new ObjectMapper().readTree("{\"lead_status\": \"MQL\"}"));
    }

    @Test
    void seed_body_compares_fractional_and_integral_double_scores_as_numbers() {
        assertThat(BODY.render(lead(100.5))).isInstanceOf(RenderResult.Rendered.class);
        assertThat(BODY.render(lead(120.0))).isInstanceOf(RenderResult.Rendered.class);
        assertThat(BODY.render(lead(99.9))).isEqualTo(new RenderResult.Aborted("not at threshold"));
    }

    @Test
    void brief_body_aborts_at_99_and_sends_the_exact_json_at_120() {
        LiquidTemplate t = Liquid.compile(BRIEF_BODY, "brief#body");
        assertThat(t.render(lead(99))).isEqualTo(new RenderResult.Aborted("not at threshold"));
        assertThat(((RenderResult.Rendered) t.render(lead(120))).output().strip()).isEqualTo("{\"lead_status\": \"MQL\"}");
    }

    @Test
    void seed_url_puts_the_external_id_in_the_path() {
        assertThat(Liquid.compile(SEED_URL, "seed#url").render(lead(120))).isEqualTo(new RenderResult.Rendered(
                "https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/data/v60.0/sobjects/Lead/00Q5e00000AbCdE"));
    }

    @Test
    void seed_authorization_header_gets_its_bearer_token_from_the_oauth_call() {
        RecordingPort salesforce = RecordingPort.answering(RecordingPort.json(200,
                "{\"access_token\":\"00Dxx!AQ4AQFake\",\"instance_url\":\"https://acme.my.salesforce.com\",\"token_type\":\"Bearer\"}"));
        RenderContext c = RenderContext.builder().externalId("00Q5e00000AbCdE").connectedContent(salesforce).build();

        RenderResult r = Liquid.compile(SEED_AUTHORIZATION, "seed#header.Authorization").render(c);

        assertThat(((RenderResult.Rendered) r).output().strip()).isEqualTo("Bearer 00Dxx!AQ4AQFake");
        ConnectedContent.Request call = salesforce.only();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.url()).isEqualTo("https://[instance].my.salesforce.com/services/oauth2/token");
        assertThat(call.body()).isEqualTo("client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials");
        assertThat(call.effectiveContentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(call.cacheSeconds()).isZero();
        assertThat(call.toString()).doesNotContain("client_secret");
    }

    @Test
    void seed_webhook_renders_url_headers_and_body_for_one_lead() {
        RecordingPort salesforce = RecordingPort.answering(RecordingPort.json(200, "{\"access_token\":\"TOKEN-1\"}"));
        Map<String, Object> custom = Map.of("lead score", 101, "lead_status", "SQL");
        RenderContext c = RenderContext.builder().externalId("00Q1").customAttributes(custom).connectedContent(salesforce).build();

        String url = ((RenderResult.Rendered) Liquid.compile(SEED_URL, "url").render(c)).output();
        String auth = ((RenderResult.Rendered) Liquid.compile(SEED_AUTHORIZATION, "auth").render(c)).output().strip();
        String contentType = ((RenderResult.Rendered) Liquid.compile("application/json", "ct").render(c)).output();
        String body = ((RenderResult.Rendered) BODY.render(c)).output().strip();

        assertThat(url).endsWith("/sobjects/Lead/00Q1");
        assertThat(auth).isEqualTo("Bearer TOKEN-1");
        assertThat(contentType).isEqualTo("application/json");
        assertThat(body).contains("\"lead_status\": \"MQL\"");
    }

    @Test
    void seed_header_copied_with_its_html_line_breaks_is_refused_with_a_clear_message() {
        String withBr = "{% connected_content https://[instance].my.salesforce.com/services/oauth2/token <br>:method post <br> "
                + ":body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials <br>:save result %}";
        assertThatThrownBy(() -> Liquid.compile(withBr, "copied"))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("unexpected '<br>:method'");
    }
}
