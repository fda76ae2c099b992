package dev.kiln.server.fake;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code POST /services/oauth2/token}, the OAuth 2.0 client credentials flow: a form with
 * {@code grant_type=client_credentials}, {@code client_id} and {@code client_secret} (or the two in a Basic
 * {@code Authorization} header) answers Salesforce's token response. The secret is compared, never logged.
 */
final class TokenEndpoint {
    private static final Pattern SECRET_FIELD = Pattern.compile("(^|&)client_secret=[^&]*");

    private final Settings settings;
    private final Tokens tokens;
    private final Clock clock;

    TokenEndpoint(Settings settings, Tokens tokens, Clock clock) {
        this.settings = settings;
        this.tokens = tokens;
        this.clock = clock;
    }

    Answer answer(ServerRequest req, String body) {
        if (settings.unavailable) return Answer.OAUTH_UNAVAILABLE;
        Map<String, String> form = form(body);
        if (!"client_credentials".equals(form.get("grant_type"))) return Answer.UNSUPPORTED_GRANT;
        String id = form.get("client_id"), secret = form.get("client_secret");
        String basic = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String pair = decodeBasic(basic.substring(6).strip());
            int colon = pair == null ? -1 : pair.indexOf(':');
            if (colon < 0) return Answer.INVALID_CLIENT;
            id = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
            secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
        }
        if (!settings.clientId.equals(id) || !sameSecret(secret)) return Answer.INVALID_CLIENT;

        String issuedAt = Long.toString(clock.millis());
        String instanceUrl = settings.instanceUrl;
        String identity = instanceUrl + "/id/" + Tokens.ORG_ID + "/" + Tokens.USER_ID;
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", tokens.issue());
        response.put("signature", Tokens.signature(settings.clientSecret, identity, issuedAt));
        response.put("scope", "api");
        response.put("instance_url", instanceUrl);
        response.put("id", identity);
        response.put("token_type", "Bearer");
        response.put("issued_at", issuedAt);
        return Answer.json(200, response);
    }

    private boolean sameSecret(String secret) {
        return secret != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                settings.clientSecret.getBytes(StandardCharsets.UTF_8));
    }

    /** The body as recorded: the client secret replaced by {@link Recorded#REDACTED}. */
    static String redact(String body) {
        return body.contains("client_secret=")
                ? SECRET_FIELD.matcher(body).replaceAll("$1client_secret=" + Recorded.REDACTED.replace("$", "\\$"))
                : body;
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.strip().split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                form.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformedEscape) {
                form.putIfAbsent(name, value);
            }
        }
        return form;
    }

    private static String decodeBasic(String encoded) {
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
