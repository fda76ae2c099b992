package dev.kiln.server.fake;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The fake's own endpoints under {@code /_fake/}, for a person with curl: see what arrived, change the behaviour.
 * They are not recorded and never answer 503.
 * <pre>
 * GET    /_fake/requests?limit=100&amp;lead=ID&amp;method=PATCH   the most recent requests, oldest first
 * DELETE /_fake/requests                                   forget them
 * GET    /_fake/config                                     the settings (never the client secret)
 * POST   /_fake/config   {"unavailable": true}             change some; answers the settings
 * </pre>
 */
final class ControlEndpoints {
    static final int DEFAULT_LIMIT = 100;
    /** The keys {@code POST /_fake/config} accepts. */
    static final Set<String> SETTINGS = new LinkedHashSet<>(List.of("unavailable", "fail_with_503", "expire_tokens",
            "accept_any_lead", "known_leads", "unknown_leads", "retry_after_seconds", "instance_url", "clear_requests"));

    private final FakeSalesforce fake;

    ControlEndpoints(FakeSalesforce fake) {
        this.fake = fake;
    }

    Answer requests(ServerRequest req) {
        UriQuery q = req.query();
        int limit;
        try {
            limit = q.contains("limit") ? Integer.parseInt(q.get("limit")) : DEFAULT_LIMIT;
        } catch (NumberFormatException e) {
            return error("limit must be a whole number, was '" + q.get("limit") + "'");
        }
        if (limit < 0) return error("limit must be >= 0, was " + limit);
        String lead = q.contains("lead") ? q.get("lead") : null;
        String method = q.contains("method") ? q.get("method") : null;
        Predicate<Recorded> filter = r -> (lead == null || r.leadId().filter(lead::equals).isPresent())
                && (method == null || r.method().equalsIgnoreCase(method));
        List<Map<String, Object>> shown = new ArrayList<>();
        for (Recorded r : fake.log().recent(limit, filter)) shown.add(r.view());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", fake.log().total());
        body.put("dropped", fake.log().dropped());
        body.put("by_status", fake.log().countsView());
        body.put("tokens_issued", fake.tokensIssued());
        body.put("requests", shown);
        return Answer.json(200, body);
    }

    Answer clear() {
        fake.clearRequests();
        return Answer.json(200, Map.of("cleared", true));
    }

    Answer config() {
        return Answer.json(200, fake.settings().view());
    }

    /** Applies every setting in the object, or none when one is wrong. */
    Answer update(byte[] body) {
        JsonNode doc;
        try {
            doc = Answer.MAPPER.readTree(body);
        } catch (IOException e) {
            return error("the body must be a JSON object such as {\"unavailable\": true}: " + e.getMessage());
        }
        if (doc == null || !doc.isObject()) return error("the body must be a JSON object such as {\"unavailable\": true}");
        List<Runnable> changes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (!SETTINGS.contains(key)) return error("unknown setting '" + key + "'; known: " + SETTINGS);
            Runnable change = switch (key) {
                case "unavailable" -> v.isBoolean() ? () -> fake.unavailable(v.booleanValue()) : null;
                case "accept_any_lead" -> v.isBoolean() ? () -> fake.acceptAnyLead(v.booleanValue()) : null;
                case "expire_tokens" -> v.isBoolean() ? () -> { if (v.booleanValue()) fake.expireTokens(); } : null;
                case "clear_requests" -> v.isBoolean() ? () -> { if (v.booleanValue()) fake.clearRequests(); } : null;
                case "fail_with_503" -> v.canConvertToInt() && v.isIntegralNumber() && v.intValue() >= 0
                        ? () -> fake.failWith503(v.intValue()) : null;
                case "retry_after_seconds" -> v.canConvertToInt() && v.isIntegralNumber() && v.intValue() >= 0
                        ? () -> fake.retryAfterSeconds(v.intValue()) : null;
                case "instance_url" -> v.isTextual() && !v.textValue().isBlank() ? () -> fake.instanceUrl(v.textValue()) : null;
                case "known_leads" -> strings(v) == null ? null : () -> fake.knownLeads(strings(v).toArray(String[]::new));
                case "unknown_leads" -> strings(v) == null ? null : () -> fake.unknownLeads(strings(v).toArray(String[]::new));
                default -> throw new IllegalStateException("setting without a handler: " + key);
            };
            if (change == null) return error("'" + key + "' has the wrong type: " + expected(key) + ", was " + v);
            changes.add(change);
        }
        changes.forEach(Runnable::run);
        return config();
    }

    private static String expected(String key) {
        return switch (key) {
            case "fail_with_503", "retry_after_seconds" -> "expected a whole number >= 0";
            case "known_leads", "unknown_leads" -> "expected an array of lead ids";
            case "instance_url" -> "expected a URL";
            default -> "expected true or false";
        };
    }

    private static List<String> strings(JsonNode v) {
        if (!v.isArray()) return null;
        List<String> out = new ArrayList<>();
        for (JsonNode n : v) {
            if (!n.isTextual()) return null;
            out.add(n.textValue());
        }
        return out;
    }

    private static Answer error(String message) {
        return Answer.json(400, Map.of("error", message));
    }
}
