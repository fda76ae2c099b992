package dev.kiln.liquid;

/** What one render produced: the text, or Braze's {@code abort_message} (nothing is sent). */
public sealed interface RenderResult {

    /** The rendered text, exactly as the template produced it (not trimmed). */
    record Rendered(String output) implements RenderResult {
        public Rendered {
            java.util.Objects.requireNonNull(output, "output");
        }
    }

    /**
     * The template called {@code abort_message}, or connected content failed in a way Braze treats as an abort.
     * {@code reason} is {@code ""} when none was given ({@code abort_message()}); null is accepted and stored as "".
     */
    record Aborted(String reason) implements RenderResult {
        public Aborted {
            reason = reason == null ? "" : reason;
        }

        public boolean hasReason() {
            return !reason.isEmpty();
        }
    }
}
