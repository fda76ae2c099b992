package dev.kiln.liquid;

/**
 * A render failed: a limit was exceeded, a value could not be compared, or connected content failed.
 * {@link #retryable()} is true only for a connected-content call marked {@code :retry} that failed transiently
 * (5xx, 408, 429, timeout, network): the caller renders again later and, on its last attempt, sets
 * {@link RenderContext.Builder#lastAttempt(boolean)} so the failure becomes an {@link RenderResult.Aborted} as in Braze.
 */
public final class RenderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String templateName;
    private final boolean retryable;

    RenderException(String templateName, String message, boolean retryable, Throwable cause) {
        super(templateName + ": " + message, cause);
        this.templateName = templateName;
        this.retryable = retryable;
    }

    public String templateName() { return templateName; }

    public boolean retryable() { return retryable; }
}
