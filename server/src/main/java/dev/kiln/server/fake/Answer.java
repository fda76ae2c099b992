package dev.kiln.server.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the fake answers: a status and a JSON body (null for none). Salesforce's REST errors are a JSON array of
 * {@code {message, errorCode}}; its OAuth errors are {@code {error, error_description}}. The constant answers are
 * built once, so the common paths allocate nothing to answer.
 */
record Answer(int status, byte[] json) {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static final Answer NO_CONTENT = new Answer(204, null);
    static final Answer INVALID_SESSION = restError(401, "INVALID_SESSION_ID", "Session expired or invalid");
    static final Answer NOT_FOUND = restError(404, "NOT_FOUND", "The requested resource does not exist");
    static final Answer UNAVAILABLE = restError(503, "SERVER_UNAVAILABLE",
            "Salesforce is unavailable (the fake was told to answer 503)");
    static final Answer OAUTH_UNAVAILABLE = oauthError(503, "temporarily_unavailable",
            "Salesforce is unavailable (the fake was told to answer 503)");
    static final Answer INVALID_CLIENT = oauthError(400, "invalid_client", "invalid client credentials");
    static final Answer UNSUPPORTED_GRANT = oauthError(400, "unsupported_grant_type",
            "grant type not supported: the fake accepts grant_type=client_credentials");

    boolean isUnavailable() {
        return status == 503;
    }

    /** A REST API error in Salesforce's shape: {@code [{"message": …, "errorCode": …}]}. */
    static Answer restError(int status, String errorCode, String message) {
        return json(status, List.of(ordered("message", message, "errorCode", errorCode)));
    }

    static Answer oauthError(int status, String error, String description) {
        return json(status, ordered("error", error, "error_description", description));
    }

    private static Map<String, String> ordered(String k1, String v1, String k2, String v2) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    static Answer json(int status, Object body) {
        try {
            return new Answer(status, MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable: " + body.getClass(), e);
        }
    }

    String text() {
        return json == null ? "" : new String(json, StandardCharsets.UTF_8);
    }
}
