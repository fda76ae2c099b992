package dev.kiln.liquid;

/** Unwinds a render that called {@code abort_message}; becomes {@link RenderResult.Aborted}. */
final class AbortSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String reason;

    AbortSignal(String reason) {
        super(reason, null, false, false);
        this.reason = reason;
    }
}
