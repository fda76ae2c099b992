package dev.kiln.server.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.media.type.MediaType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code PATCH /services/data/vNN.N/sobjects/Lead/{id}}: updates a lead, answering as Salesforce does. Checks in
 * this order: told to be unavailable (503), the bearer token (401 {@code INVALID_SESSION_ID}), a known lead id
 * (404 {@code NOT_FOUND}), a JSON content type when one is given (415), a JSON object body (400
 * {@code JSON_PARSER_ERROR}); then 204. The fields are not checked: any JSON object is accepted.
 */
final class LeadEndpoint {
    private static final Pattern VERSION = Pattern.compile("v\\d{2,3}\\.\\d");
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Settings settings;
    private final Tokens tokens;

    LeadEndpoint(Settings settings, Tokens tokens) {
        this.settings = settings;
        this.tokens = tokens;
    }

    Answer answer(ServerRequest req, byte[] body) {
        if (settings.unavailable || settings.take503()) return Answer.UNAVAILABLE;
        if (!tokens.current(bearer(req))) return Answer.INVALID_SESSION;
        if (!VERSION.matcher(req.path().pathParameters().get("version")).matches()) return Answer.NOT_FOUND;
        if (!settings.knows(req.path().pathParameters().get("id"))) return Answer.NOT_FOUND;
        Optional<String> unsupported = unsupportedType(req);
        if (unsupported.isPresent()) {
            return Answer.restError(415, "UNSUPPORTED_MEDIA_TYPE",
                    "Content-Type header specified in HTTP request is not supported: " + unsupported.get());
        }
        String problem = notAnObject(body);
        return problem == null ? Answer.NO_CONTENT : Answer.restError(400, "JSON_PARSER_ERROR", problem);
    }

    /** Salesforce takes {@code Bearer} and its older {@code OAuth} scheme. */
    static String bearer(ServerRequest req) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (auth == null) return null;
        for (String scheme : new String[]{"Bearer ", "OAuth "}) {
            if (auth.regionMatches(true, 0, scheme, 0, scheme.length())) return auth.substring(scheme.length()).strip();
        }
        return null;
    }

    private static Optional<String> unsupportedType(ServerRequest req) {
        if (!req.headers().contains(HeaderNames.CONTENT_TYPE)) return Optional.empty();
        try {
            Optional<HttpMediaType> type = req.headers().contentType();
            if (type.isEmpty()) return Optional.empty();
            MediaType t = type.get().mediaType();
            boolean json = t.type().equals("application") && (t.subtype().equals("json") || t.subtype().endsWith("+json"));
            return json ? Optional.empty() : Optional.of(t.text());
        } catch (RuntimeException malformed) {
            return Optional.of(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(""));
        }
    }

    /** Null when the body is one JSON object, else what is wrong with it, worded like Salesforce's parser. */
    static String notAnObject(byte[] body) {
        if (body.length == 0) return "The HTTP entity body is required, but this request has no entity body.";
        try {
            JsonNode node = STRICT.readTree(body);
            if (node == null || node.isMissingNode()) return "The HTTP entity body is required, but this request has no entity body.";
            if (!node.isObject()) {
                return "Cannot deserialize instance of Lead from " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + ": the body must be a JSON object of Lead fields";
            }
            return null;
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage() + (e.getLocation() == null ? ""
                    : " at [line:" + e.getLocation().getLineNr() + ", column:" + e.getLocation().getColumnNr() + "]");
        } catch (IOException e) {
            return "could not read the body: " + e.getMessage();
        }
    }
}
