package dev.kiln.liquid;

/**
 * Thrown by a {@link ConnectedContent} adapter. {@code transientFailure} (timeout, network error) lets a
 * {@code :retry} tag ask for a retry; a non-transient refusal (unknown {@code :basic_auth} credential, a host the
 * outbound policy denies, no adapter at all) aborts the message, as Braze aborts when a credential is deleted.
 * Messages must not contain secrets: they end up in the message log.
 */
public final class ConnectedContentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    public ConnectedContentException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    public ConnectedContentException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public boolean transientFailure() { return transientFailure; }
}
