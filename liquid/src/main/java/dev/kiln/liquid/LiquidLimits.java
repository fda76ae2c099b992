package dev.kiln.liquid;

/**
 * Resource limits of one template. A render that exceeds one fails with a {@link RenderException} that names it;
 * a template over {@code maxTemplateChars} is refused when compiled.
 *
 * @param maxTemplateChars       source size
 * @param maxOutputChars         rendered text, and any single value built by filters or {@code capture}
 * @param maxIterations          loop iterations ({@code for}, {@code tablerow}) in one render, nested loops included
 * @param maxConnectedContentCalls connected-content calls in one render
 */
public record LiquidLimits(int maxTemplateChars, int maxOutputChars, int maxIterations, int maxConnectedContentCalls) {

    public static final int DEFAULT_MAX_TEMPLATE_CHARS = 64 * 1024;
    public static final int DEFAULT_MAX_OUTPUT_CHARS = 1024 * 1024;
    public static final int DEFAULT_MAX_ITERATIONS = 10_000;
    public static final int DEFAULT_MAX_CONNECTED_CONTENT_CALLS = 10;

    public static final LiquidLimits DEFAULTS = new LiquidLimits(DEFAULT_MAX_TEMPLATE_CHARS, DEFAULT_MAX_OUTPUT_CHARS,
            DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_CONNECTED_CONTENT_CALLS);

    public LiquidLimits {
        positive("maxTemplateChars", maxTemplateChars);
        positive("maxOutputChars", maxOutputChars);
        positive("maxIterations", maxIterations);
        if (maxConnectedContentCalls < 0) {
            throw new IllegalArgumentException("maxConnectedContentCalls must be >= 0, was " + maxConnectedContentCalls);
        }
    }

    private static void positive(String setting, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(setting + " must be > 0, was " + value);
        }
    }
}
