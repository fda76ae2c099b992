package dev.kiln.liquid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Templates are refused when compiled, with the line and column of the source as written. */
class ValidationTest {

    private static TemplateException refused(String source) {
        ThrowingCallable compile = () -> Liquid.compile(source, "campaigns/mql.yaml#body");
        assertThatThrownBy(compile).isInstanceOf(TemplateException.class);
        try {
            Liquid.compile(source, "campaigns/mql.yaml#body");
        } catch (TemplateException e) {
            return e;
        }
        throw new AssertionError("unreachable");
    }

    private static void assertRefused(String source, int line, int column, String detailPart) {
        TemplateException e = refused(source);
        assertThat(e.detail()).contains(detailPart);
        assertThat(e.line()).as("line of: " + e.getMessage()).isEqualTo(line);
        assertThat(e.column()).as("column of: " + e.getMessage()).isEqualTo(column);
    }

    @Test
    void the_message_names_template_line_and_column() {
        TemplateException e = refused("Hello\n  {% foo %}");
        assertThat(e.templateName()).isEqualTo("campaigns/mql.yaml#body");
        assertThat(e.getMessage()).startsWith("campaigns/mql.yaml#body:2:6: unknown tag 'foo'");
    }

    @ParameterizedTest(name = "{3}")
    @CsvSource(delimiter = '¦', quoteCharacter = '`', textBlock = """
            Hello\\n  {% foo %}                              ¦ 2 ¦ 6  ¦ unknown tag 'foo'
            a\\n{% if x %}\\nb                               ¦ 2 ¦ 4  ¦ {% if %} is never closed: add {% endif %}
            {% for i in (1..2) %}\\n{% endif %}              ¦ 2 ¦ 4  ¦ {% endif %} cannot close {% for %} opened at line 1, column 4
            x {% endif %}                                    ¦ 1 ¦ 6  ¦ {% endif %} without an open {% if %}
            {% else %}                                       ¦ 1 ¦ 4  ¦ {% else %} outside
            {% if a %}{% when 1 %}{% endif %}                ¦ 1 ¦ 14 ¦ {% when %} outside {% case %}
            x\\n  {{ 'a' | nofilter }}                       ¦ 2 ¦ 10 ¦ unknown filter 'nofilter'
            {{ ${first_name} | nofilter: 1 }}                ¦ 1 ¦ 18 ¦ unknown filter 'nofilter'
            Hi {{${nickname}}}                               ¦ 1 ¦ 6  ¦ unknown '${nickname}'
            {{ ${first_name\\n}}                             ¦ 1 ¦ 4  ¦ '${' is not closed
            {{ ${} }}                                        ¦ 1 ¦ 4  ¦ empty '${}'
            {{$user_id}}}                                    ¦ 1 ¦ 3  ¦ unexpected '$'
            {% include 'header' %}                           ¦ 1 ¦ 4  ¦ Kiln templates cannot read other files
            {% render 'x' %}                                 ¦ 1 ¦ 4  ¦ not supported
            {% abort_message({{x}}) %}                       ¦ 1 ¦ 18 ¦ takes one quoted reason
            {% abort_message('unclosed) %}                   ¦ 1 ¦ 18 ¦ reason is not closed
            {% raw %}never closed                            ¦ 1 ¦ 1  ¦ {% raw %} is never closed
            {% comment %}never closed                        ¦ 1 ¦ 1  ¦ {% comment %} is never closed
            ok {{ x                                          ¦ 1 ¦ 4  ¦ output is never closed
            ok {% if x                                       ¦ 1 ¦ 4  ¦ tag is never closed
            """)
    void invalid_template_is_refused_at_its_position(String source, int line, int column, String detail) {
        assertRefused(source.replace("\\n", "\n"), line, column, detail);
    }

    @Test
    void a_liqp_syntax_error_is_reported_at_its_position() {
        TemplateException e = refused("line one\n{{ a | }}");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.detail()).isNotBlank();
    }

    @Test
    void positions_after_a_multi_line_connected_content_tag_are_those_of_the_source() {
        assertRefused("{% connected_content https://x.test\n  :save r\n%}\n{{ r.x | nofilter }}", 4, 8, "unknown filter 'nofilter'");
    }

    @Test
    void an_error_inside_a_connected_content_url_points_into_the_url() {
        assertRefused("{% connected_content https://x.test/{{ id | nofilter }} %}", 1, 43, "unknown filter 'nofilter'");
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '¦', quoteCharacter = '`', textBlock = """
            {% connected_content :save x %}                          ¦ 22 ¦ connected_content needs a URL
            {% connected_content %}                                  ¦ 22 ¦ connected_content needs a URL
            {% connected_content https://x.test :foo bar %}          ¦ 37 ¦ unknown connected_content option ':foo'
            {% connected_content https://x.test save x %}            ¦ 37 ¦ options start with ':'
            {% connected_content https://x.test :method fetch %}     ¦ 45 ¦ :method must be one of get, post, put, patch, delete
            {% connected_content https://x.test :save 1abc %}        ¦ 43 ¦ :save needs a variable name
            {% connected_content https://x.test :save %}             ¦ 37 ¦ :save needs a value
            {% connected_content https://x.test :save a :save b %}   ¦ 45 ¦ option ':save' given twice
            {% connected_content https://x.test :cache_max_age soon %} ¦ 52 ¦ :cache_max_age must be a whole number
            {% connected_content https://x.test :headers {"a": %}    ¦ 46 ¦ :headers
            {% connected_content https://x.test :headers ["a"] %}    ¦ 46 ¦ :headers needs a JSON object
            {% connected_content https://x.test :headers {"a": {"b": 1}} %} ¦ 46 ¦ value of "a" is not a string
            {% connected_content https://x/{% connected_content y %} %} ¦ 32 ¦ cannot appear inside another connected_content
            {% connected_content https://x.test/{{ id %}             ¦ 1  ¦ connected_content tag is never closed
            """)
    void invalid_connected_content_is_refused(String source, int column, String detail) {
        assertRefused(source, 1, column, detail);
    }

    @Test
    void a_template_over_the_size_limit_is_refused() {
        LiquidLimits small = new LiquidLimits(10, 100, 100, 1);
        assertThatThrownBy(() -> Liquid.compile("{{ 'more than ten' }}", "big", small))
                .isInstanceOf(TemplateException.class)
                .hasMessage("big:1:1: template has 21 characters; the limit is 10 (LiquidLimits.maxTemplateChars)");
    }

    @Test
    void blocks_nested_too_deeply_are_refused_instead_of_overflowing_the_stack() {
        String deep = "{% if true %}".repeat(2000) + "x" + "{% endif %}".repeat(2000);
        TemplateException e = refused(deep);
        assertThat(e.detail()).isEqualTo("blocks are nested more than 100 deep");
        assertThat(e.column()).isEqualTo(100 * 13 + 4);
        Liquid.compile("{% if true %}".repeat(100) + "x" + "{% endif %}".repeat(100), "deep but fine");
    }

    @Test
    void valid_braze_templates_compile() {
        Liquid.compile(SeedTemplatesTest.SEED_BODY, "seed");
        Liquid.compile(SeedTemplatesTest.SEED_AUTHORIZATION, "seed");
        Liquid.compile("{% if {{localweather.consolidated_weather[0].weather_state_name}} == 'Rain' %}umbrella{% endif %}", "doc");
        Liquid.compile("{% # an inline comment %}ok", "inline comment");
    }
}
