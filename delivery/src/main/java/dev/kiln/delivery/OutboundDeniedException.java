package dev.kiln.delivery;

/** The {@link OutboundPolicy} refuses a destination. Not retryable: the message fails (or, in connected content, aborts). */
public final class OutboundDeniedException extends DeliveryException {
    private static final long serialVersionUID = 1L;

    private final String host;

    public OutboundDeniedException(String host, String message) {
        super(message, false);
        this.host = host;
    }

    public String host() { return host; }
}
