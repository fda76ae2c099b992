package dev.kiln.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln render} through the real command line, on the seed's templates. */
class RenderCommandTest {
    /** The seed's body, verbatim (seed "Etapa 2a: Compor webhook"). */
    static final String SEED_BODY = """
            {% assign threshold = 100%}
            {% if custom_attribute.${lead score} > threshold %}
            {
            "lead_status": "MQL"
            }
            {% else %}{% abort_message('not at threshold')%}
            {% endif %}""";
    static final String SEED_AUTHORIZATION = "{% connected_content https://x.my.salesforce.com/services/oauth2/token :method post "
            + ":body client_id=a&client_secret=b&grant_type=client_credentials :save result %}Bearer {{result.access_token}}";
    static final String TOKEN_STUB = """
            {"https://x.my.salesforce.com/services/oauth2/token":
              {"access_token": "00Dxx0000000001!AQfake", "instance_url": "https://x.my.salesforce.com", "token_type": "Bearer"}}""";

    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    Run render(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "render";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    String lead(int score) {
        return "{\"user_id\": \"00Q5e00000AbCdE\", \"email_address\": \"ana@example.com\", \"custom_attributes\": {\"lead score\": " + score + "}}";
    }

    @Test
    void seed_body_for_a_score_of_101_prints_the_mql_json() throws Exception {
        Run r = render(file("body.liquid", SEED_BODY).toString(), "--context", file("lead.json", lead(101)).toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(r.out())).isEqualTo(json.readTree("{\"lead_status\": \"MQL\"}"));
    }

    @Test
    void seed_body_for_a_score_of_50_aborts_with_exit_3_and_the_reason_on_stderr() throws Exception {
        Run r = render(file("body.liquid", SEED_BODY).toString(), "--context", file("lead.json", lead(50)).toString());

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("not at threshold");
    }

    @Test
    void an_invalid_template_exits_2_with_its_line_and_column() throws Exception {
        Path template = file("bad.liquid", "{\n  \"lead_status\": \"{% foo %}\"\n}");

        Run r = render(template.toString(), "--context", file("lead.json", lead(101)).toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith(template + ":2:22: unknown tag 'foo'");
    }

    @Test
    void seed_authorization_header_takes_its_token_from_the_stubbed_connected_content() throws Exception {
        Run r = render(file("auth.liquid", SEED_AUTHORIZATION).toString(), "--context", file("lead.json", lead(101)).toString(),
                "--connected-content", file("stub.json", TOKEN_STUB).toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Bearer 00Dxx0000000001!AQfake");
    }

    @Test
    void the_seed_header_with_its_line_breaks_renders_too_and_the_caller_trims_it() throws Exception {
        String seedHeader = """
                {% connected_content https://x.my.salesforce.com/services/oauth2/token
                :method post
                 :body client_id=a&client_secret=b&grant_type=client_credentials
                :save result %}
                Bearer {{result.access_token}}""";
        Run r = render(file("auth.liquid", seedHeader).toString(), "--connected-content", file("stub.json", TOKEN_STUB).toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("Bearer 00Dxx0000000001!AQfake");
    }

    @Test
    void connected_content_without_a_stub_aborts_and_says_how_to_stub_it() throws Exception {
        Run r = render(file("auth.liquid", SEED_AUTHORIZATION).toString());

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("POST https://x.my.salesforce.com/services/oauth2/token").contains("--connected-content");
    }

    @Test
    void a_url_missing_from_the_stub_aborts_naming_the_stub_file_and_never_the_query_string() throws Exception {
        Path stub = file("stub.json", "{\"GET https://api.example.com/other?key=SECRETKEY\": \"x\"}");
        Run r = render(file("t.liquid", "{% connected_content https://api.example.com/weather?key=SECRETKEY %}").toString(),
                "--connected-content", stub.toString());

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("no answer for GET https://api.example.com/weather").contains(stub.toString())
                .contains("https://api.example.com/other").doesNotContain("SECRETKEY");
    }

    @Test
    void stub_answers_text_statuses_and_method_specific_urls() throws Exception {
        Path stub = file("stub.json", """
                {"https://api.example.com/w": "sunny",
                 "POST https://api.example.com/w": {"$status": 201, "$body": {"id": "p-1"}},
                 "https://api.example.com/down": {"$status": 503, "$body": "maintenance"}}""");
        String template = "{% connected_content https://api.example.com/w %}|{% connected_content https://api.example.com/w :method post :save p %}"
                + "{{p.id}} {{p.__http_status_code__}}|{% connected_content https://api.example.com/down %}|";

        Run r = render(file("t.liquid", template).toString(), "--connected-content", stub.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("sunny|p-1 201||");
    }

    @Test
    void a_retried_call_that_keeps_failing_aborts_as_on_the_last_attempt() throws Exception {
        Path stub = file("stub.json", "{\"https://api.example.com/down\": {\"$status\": 503}}");
        Run r = render(file("t.liquid", "{% connected_content https://api.example.com/down :retry %}").toString(),
                "--connected-content", stub.toString());

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("failed on the last attempt").contains("503");
    }

    @Test
    void context_fills_standard_attributes_properties_and_connections() throws Exception {
        String context = """
                {"external_id": "00Q1", "first_name": "Ana", "braze_id": "b-1",
                 "custom_attributes": {"lead score": 120.0, "lead_status": "SQL"},
                 "event_properties": {"plan": "pro"}, "canvas_entry_properties": {"source": "webinar"},
                 "connections": {"salesforce": {"access_token": "T-1", "instance_url": "https://acme.my.salesforce.com"}},
                 "variables": {"region": "emea"}}""";
        String template = "{{connections.salesforce.instance_url}}/services/data/v60.0/sobjects/Lead/{{${user_id}}} "
                + "{{${first_name}}} {{${braze_id}}} {{custom_attribute.${lead score}}} {{custom_attribute.${lead_status}}} "
                + "{{event_properties.${plan}}} {{canvas_entry_properties.${source}}} {{region}} Bearer {{connections.salesforce.access_token}} "
                + "{{ 'now' | date: '%Y-%m-%d' }}";

        Run r = render(file("t.liquid", template).toString(), "--context", file("c.json", context).toString(), "--now", "2026-03-01T12:00:00Z");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead/00Q1 Ana b-1 120 SQL pro webinar emea Bearer T-1 2026-03-01");
    }

    @Test
    void an_unknown_context_key_exits_1_listing_the_known_ones() throws Exception {
        Run r = render(file("t.liquid", "x").toString(), "--context", file("c.json", "{\"email\": \"ana@example.com\"}").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("unknown key 'email'").contains("email_address").contains("custom_attributes");
    }

    @Test
    void unreadable_files_and_bad_json_exit_1() throws Exception {
        Run missing = render(dir.resolve("nope.liquid").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.liquid").contains("no such file");

        Run badJson = render(file("t.liquid", "x").toString(), "--context", file("c.json", "{\"user_id\": ").toString());
        assertThat(badJson.exit()).isEqualTo(1);
        assertThat(badJson.err()).contains("c.json:").contains("not valid JSON");
    }

    @Test
    void a_render_failure_such_as_comparing_text_with_a_number_exits_1() throws Exception {
        Run r = render(file("body.liquid", SEED_BODY).toString(), "--context",
                file("lead.json", "{\"custom_attributes\": {\"lead score\": \"120\"}}").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("kiln render:");
    }
}
