package dev.kiln.liquid;

import static dev.kiln.liquid.RecordingPort.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Runaway templates stop with an error that names the limit; none hangs or exhausts memory. */
class LimitsTest {

    private static void stops(String template, LiquidLimits limits, RenderContext context, String message) {
        LiquidTemplate t = Liquid.compile(template, "runaway", limits);
        assertThatThrownBy(() -> t.render(context))
                .isInstanceOfSatisfying(RenderException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.templateName()).isEqualTo("runaway");
                })
                .hasMessageContaining(message);
    }

    @Test
    void a_loop_over_a_huge_range_is_stopped() {
        stops("{% for i in (1..1000000000) %}x{% endfor %}", LiquidLimits.DEFAULTS, RenderContext.empty(),
                "loop stopped: more than 10000 iterations in one render (LiquidLimits.maxIterations)");
    }

    @Test
    void nested_loops_count_together() {
        stops("{% for i in (1..200) %}{% for j in (1..200) %}{% endfor %}{% endfor %}", LiquidLimits.DEFAULTS,
                RenderContext.empty(), "more than 10000 iterations");
    }

    @Test
    void a_loop_within_the_limit_runs() {
        assertThat(Render.output("{% for i in (1..10000) %}{% endfor %}done")).isEqualTo("done");
    }

    @Test
    void output_beyond_the_limit_is_stopped() {
        stops("{% for i in (1..5000) %}0123456789{% endfor %}", new LiquidLimits(1000, 10_000, 10_000, 1),
                RenderContext.empty(), "output exceeds 10000 characters (LiquidLimits.maxOutputChars)");
    }

    @Test
    void a_value_doubled_by_assign_is_stopped_before_it_exhausts_memory() {
        stops("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
                LiquidLimits.DEFAULTS, RenderContext.empty(), "a value built by filter 'append' exceeds 1048576 characters");
    }

    @Test
    void a_capture_that_doubles_is_stopped() {
        stops("{% for i in (1..60) %}{% capture s %}{{s}}{{s}}x{% endcapture %}{% endfor %}", LiquidLimits.DEFAULTS,
                RenderContext.empty(), "1048576 characters");
    }

    @Test
    void inline_connected_content_text_counts_towards_the_output_limit() {
        RenderContext c = RenderContext.builder().connectedContent(RecordingPort.answering(json(200, "y".repeat(2000)))).build();
        stops("{% connected_content https://x.test %}", new LiquidLimits(1000, 1000, 100, 1), c, "output exceeds 1000 characters");
    }

    @Test
    void limits_are_validated_with_the_setting_named() {
        assertThatThrownBy(() -> new LiquidLimits(0, 1, 1, 1)).hasMessage("maxTemplateChars must be > 0, was 0");
        assertThatThrownBy(() -> new LiquidLimits(1, 1, -1, 1)).hasMessage("maxIterations must be > 0, was -1");
        assertThatThrownBy(() -> new LiquidLimits(1, 1, 1, -1)).hasMessage("maxConnectedContentCalls must be >= 0, was -1");
    }
}
