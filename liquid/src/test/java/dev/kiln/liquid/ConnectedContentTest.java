package dev.kiln.liquid;

import static dev.kiln.liquid.RecordingPort.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code connected_content} as Braze documents it, against a fake endpoint. */
class ConnectedContentTest {

    private static RenderContext with(ConnectedContent port) {
        return RenderContext.builder().externalId("u-1").firstName("Ana").email("ana@example.com")
                .customAttributes(Map.of("lead score", 120)).connectedContent(port).build();
    }

    private static RenderResult render(String template, ConnectedContent port) {
        return Liquid.compile(template, "cc").render(with(port));
    }

    private static String output(String template, ConnectedContent port) {
        RenderResult r = render(template, port);
        assertThat(r).isInstanceOf(RenderResult.Rendered.class);
        return ((RenderResult.Rendered) r).output();
    }

    @Test
    void get_is_the_default_and_json_is_saved_as_connected() {
        RecordingPort port = RecordingPort.answering(json(200, "{\"text\":\"42 is the answer\"}"));
        String out = output("{% connected_content http://numbersapi.com/random/trivia %}Fact: {{connected.text}}", port);
        assertThat(out).isEqualTo("Fact: 42 is the answer");
        ConnectedContent.Request r = port.only();
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.body()).isNull();
        assertThat(r.effectiveContentType()).isEqualTo("application/json");
        assertThat(r.cacheSeconds()).isEqualTo(300);
    }

    @Test
    void url_is_a_template_with_user_attributes_and_filters() {
        RecordingPort port = RecordingPort.answering(json(200, "{}"));
        output("{% connected_content https://api.example.com/articles?email={{${email_address} | url_param_escape}}&user_id={{${user_id}}} :save r %}", port);
        assertThat(port.only().url()).isEqualTo("https://api.example.com/articles?email=ana%40example.com&user_id=u-1");
    }

    @Test
    void post_with_a_templated_body_and_save() {
        RecordingPort port = RecordingPort.answering(json(201, "{\"id\":\"p-9\",\"items\":[{\"n\":1},{\"n\":2}]}"));
        String out = output("{% assign campaign_name = 'New Year Sale' %}"
                + "{% connected_content https://api.example.com/pub :method post "
                + ":body campaign={{campaign_name | url_param_escape}}&customer={{${user_id}}}&channel=Braze :save publication %}"
                + "{{publication.id}} {{publication.items[1].n}} {{publication.__http_status_code__}}", port);
        assertThat(out).isEqualTo("p-9 2 201");
        ConnectedContent.Request r = port.only();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.body()).isEqualTo("campaign=New%20Year%20Sale&customer=u-1&channel=Braze");
        assertThat(r.effectiveContentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.cacheSeconds()).isZero();
    }

    @Test
    void assign_before_the_tag_is_visible_to_it_and_its_result_to_what_follows() {
        RecordingPort port = RecordingPort.by(req -> json(200, "{\"echo\":\"" + req.url().substring(req.url().lastIndexOf('/') + 1) + "\"}"));
        String out = output("{{ r.echo | default: 'before' }}|{% assign id = 'abc' %}"
                + "{% connected_content https://x.test/{{id}} :save r %}{{ r.echo }}", port);
        assertThat(out).isEqualTo("before|abc");
    }

    @Test
    void headers_json_spans_lines_and_its_values_are_templates() {
        RecordingPort port = RecordingPort.answering(json(200, "{\"token\":\"T-1\"}"), json(200, "{\"ok\":true}"));
        String out = output("""
                {% connected_content
                     https://auth.example.com/token
                     :method post
                     :headers {
                       "X-App-Id": "app-1",
                       "X-User": "{{${user_id}}}"
                  }
                     :cache_max_age 900
                     :save token_response
                %}{% connected_content
                     https://api.example.com/data
                     :headers {
                       "Authorization": "Bearer {{token_response.token}}"
                  }
                     :body key1=value1&key2=value2
                     :save response
                %}{{ response.ok }}""", port);
        assertThat(out).isEqualTo("true");
        ConnectedContent.Request first = port.requests.get(0);
        assertThat(first.headers()).containsExactly(Map.entry("X-App-Id", "app-1"), Map.entry("X-User", "u-1"));
        assertThat(first.cacheMaxAge()).isEqualTo(900);
        assertThat(first.cacheSeconds()).isEqualTo(900);
        assertThat(port.requests.get(1).headers()).containsEntry("Authorization", "Bearer T-1");
        assertThat(port.requests.get(1).toString()).doesNotContain("T-1");
    }

    @Test
    void json_content_type_turns_a_form_body_into_json() {
        RecordingPort port = RecordingPort.answering(json(200, "{}"));
        output("{% connected_content https://x.test/e :method post :body key1=value1&key2={{${first_name}}} :content_type application/json %}", port);
        ConnectedContent.Request r = port.only();
        assertThat(r.body()).isEqualTo("{\"key1\":\"value1\",\"key2\":\"Ana\"}");
        assertThat(r.contentType()).isEqualTo("application/json");
    }

    @Test
    void an_inline_json_body_and_a_captured_body_are_sent_as_written() {
        RecordingPort port = RecordingPort.answering(json(200, "{}"));
        output("{% connected_content https://x.test/e :method post :body {\"foo\":\"bar\",\"baz\":\"{{1|plus:1}}\"} :content_type application/json %}", port);
        assertThat(port.requests.get(0).body()).isEqualTo("{\"foo\":\"bar\",\"baz\":\"2\"}");
        output("{% capture postbody %}{\"name\": \"{{${first_name} | json_escape}}\"}{% endcapture %}"
                + "{% connected_content https://x.test/e :method post :body {{postbody}} :content_type application/json %}", port);
        assertThat(port.requests.get(1).body()).isEqualTo("{\"name\": \"Ana\"}");
    }

    @Test
    void basic_auth_passes_the_credential_name_and_flags_pass_through() {
        RecordingPort port = RecordingPort.answering(json(200, "{}"));
        output("{% connected_content https://www.braze.com :save my_content :basic_auth auth_name :retry :no_cache %}", port);
        ConnectedContent.Request r = port.only();
        assertThat(r.basicAuth()).isEqualTo("auth_name");
        assertThat(r.retry()).isTrue();
        assertThat(r.noCache()).isTrue();
        assertThat(r.cacheSeconds()).isZero();
    }

    @Test
    void cache_max_age_is_clamped_to_braze_bounds() {
        assertThat(new ConnectedContent.Request("get", "https://x", null, null, null, null, false, 10, false).cacheSeconds())
                .isEqualTo(300);
        assertThat(new ConnectedContent.Request("post", "https://x", "a=b", null, null, null, false, 999_999, false).cacheSeconds())
                .isEqualTo(4 * 3600);
    }

    @Test
    void a_text_response_is_inserted_where_the_tag_was() {
        RecordingPort port = RecordingPort.answering(json(200, "Here is some trivia."));
        assertThat(output("Hi! {% connected_content http://numbersapi.com/random/trivia %} Bye.", port))
                .isEqualTo("Hi! Here is some trivia. Bye.");
    }

    @Test
    void a_json_scalar_is_text_not_a_saved_variable() {
        RecordingPort port = RecordingPort.answering(json(200, "42"));
        assertThat(output("[{% connected_content https://x.test :save n %}]{{ n | default: 'unset' }}", port)).isEqualTo("[42]unset");
    }

    @Test
    void not_found_renders_an_empty_string() {
        RecordingPort port = RecordingPort.answering(json(404, "<html>Not Found</html>"));
        assertThat(output("[{% connected_content https://x.test/missing %}]", port)).isEqualTo("[]");
    }

    @Test
    void a_json_object_carries_its_http_status_code_even_on_errors() {
        RecordingPort port = RecordingPort.answering(json(404, "{\"error\":\"nope\"}"));
        String out = output("{% connected_content https://example.com/api/endpoint :save result %}"
                + "{% if result.__http_status_code__ != 200 %}status {{result.__http_status_code__}}: {{result.error}}{% endif %}", port);
        assertThat(out).isEqualTo("status 404: nope");
    }

    @Test
    void a_non_200_status_can_abort_the_message_as_in_brazes_example() {
        RecordingPort port = RecordingPort.answering(json(500, "{\"error\":\"down\"}"));
        assertThat(render("{% connected_content https://example.com/api/endpoint :save result %}\n"
                + "{% if result.__http_status_code__ != 200 %}\n"
                + "  {% abort_message('Connected Content returned a non-200 status code') %}\n{% endif %}", port))
                .isEqualTo(new RenderResult.Aborted("Connected Content returned a non-200 status code"));
    }

    @Test
    void a_json_array_is_saved_without_a_status_code() {
        RecordingPort port = RecordingPort.answering(json(200, "[{\"woeid\":2459115}]"));
        assertThat(output("{% connected_content https://x.test/search :save locationjson %}{{locationjson[0].woeid}} {{locationjson.size}}", port))
                .isEqualTo("2459115 1");
    }

    @Test
    void a_missing_result_can_abort_as_in_brazes_example() {
        RecordingPort port = RecordingPort.answering(json(200, "{\"recommendations\":[1,2]}"));
        assertThat(render("{% connected_content https://example.com/webservice.json :save connected %}\n"
                + "   {% if connected.recommendations.size < 5 or connected.foo.bar == nil %}\n     {% abort_message() %}\n   {% endif %}", port))
                .isEqualTo(new RenderResult.Aborted(""));
    }

    @Test
    void server_error_with_retry_asks_the_caller_to_render_again() {
        RecordingPort port = RecordingPort.answering(json(503, "Service Unavailable"));
        assertThatThrownBy(() -> render("{% connected_content https://x.test/api :retry :save r %}{{r.v}}", port))
                .isInstanceOfSatisfying(RenderException.class, e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining("GET https://x.test/api failed: HTTP 503");
    }

    @Test
    void timeout_with_retry_aborts_on_the_callers_last_attempt() {
        RecordingPort port = RecordingPort.answering(new ConnectedContentException("timed out after 2 s", true));
        RenderContext last = RenderContext.builder().connectedContent(port).lastAttempt(true).build();
        RenderResult r = Liquid.compile("{% connected_content https://x.test/api?token=s3cr3t :retry %}", "cc").render(last);
        assertThat(r).isInstanceOfSatisfying(RenderResult.Aborted.class, a -> assertThat(a.reason())
                .isEqualTo("connected content GET https://x.test/api?… failed on the last attempt: timed out after 2 s"));
    }

    @Test
    void server_error_without_retry_inserts_nothing_and_saves_nothing() {
        RecordingPort port = RecordingPort.answering(json(502, "Bad Gateway"));
        assertThat(output("[{% connected_content https://x.test/api :save r %}]{{ r | default: 'no result' }}", port))
                .isEqualTo("[]no result");
    }

    @Test
    void a_network_failure_without_retry_inserts_nothing() {
        RecordingPort port = RecordingPort.answering(new IllegalStateException("connection reset"));
        assertThat(output("[{% connected_content https://x.test/api %}]", port)).isEqualTo("[]");
    }

    @Test
    void a_refusal_by_the_port_aborts_the_message() {
        RecordingPort port = RecordingPort.answering(new ConnectedContentException("unknown credential 'gone'", false));
        assertThat(render("{% connected_content https://x.test :basic_auth gone %}", port)).isEqualTo(
                new RenderResult.Aborted("connected content GET https://x.test refused: unknown credential 'gone'"));
    }

    @Test
    void without_a_port_connected_content_aborts_as_not_available() {
        RenderResult r = Liquid.compile("{% connected_content https://x.test %}", "cc").render(RenderContext.empty());
        assertThat(r).isEqualTo(new RenderResult.Aborted("connected content GET https://x.test refused: connected content not available"));
    }

    @Test
    void a_call_inside_if_runs_only_when_the_branch_is_taken() {
        RecordingPort port = RecordingPort.answering(json(200, "{\"v\":1}"));
        output("{% if custom_attribute.${lead score} < 100 %}{% connected_content https://x.test/low %}{% endif %}", port);
        assertThat(port.requests).isEmpty();
        output("{% if custom_attribute.${lead score} >= 100 %}{% connected_content https://x.test/high %}{% endif %}", port);
        assertThat(port.only().url()).isEqualTo("https://x.test/high");
    }

    @Test
    void a_call_inside_for_sees_the_loop_variable() {
        RecordingPort port = RecordingPort.by(req -> json(200, "{\"n\":\"" + req.url().substring(req.url().length() - 1) + "\"}"));
        assertThat(output("{% for i in (1..3) %}{% connected_content https://x.test/item/{{i}} :save item %}{{item.n}}{% endfor %}", port))
                .isEqualTo("123");
        assertThat(port.requests).hasSize(3);
    }

    @Test
    void calls_per_render_are_limited() {
        RecordingPort port = RecordingPort.answering(json(200, "{}"));
        LiquidTemplate t = Liquid.compile("{% for i in (1..5) %}{% connected_content https://x.test/{{i}} %}{% endfor %}", "cc",
                new LiquidLimits(1000, 1000, 100, 3));
        assertThatThrownBy(() -> t.render(with(port)))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("more than 3 connected_content calls");
        assertThat(port.requests).hasSize(3);
    }

    @Test
    void a_url_that_renders_to_something_other_than_http_is_refused() {
        RecordingPort port = RecordingPort.answering(json(200, "{}"));
        assertThatThrownBy(() -> render("{% connected_content {{ nothing }}/path %}", port))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("URL must start with http:// or https://");
        assertThat(port.requests).isEmpty();
    }

    @Test
    void the_request_string_shows_no_body_header_values_or_query() {
        ConnectedContent.Request r = new ConnectedContent.Request("post", "https://user:pw@x.test/p?key=SECRET", "client_secret=SECRET",
                Map.of("Authorization", "Bearer SECRET"), null, "cred", true, null, false);
        assertThat(r.toString()).doesNotContain("SECRET").doesNotContain("pw").contains("Authorization").contains("cred");
    }
}
