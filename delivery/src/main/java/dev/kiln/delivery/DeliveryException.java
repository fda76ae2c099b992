package dev.kiln.delivery;

/**
 * The root of delivery's errors. {@link #retryable()} says whether trying again later may succeed (a
 * network error, a 5xx from a token endpoint) or not (a missing secret, a refused host). Messages never
 * contain a secret value: they reach the message log and the event log.
 */
public class DeliveryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public DeliveryException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public DeliveryException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() { return retryable; }
}
