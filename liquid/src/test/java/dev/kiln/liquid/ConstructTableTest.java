package dev.kiln.liquid;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported construct, one row each: the template and what it renders for one lead. An expectation starting
 * with {@code ABORT:} means the render aborts with that reason. Hash and encoding expectations are the examples of
 * Braze's "Advanced filters" page.
 */
class ConstructTableTest {

    static RenderContext lead() {
        Map<String, Object> custom = new LinkedHashMap<>();
        custom.put("lead score", 120);
        custom.put("whole double", 42.0);
        custom.put("ratio", 0.75);
        custom.put("score text", "120");
        custom.put("company", "Acme \"Quoted\" Ltda");
        custom.put("note", "line1\nline2 – ação 🚀");
        custom.put("path", "C:\\dir\tx");
        custom.put("tags", List.of("b2b", "enterprise"));
        custom.put("address", Map.of("city", "São Paulo"));
        custom.put("is_employee", false);
        custom.put("empty", "");
        custom.put("nothing", null);
        custom.put("signed_up", Instant.parse("2024-01-31T23:00:00Z"));
        return RenderContext.builder()
                .externalId("00Q5e00000AbCdE").brazeId("5f1b2c").firstName("Ana").lastName("Souza")
                .email("ana+lead@example.com.br").phone("+55 11 91234-5678").country("BR").language("pt")
                .timeZone("America/Sao_Paulo")
                .customAttributes(custom)
                .eventProperties(Map.of("plan", "pro", "seats count", 12))
                .canvasEntryProperties(Map.of("source", "webinar"))
                .variable("connections", Map.of("salesforce",
                        Map.of("access_token", "T0K", "instance_url", "https://acme.my.salesforce.com")))
                .clock(Render.FIXED)
                .build();
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // ${…} forms
                row("${user_id} is the external id", "{{${user_id}}}", "00Q5e00000AbCdE"),
                row("${braze_id} with spaces around", "{{ ${braze_id} }}", "5f1b2c"),
                row("${first_name} ${last_name}", "{{${first_name}}} {{${last_name}}}", "Ana Souza"),
                row("${email_address}", "{{${email_address}}}", "ana+lead@example.com.br"),
                row("${phone_number}", "{{${phone_number}}}", "+55 11 91234-5678"),
                row("${country} ${language} ${time_zone}", "{{${country}}}/{{${language}}}/{{${time_zone}}}",
                        "BR/pt/America/Sao_Paulo"),
                row("unset standard attribute is nil", "{{${city} | default: 'unknown'}}", "unknown"),
                row("custom attribute name with a space", "{{custom_attribute.${lead score}}}", "120"),
                row("spaces inside ${ } are trimmed", "{{custom_attribute.${ lead score }}}", "120"),
                row("event_properties.${x}", "{{event_properties.${plan}}} {{event_properties.${seats count}}}", "pro 12"),
                row("canvas_entry_properties.${x}", "{{canvas_entry_properties.${source}}}", "webinar"),
                row("nested attribute after ${ }", "{{custom_attribute.${address}.city}}", "São Paulo"),
                row("array attribute index and size", "{{custom_attribute.${tags}[1]}} {{custom_attribute.${tags} | size}}",
                        "enterprise 2"),
                row("integral double prints as integer", "{{custom_attribute.${whole double}}}", "42"),
                row("fraction prints as is", "{{custom_attribute.${ratio}}}", "0.75"),
                row("${ } inside a string literal is text", "{% assign s = '${user_id}' %}{{s}}", "${user_id}"),
                row("${ } in plain text is text", "price: ${user_id}", "price: ${user_id}"),
                row("extra variables (connections)", "{{connections.salesforce.instance_url}}",
                        "https://acme.my.salesforce.com"),
                row("Braze's {{ }} inside a tag", "{% if {{custom_attribute.${lead score}}} > 100 %}yes{% endif %}", "yes"),

                // number comparison
                row("number >= number", "{% if custom_attribute.${lead score} >= 100 %}MQL{% endif %}", "MQL"),
                row("number == literal", "{% if custom_attribute.${lead score} == 120 %}eq{% endif %}", "eq"),
                row("integral double == literal", "{% if custom_attribute.${whole double} == 42 %}eq{% endif %}", "eq"),
                row("fraction < literal", "{% if custom_attribute.${ratio} < 1 %}lt{% endif %}", "lt"),
                row("unset attribute is not >= 100", "{% if custom_attribute.${missing} >= 100 %}y{% else %}n{% endif %}", "n"),
                row("null attribute is not >= 100", "{% if custom_attribute.${nothing} >= 100 %}y{% else %}n{% endif %}", "n"),
                row("event property number", "{% if event_properties.${seats count} > 10 %}big{% endif %}", "big"),
                row("compare with assigned threshold", "{% assign t = 100 %}{% if custom_attribute.${lead score} > t %}over{% endif %}", "over"),

                // tags
                row("assign", "{% assign x = 'a' | upcase %}{{x}}", "A"),
                row("if / elsif / else", "{% if 1 > 2 %}a{% elsif 2 > 1 %}b{% else %}c{% endif %}", "b"),
                row("and / or / contains", "{% if ${first_name} contains 'An' and 1 == 1 or false %}y{% endif %}", "y"),
                row("unless", "{% unless custom_attribute.${is_employee} %}lead{% endunless %}", "lead"),
                row("case / when / else", "{% case ${country} %}{% when 'US' %}us{% when 'BR' %}br{% else %}?{% endcase %}", "br"),
                row("for over a list with forloop", "{% for t in custom_attribute.${tags} %}{{forloop.index}}:{{t}}{% unless forloop.last %},{% endunless %}{% endfor %}",
                        "1:b2b,2:enterprise"),
                row("for over a range, reversed and limit", "{% for i in (1..6) reversed limit:3 %}{{i}}{% endfor %}", "321"),
                row("for over a range with offset", "{% for i in (1..6) offset:4 %}{{i}}{% endfor %}", "56"),
                row("for over a list with limit and offset", "{% assign l = 'a,b,c,d' | split: ',' %}{% for x in l limit:2 offset:1 %}{{x}}{% endfor %}", "bc"),
                row("for else on an empty list", "{% for x in custom_attribute.${missing} %}{{x}}{% else %}none{% endfor %}", "none"),
                row("break and continue", "{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{i}}{% endfor %}", "13"),
                row("capture", "{% capture greeting %}Olá {{${first_name}}}{% endcapture %}{{greeting | upcase}}", "OLÁ ANA"),
                row("raw keeps Liquid and ${ } as text", "{% raw %}{{${user_id}}}{% endraw %}", "{{${user_id}}}"),
                row("comment with Braze syntax inside", "a{% comment %}{{${user_id}}} {% abort_message('x') %}{% endcomment %}b", "ab"),
                row("cycle", "{% for i in (1..3) %}{% cycle 'x', 'y' %}{% endfor %}", "xyx"),
                row("increment", "{% increment n %}{% increment n %}", "01"),
                row("whitespace control", "a  {%- if true -%}  b  {%- endif -%}  c {{- ' d' -}} ", "abc d"),

                // standard filters
                row("default on nil", "{{ custom_attribute.${missing} | default: 'there' }}", "there"),
                row("default on empty string", "{{ custom_attribute.${empty} | default: 'there' }}", "there"),
                row("default on false", "{{ custom_attribute.${is_employee} | default: 'x' }}", "x"),
                row("default keeps a value", "{{ ${first_name} | default: 'there' }}", "Ana"),
                row("math", "{{ custom_attribute.${lead score} | plus: 5 }} {{ 10 | minus: 3 }} {{ 3 | times: 2.5 }} {{ 10 | divided_by: 4 }} {{ 10 | modulo: 3 }}",
                        "125 7 7.5 2 1"),
                row("rounding", "{{ 4.6 | round }} {{ 4.2 | ceil }} {{ 4.8 | floor }} {{ -3 | abs }} {{ 3.14159 | round: 2 }}", "5 5 4 3 3.14"),
                row("case filters", "{{ 'Ana' | upcase }} {{ 'ANA' | downcase }} {{ 'ana souza' | capitalize }}", "ANA ana Ana souza"),
                row("append / prepend", "{{ 'a' | append: 'b' | prepend: 'c' }}", "cab"),
                row("replace / remove", "{{ 'hello world' | replace: 'world', 'there' | remove: 'o' }}", "hell there"),
                row("split / join / strip", "{{ 'a,b,c' | split: ',' | join: '-' }} {{ '  x  ' | strip }}|", "a-b-c x|"),
                row("truncate / size / slice", "{{ 'Hello world' | truncate: 8 }} {{ 'abc' | size }} {{ 'hello' | slice: 1, 3 }}", "Hello... 3 ell"),
                row("url_encode", "{{ 'a b&c' | url_encode }}", "a+b%26c"),
                row("date of epoch seconds", "{{ 1700000000 | date: '%Y-%m-%d %H:%M' }}", "2023-11-14 22:13"),
                row("date of now uses the context clock", "{{ 'now' | date: '%Y-%m-%d %H:%M' }}", "2024-03-05 14:30"),
                row("date of a time attribute", "{{ custom_attribute.${signed_up} | date: '%d/%m/%Y' }}", "31/01/2024"),
                row("time_zone then date", "{{ 'now' | time_zone: ${time_zone} | date: '%H:%M' }}", "11:30"),

                // Braze filters
                row("json_escape quotes", "{{ custom_attribute.${company} | json_escape }}", "Acme \\\"Quoted\\\" Ltda"),
                row("json_escape newline, keeps unicode", "{{ custom_attribute.${note} | json_escape }}", "line1\\nline2 – ação 🚀"),
                row("json_escape backslash and tab", "{{ custom_attribute.${path} | json_escape }}", "C:\\\\dir\\tx"),
                row("md5", "{{'hey' | md5}}", "6057f13c496ecf7fd777ceb9e79ae285"),
                row("sha1", "{{'hey' | sha1}}", "7f550a9f4c44173a37664d938f1355f0f92a47a7"),
                row("sha2 is SHA-256", "{{'hey' | sha2}}", "fa690b82061edfd2852629aeba8a8977b57e40fcb77d1a7a28b26cba62591204"),
                row("hmac_sha1 with key", "{{'hey' | hmac_sha1: 'secret_key'}}", "2a3969bed25bfeefb00aca4063eb9590b4df8f0e"),
                row("hmac_sha1_hex", "{{'hey' | hmac_sha1_hex: 'secret_key'}}", "2a3969bed25bfeefb00aca4063eb9590b4df8f0e"),
                row("hmac_sha1_base64", "{{'hey' | hmac_sha1_base64: 'secret_key'}}", "KjlpvtJb/u+wCspAY+uVkLTfjw4="),
                row("hmac_sha256_hex", "{{'hey' | hmac_sha256_hex: 'secret_key'}}",
                        "8df897f8da3d7992fe57c8dbc6f27578cfbf2dcc4d0fbb4000b8c924841d508e"),
                row("hmac_sha256_base64", "{{'hey' | hmac_sha256_base64: 'secret_key'}}", "jfiX+No9eZL+V8jbxvJ1eM+/LcxND7tAALjJJIQdUI4="),
                row("base64", "{{'blah' | base64}} {{'blah' | base64_encode}}", "YmxhaA== YmxhaA=="),
                row("base64_decode", "{{'YmxhaA==' | base64_decode}}", "blah"),
                row("url_escape", "{{'hey<>hi' | url_escape}}", "hey%3C%3Ehi"),
                row("url_escape keeps URL punctuation", "{{'https://x.com/a b?q=1&r=ç' | url_escape}}", "https://x.com/a%20b?q=1&r=%C3%A7"),
                row("url_param_escape", "{{'hey<&>hi' | url_param_escape}}", "hey%3C%26%3Ehi"),
                row("url_param_escape of an email", "{{${email_address} | url_param_escape}}", "ana%2Blead%40example.com.br"),
                row("property_accessor", "{{ custom_attribute.${address} | property_accessor: 'city' }}", "São Paulo"),
                row("property_accessor with a variable key", "{% assign k = 'city' %}{{ custom_attribute.${address} | property_accessor: k }}", "São Paulo"),
                row("number_with_delimiter", "{{ 123456 | number_with_delimiter }} {{ 1234567.891 | number_with_delimiter }} {{ -9876543 | number_with_delimiter }} {{ 12 | number_with_delimiter }}",
                        "123,456 1,234,567.891 -9,876,543 12"),

                // abort_message
                row("abort with a reason", "{% abort_message('not at threshold') %}", "ABORT:not at threshold"),
                row("abort with a double-quoted reason", "{% abort_message(\"double\") %}", "ABORT:double"),
                row("abort with empty parentheses", "before {% abort_message() %}", "ABORT:"),
                row("abort without parentheses", "{% abort_message %}", "ABORT:"),
                row("abort with whitespace control", "a {%- abort_message('x') -%} b", "ABORT:x"),
                row("abort inside a loop", "{% for i in (1..3) %}{% if i == 2 %}{% abort_message('at two') %}{% endif %}{% endfor %}", "ABORT:at two"),
                row("abort not reached", "{% if false %}{% abort_message('never') %}{% endif %}sent", "sent"));
    }

    private static Arguments row(String construct, String template, String expected) {
        return Arguments.of(construct, template, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void construct_renders_as_braze_does(String construct, String template, String expected) {
        RenderResult result = Liquid.compile(template, construct).render(lead());
        if (expected.startsWith("ABORT:")) {
            assertThat(result).isEqualTo(new RenderResult.Aborted(expected.substring("ABORT:".length())));
        } else {
            assertThat(result).isEqualTo(new RenderResult.Rendered(expected));
        }
    }

    @Test
    void json_escape_makes_any_value_safe_inside_a_json_body() throws Exception {
        String body = "{\"company\": \"{{custom_attribute.${company} | json_escape}}\", "
                + "\"note\": \"{{custom_attribute.${note} | json_escape}}\", \"path\": \"{{custom_attribute.${path} | json_escape}}\"}";
        String out = Render.output(body, lead());
        Map<String, Object> parsed = new ObjectMapper().readValue(out, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        assertThat(parsed).containsEntry("company", "Acme \"Quoted\" Ltda")
                .containsEntry("note", "line1\nline2 – ação 🚀")
                .containsEntry("path", "C:\\dir\tx");
    }

    @Test
    void json_escape_escapes_control_characters_and_line_separators() {
        assertThat(BrazeFilters.jsonEscape("a\u0001b\u2028c\rd\be\ff")).isEqualTo("a\\u0001b\\u2028c\\rd\\be\\ff");
    }

    @Test
    void a_number_stored_as_text_cannot_be_compared_with_a_number() {
        LiquidTemplate t = Liquid.compile("{% if custom_attribute.${score text} >= 100 %}y{% endif %}", "text-score");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.render(lead()))
                .isInstanceOf(RenderException.class)
                .hasMessageContaining("store it as a number");
    }

    @Test
    void one_context_renders_the_same_for_every_template_and_each_render_starts_fresh() {
        LiquidTemplate t = Liquid.compile("{{ x | default: 'unset' }}{% assign x = 'set' %}", "fresh");
        RenderContext c = lead();
        assertThat(t.render(c)).isEqualTo(new RenderResult.Rendered("unset"));
        assertThat(t.render(c)).isEqualTo(new RenderResult.Rendered("unset"));
    }
}
