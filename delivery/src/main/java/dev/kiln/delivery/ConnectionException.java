package dev.kiln.delivery;

/**
 * A connection could not give credentials: unknown id, wrong type, or its token endpoint failed (then
 * the message carries the status and the OAuth {@code error}/{@code error_description}, masked).
 * Retryable for network errors, timeouts, 408, 429 and 5xx from the token endpoint.
 */
public final class ConnectionException extends DeliveryException {
    private static final long serialVersionUID = 1L;

    private final String connectionId;
    private final Integer status;

    public ConnectionException(String connectionId, Integer status, String message, boolean retryable, Throwable cause) {
        super(message, retryable, cause);
        this.connectionId = connectionId;
        this.status = status;
    }

    public String connectionId() { return connectionId; }

    /** The token endpoint's HTTP status, or null (no answer, or not an HTTP failure). */
    public Integer status() { return status; }
}
