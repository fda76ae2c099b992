package dev.kiln.server.http;

import dev.kiln.runtime.CommitFailedException;
import dev.kiln.runtime.DrainingException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where failures become HTTP: status plus {@code {"message": ...}}. Unexpected failures are
 * logged with their stack trace and method + path only (never a body or a header, which may hold a key).
 */
final class Errors {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);

    private final JsonIo json;

    Errors(JsonIo json) { this.json = json; }

    /** Maps any failure to the API's view of it. */
    static ApiException toApi(Throwable t) {
        Throwable c = unwrap(t);
        return switch (c) {
            case ApiException a -> a;
            case DrainingException d -> new ApiException.Unavailable("Kiln is shutting down; nothing was applied, retry later");
            case CommitFailedException f -> new ApiException.Unavailable("The store could not commit this request; nothing was applied, retry");
            default -> null;
        };
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t;
    }

    void write(ServerRequest req, ServerResponse res, Throwable t) {
        ApiException api = toApi(t);
        if (api == null) {
            log.error("internal error on {} {}", req.prologue().method().text(), req.path().path(), t);
            api = new ApiException(500, "internal error");
        }
        if (res.isSent()) return;
        if (api instanceof ApiException.TooManyRequests r)
            res.header(HeaderNames.RETRY_AFTER, Long.toString(r.retryAfterSeconds()));
        if (api.status() == 503) res.header(HeaderNames.RETRY_AFTER, "1");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", api.getMessage());
        if (api.reason() != null) body.put("reason", api.reason());
        json.send(res, api.status(), body);
    }
}
