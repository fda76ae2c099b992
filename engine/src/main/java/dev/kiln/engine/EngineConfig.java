package dev.kiln.engine;

/**
 * Engine settings. {@code arrayMaxLength}: an array attribute keeps at most this many strings; adding
 * beyond drops the oldest (Braze's default is 25, configurable up to 500).
 */
public record EngineConfig(int arrayMaxLength) {
    public static final int DEFAULT_ARRAY_MAX_LENGTH = 25;
    public static final int MAX_ARRAY_MAX_LENGTH = 500;
    public static final EngineConfig DEFAULT = new EngineConfig(DEFAULT_ARRAY_MAX_LENGTH);

    public EngineConfig {
        if (arrayMaxLength < 1 || arrayMaxLength > MAX_ARRAY_MAX_LENGTH)
            throw new IllegalArgumentException("arrayMaxLength must be 1.." + MAX_ARRAY_MAX_LENGTH + ", was " + arrayMaxLength);
    }
}
