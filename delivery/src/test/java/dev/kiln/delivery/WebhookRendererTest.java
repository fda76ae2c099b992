package dev.kiln.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.TemplateException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestClock clock = new TestClock();
    private final WebhookRenderer renderer = new WebhookRenderer(null, clock);
    private final List<ConnectedContent.Request> calls = new ArrayList<>();
    private final ConnectedContent salesforce = r -> {
        calls.add(r);
        return new ConnectedContent.Response(200, "{\"access_token\":\"00Dxx!AQ4AQFake\",\"token_type\":\"Bearer\"}");
    };

    private WebhookRenderer.Result render(Webhook w, String snapshot) {
        return renderer.render(renderer.compiled("campaign:mql", 1, w), Snapshot.parse(snapshot), salesforce, false);
    }

    @Test void the_seed_webhook_renders_url_trimmed_headers_and_the_json_body() throws Exception {
        WebhookRenderer.Result r = render(Seed.webhook("https://acme.my.salesforce.com/", Seed.AUTHORIZATION), Seed.snapshot("00Q5e00000AbCdE", 120));
        assertThat(r).isInstanceOf(WebhookRenderer.Result.Request.class);
        WebhookRenderer.Result.Request q = (WebhookRenderer.Result.Request) r;
        assertThat(q.method()).isEqualTo("PATCH");
        assertThat(q.url()).isEqualTo("https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead/00Q5e00000AbCdE");
        assertThat(q.headers()).containsExactly(Map.entry("Authorization", "Bearer 00Dxx!AQ4AQFake"),
                Map.entry("Content-Type", "application/json"));
        assertThat(JSON.readTree(q.body())).isEqualTo(JSON.readTree("{\"lead_status\": \"MQL\"}"));
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).method()).isEqualTo("POST");
    }

    @Test void below_the_threshold_the_seed_aborts_before_calling_the_token_endpoint() {
        assertThat(render(Seed.webhook("https://acme.my.salesforce.com/", Seed.AUTHORIZATION), Seed.snapshot("00Q1", 99)))
                .isEqualTo(new WebhookRenderer.Result.Aborted("not at threshold"));
        assertThat(calls).isEmpty();
    }

    @Test void body_pairs_become_a_json_object_of_rendered_strings() throws Exception {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("email", "{{${email_address}}}");
        pairs.put("score", " {{custom_attribute.${lead score}}} ");
        pairs.put("plan", "{{event_properties.${plan}}}");
        pairs.put("source", "{{canvas_entry_properties.${source}}}");
        pairs.put("name", "{{${first_name} | upcase}}");
        WebhookRenderer.Result.Request q = (WebhookRenderer.Result.Request) render(
                new Webhook("https://hooks.test/{{${braze_id}}}", "post", Map.of(), null, pairs), Seed.snapshot("00Q1", 120));
        assertThat(q.method()).isEqualTo("POST");
        assertThat(q.url()).isEqualTo("https://hooks.test/u-1");
        assertThat(JSON.readTree(q.body())).isEqualTo(JSON.readTree(
                "{\"email\":\"ana@example.com\",\"score\":\"120\",\"plan\":\"pro\",\"source\":\"webinar\",\"name\":\"ANA\"}"));
        assertThat(q.headers()).containsEntry("Content-Type", "application/json");
    }

    @Test void a_raw_body_that_is_not_json_is_sent_as_text_and_no_body_means_none() {
        WebhookRenderer.Result.Request text = (WebhookRenderer.Result.Request) render(
                new Webhook("https://hooks.test/", "POST", Map.of(), "hello {{${first_name}}}\n", null), Seed.snapshot("x", 1));
        assertThat(text.body()).isEqualTo("hello Ana");
        assertThat(text.headers()).containsEntry("Content-Type", "text/plain; charset=utf-8");
        WebhookRenderer.Result.Request none = (WebhookRenderer.Result.Request) render(
                new Webhook("https://hooks.test/", "GET", Map.of(), null, null), Seed.snapshot("x", 1));
        assertThat(none.body()).isNull();
        assertThat(none.headers()).isEmpty();
    }

    @Test void an_abort_in_any_field_aborts_the_message() {
        Webhook w = new Webhook("https://hooks.test/{% if custom_attribute.${lead_status} == 'SQL' %}{% abort_message('already SQL') %}{% endif %}",
                "POST", Map.of(), "{}", null);
        assertThat(render(w, Seed.snapshot("x", 1))).isEqualTo(new WebhookRenderer.Result.Aborted("already SQL"));
    }

    @Test void a_header_that_renders_a_line_break_is_refused() {
        Webhook w = new Webhook("https://hooks.test/", "POST", Map.of("X-Multi", "a\n{{${first_name}}}"), "{}", null);
        assertThatThrownBy(() -> render(w, Seed.snapshot("x", 1))).isInstanceOf(DeliveryException.class)
                .hasMessage("header X-Multi renders a line break, which HTTP does not allow");
    }

    @Test void templates_are_compiled_once_per_definition_version() {
        Webhook w = new Webhook("https://hooks.test/", "POST", Map.of(), "{}", null);
        WebhookRenderer.Compiled a = renderer.compiled("campaign:c", 1, w);
        assertThat(renderer.compiled("campaign:c", 1, w)).isSameAs(a);
        assertThat(renderer.compiled("campaign:c", 2, w)).isNotSameAs(a);
        assertThatThrownBy(() -> renderer.compiled("campaign:bad", 1, new Webhook("https://h/{% foo %}", "GET", Map.of(), null, null)))
                .isInstanceOf(TemplateException.class).hasMessageContaining("campaign:bad:v1#url");
    }

    @Test void the_connections_a_template_mentions_are_found() {
        Set<String> ids = new TreeSet<>();
        WebhookRenderer.scan("Bearer {{connections.salesforce.access_token}} {{ connections['partner-api'].x }} "
                + "{{connections[\"b\"]}} {{ connections . c }} {{my_connections}}", ids);
        assertThat(ids).containsExactly("b", "c", "partner-api", "salesforce");
    }

    @Test void previews_render_without_sending_and_mask_credentials() throws Exception {
        Preview p = Preview.render(Seed.webhook("https://acme.my.salesforce.com/", Seed.AUTHORIZATION),
                Seed.snapshot("00Q1", 120), salesforce, null, clock);
        assertThat(p.aborted()).isFalse();
        assertThat(p.failed()).isFalse();
        assertThat(p.method()).isEqualTo("PATCH");
        assertThat(p.url()).endsWith("/Lead/00Q1");
        assertThat(p.headers()).containsExactly(Map.entry("Authorization", "Bearer ***"), Map.entry("Content-Type", "application/json"));
        assertThat(JSON.readTree(p.body())).isEqualTo(JSON.readTree("{\"lead_status\":\"MQL\"}"));

        Preview aborted = Preview.render(Seed.webhook("https://acme.my.salesforce.com/", Seed.AUTHORIZATION),
                Seed.snapshot("00Q1", 100), ConnectedContent.UNAVAILABLE, null, clock);
        assertThat(aborted.aborted()).isTrue();
        assertThat(aborted.abortReason()).isEqualTo("not at threshold");

        Preview noPort = Preview.render(Seed.webhook("https://acme.my.salesforce.com/", Seed.AUTHORIZATION),
                Seed.snapshot("00Q1", 120), ConnectedContent.UNAVAILABLE, null, clock);
        assertThat(noPort.abortReason()).contains("connected content not available");

        Preview broken = Preview.render(new Webhook("https://h/{% foo %}", "GET", Map.of(), null, null), null,
                ConnectedContent.UNAVAILABLE, null, clock);
        assertThat(broken.failed()).isTrue();
        assertThat(broken.error()).contains("unknown tag 'foo'");
    }
}
