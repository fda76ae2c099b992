package dev.kiln.liquid;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Small helpers shared by the tests. */
final class Render {
    private Render() {}

    static final Clock FIXED = Clock.fixed(Instant.parse("2024-03-05T14:30:00Z"), ZoneOffset.UTC);

    static String output(String source, RenderContext context) {
        RenderResult r = Liquid.compile(source, "test").render(context);
        assertThat(r).isInstanceOf(RenderResult.Rendered.class);
        return ((RenderResult.Rendered) r).output();
    }

    static String output(String source) {
        return output(source, RenderContext.builder().clock(FIXED).build());
    }

    static RenderResult result(String source, RenderContext context) {
        return Liquid.compile(source, "test").render(context);
    }
}
