package dev.kiln.server.http;

/**
 * An error the client caused or can act on, turned into {@code status} and {@code {"message": ...}} in one
 * place. Handlers added through {@link ApiServer.Builder#extraRoutes} may throw these too. {@code reason}
 * adds detail where the message must stay Braze's exact text (e.g. "Access Denied").
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String reason;

    public ApiException(int status, String message) { this(status, message, null); }

    public ApiException(int status, String message, String reason) {
        super(message, null, false, false); // expected outcomes: a stack trace would only cost time
        if (status < 400 || status > 599) throw new IllegalArgumentException("status must be 4xx or 5xx: " + status);
        this.status = status;
        this.reason = reason;
    }

    public int status() { return status; }

    /** Extra detail, or null. */
    public String reason() { return reason; }

    public static final class BadRequest extends ApiException {
        public BadRequest(String message) { super(400, message); }
        public BadRequest(String message, String reason) { super(400, message, reason); }
    }

    public static final class Unauthorized extends ApiException {
        public Unauthorized(String message) { super(401, message); }
    }

    public static final class Forbidden extends ApiException {
        public Forbidden(String reason) { super(403, "Access Denied", reason); }
    }

    public static final class NotFound extends ApiException {
        public NotFound(String message) { super(404, message); }
    }

    public static final class PayloadTooLarge extends ApiException {
        public PayloadTooLarge(String message) { super(413, message); }
    }

    public static final class UnsupportedMediaType extends ApiException {
        public UnsupportedMediaType(String message) { super(415, message); }
    }

    /** Over the key's rate limit; {@code retryAfterSeconds} goes out as {@code Retry-After}. */
    public static final class TooManyRequests extends ApiException {
        private final long retryAfterSeconds;
        public TooManyRequests(String message, long retryAfterSeconds) {
            super(429, message);
            this.retryAfterSeconds = retryAfterSeconds;
        }
        public long retryAfterSeconds() { return retryAfterSeconds; }
    }

    /** Nothing was applied and trying again later may work (draining, a failed commit). */
    public static final class Unavailable extends ApiException {
        public Unavailable(String message) { super(503, message); }
    }
}
