package dev.kiln.liquid;

import java.util.Objects;

/** Entry point: compile a Braze-dialect Liquid template once, render it many times from any thread. */
public final class Liquid {
    private Liquid() {}

    /**
     * Compiles and validates {@code source} with {@link LiquidLimits#DEFAULTS}.
     *
     * @param nameForMessages names the template in errors, e.g. {@code campaigns/mql.yaml#body}
     * @throws TemplateException with line and column when the template is invalid
     */
    public static LiquidTemplate compile(String source, String nameForMessages) {
        return compile(source, nameForMessages, LiquidLimits.DEFAULTS);
    }

    public static LiquidTemplate compile(String source, String nameForMessages, LiquidLimits limits) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(nameForMessages, "nameForMessages");
        Objects.requireNonNull(limits, "limits");
        return Compiler.compile(source, nameForMessages, limits);
    }
}
