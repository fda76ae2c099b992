package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.delivery.Connections;
import dev.kiln.delivery.HttpConnectedContent;
import dev.kiln.delivery.OutboundPolicy;
import dev.kiln.delivery.Preview;
import dev.kiln.engine.UserState;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.runtime.CampaignRegistry;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Snapshots;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /campaigns/{id}/preview} — Braze's "test" tab: renders the campaign's webhook for one user
 * and returns the request it would send (headers masked) or the abort reason, sending nothing.
 * <pre>
 * {"external_id": "lead-1"}                                        a stored profile, or
 * {"user": {"external_id": "x", "first_name": "Ana", "email": "…", "custom_attributes": {"lead score": 120}}}
 * "event_properties": {…}, "canvas_entry_properties": {…}          optional
 * "connected_content": {"https://…/token": {"access_token": "t"}}  optional stubs by URL; other URLs are called
 * </pre>
 */
final class CampaignPreview {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("external_id", "user", "event_properties", "canvas_entry_properties",
            "connected_content");
    private static final Set<String> USER_FIELDS = Set.of("external_id", "first_name", "last_name", "email", "phone", "country",
            "language", "time_zone", "custom_attributes");

    private final CampaignRegistry registry;
    private final KilnRuntime runtime;
    private final Connections connections;
    private final OutboundPolicy policy;

    CampaignPreview(CampaignRegistry registry, KilnRuntime runtime, Connections connections, OutboundPolicy policy) {
        this.registry = registry;
        this.runtime = runtime;
        this.connections = connections;
        this.policy = policy;
    }

    Reply handle(String id, JsonNode body) {
        Campaign c = registry.get(id).orElseThrow(() -> new ApiException.NotFound("No campaign with id " + Check.quote(id))).definition();
        Body.object(body, "/campaigns/" + id + "/preview", FIELDS);
        boolean byId = Body.present(body, "external_id"), inline = Body.present(body, "user");
        if (byId == inline) throw new ApiException.BadRequest("give exactly one of external_id (a stored profile) and user (an inline profile)");
        long now = runtime.clock().millis();
        UserState user;
        if (byId) {
            String externalId = Body.strict(() -> Check.nonEmptyString(body.get("external_id"), "external_id", Invalid.OBJECT));
            user = runtime.find(new Identifier.ExternalId(externalId))
                    .orElseThrow(() -> new ApiException.NotFound("No user with external_id " + Check.quote(externalId)));
        } else {
            user = inlineUser(body.get("user"), now);
        }
        String snapshot = Snapshots.of(user, plain(body.get("event_properties"), "event_properties"),
                plain(body.get("canvas_entry_properties"), "canvas_entry_properties"), now, JSON);
        Map<String, Object> stubs = plain(body.get("connected_content"), "connected_content");
        ConnectedContent live = new HttpConnectedContent(connections, policy, connections.secrets(), runtime.clock());
        ConnectedContent port = request -> {
            if (!stubs.containsKey(request.url())) return live.call(request);
            Object v = stubs.get(request.url());
            try {
                return new ConnectedContent.Response(200, v instanceof String s ? s : JSON.writeValueAsString(v));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        };
        Preview p = Preview.render(c.webhook(), snapshot, port, connections, runtime.clock());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("campaign_id", c.id());
        out.put("version", c.version());
        if (p.failed()) {
            out.put("error", p.error());
        } else if (p.aborted()) {
            out.put("aborted", true);
            out.put("abort_reason", p.abortReason());
        } else {
            out.put("aborted", false);
            out.put("method", p.method());
            out.put("url", p.url());
            out.put("headers", p.headers());
            out.put("body", p.body());
        }
        return LifecycleEndpoints.success(200, out);
    }

    private static UserState inlineUser(JsonNode u, long now) {
        if (u == null || !u.isObject()) throw new ApiException.BadRequest("user must be an object, was " + Check.describe(u));
        for (var it = u.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!USER_FIELDS.contains(f))
                throw new ApiException.BadRequest("user has an unknown field " + Check.quote(f) + "; allowed: " + new java.util.TreeSet<>(USER_FIELDS));
        }
        UserState user = new UserState("preview", now);
        if (u.hasNonNull("external_id")) user.externalId(u.get("external_id").asText());
        for (String f : USER_FIELDS) {
            if (f.equals("external_id") || f.equals("custom_attributes") || !u.hasNonNull(f)) continue;
            user.standard().put(f, new dev.kiln.engine.Value.Str(u.get(f).asText()));
        }
        JsonNode custom = u.get("custom_attributes");
        if (custom != null && !custom.isNull()) {
            if (!custom.isObject()) throw new ApiException.BadRequest("user.custom_attributes must be an object");
            for (var it = custom.fields(); it.hasNext(); ) {
                var e = it.next();
                user.custom().put(e.getKey(), value(e.getValue(), "user.custom_attributes." + e.getKey()));
            }
        }
        return user;
    }

    @SuppressWarnings("unchecked")
    private static dev.kiln.engine.Value value(JsonNode v, String where) {
        if (v.isNumber()) return new dev.kiln.engine.Value.Num(v.asDouble());
        if (v.isBoolean()) return new dev.kiln.engine.Value.Bool(v.asBoolean());
        if (v.isTextual()) return new dev.kiln.engine.Value.Str(v.asText());
        if (v.isArray()) {
            java.util.List<String> items = new java.util.ArrayList<>();
            v.forEach(x -> items.add(x.asText()));
            return new dev.kiln.engine.Value.Arr(items);
        }
        if (v.isObject()) return new dev.kiln.engine.Value.Obj((Map<String, Object>) JSON.convertValue(v, Map.class));
        throw new ApiException.BadRequest(where + " must be a number, string, boolean, array or object");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> plain(JsonNode v, String where) {
        if (v == null || v.isNull()) return Map.of();
        if (!v.isObject()) throw new ApiException.BadRequest(where + " must be an object, was " + Check.describe(v));
        return (Map<String, Object>) JSON.convertValue(v, Map.class);
    }
}
