package dev.kiln.server.http;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Input;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.runtime.CampaignRegistry;
import dev.kiln.runtime.DefinitionRegistry;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.store.MessageLogQuery;
import dev.kiln.store.MessageLogRow;
import io.helidon.webserver.http.HttpRouting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.kiln.server.http.CanvasRoutes.handler;
import static dev.kiln.server.http.CanvasRoutes.param;

/**
 * The campaign endpoints and the message log. Scopes:
 * <ul>
 *   <li>{@code GET /campaigns}, {@code GET /campaigns/{id}}: {@code canvases.read} (definitions are read with one scope)</li>
 *   <li>{@code PUT /campaigns/{id}}, {@code POST /campaigns/{id}/launch}, {@code /stop}: {@code definitions.write}</li>
 *   <li>{@code POST /campaigns/trigger/send}: {@code campaigns.trigger}</li>
 *   <li>{@code POST /campaigns/{id}/preview}: {@code canvases.read} (renders for one user; sends nothing)</li>
 *   <li>{@code GET /messages/log?user=&campaign=&canvas=&status=&before=&limit=}: {@code messages.read}</li>
 * </ul>
 */
public final class CampaignRoutes {
    private CampaignRoutes() {}

    /** The most log rows one request returns, and the default. */
    static final int MAX_LOG_LIMIT = 1000;
    static final int DEFAULT_LOG_LIMIT = 100;

    public static void register(HttpRouting.Builder routing, CampaignRegistry registry, KilnRuntime runtime,
                                dev.kiln.delivery.Connections connections, dev.kiln.delivery.OutboundPolicy policy) {
        CampaignPreview preview = new CampaignPreview(registry, runtime, connections, policy);
        JsonIo json = new JsonIo(ApiServer.Builder.DEFAULT_MAX_BODY_BYTES);
        Errors errors = new Errors(json);
        LifecycleEndpoints<Campaign> campaigns = new LifecycleEndpoints<>(registry, "campaign", "campaigns",
                CampaignRoutes::summary, CampaignRoutes::detail);
        TriggerSendEndpoint trigger = new TriggerSendEndpoint(new TriggerSendEndpoint.Target("/campaigns/trigger/send",
                "campaign_id", "trigger_properties", id -> checkCampaign(registry, id),
                (inputId, source, id, props) -> new Input.TriggerCampaign(inputId, source, id, props)),
                new Submitter(Profiles.of(runtime), ApiServer.Builder.DEFAULT_COMMIT_TIMEOUT));
        routing.get("/campaigns", handler(json, errors, Scopes.CANVASES_READ, (req, rid) -> campaigns.list()))
                .post("/campaigns/trigger/send", handler(json, errors, Scopes.CAMPAIGNS_TRIGGER,
                        (req, rid) -> trigger.handle(json.readBody(req), rid)))
                .get("/campaigns/{id}", handler(json, errors, Scopes.CANVASES_READ, (req, rid) -> campaigns.one(param(req, "id"))))
                .put("/campaigns/{id}", handler(json, errors, Scopes.DEFINITIONS_WRITE,
                        (req, rid) -> campaigns.put(param(req, "id"), CanvasDocument.read(req))))
                .post("/campaigns/{id}/launch", handler(json, errors, Scopes.DEFINITIONS_WRITE, (req, rid) -> campaigns.launch(param(req, "id"))))
                .post("/campaigns/{id}/stop", handler(json, errors, Scopes.DEFINITIONS_WRITE, (req, rid) -> campaigns.stop(param(req, "id"))))
                .post("/campaigns/{id}/preview", handler(json, errors, Scopes.CANVASES_READ,
                        (req, rid) -> preview.handle(param(req, "id"), json.readBody(req))))
                .get("/messages/log", handler(json, errors, Scopes.MESSAGES_READ, (req, rid) -> log(runtime, req.query())));
    }

    private static void checkCampaign(CampaignRegistry registry, String id) {
        Campaign c = registry.get(id)
                .orElseThrow(() -> new ApiException.NotFound("No campaign with id " + Check.quote(id)))
                .definition();
        if (!c.apiTriggered())
            throw new ApiException.BadRequest("campaign " + Check.quote(id) + " is not API-triggered",
                    "set delivery.type: api_triggered to let POST /campaigns/trigger/send send it");
        if (!c.active())
            throw new ApiException.BadRequest("campaign " + Check.quote(id) + " is " + c.status().name().toLowerCase(Locale.ROOT)
                    + ", not active", "launch it first: POST /campaigns/" + id + "/launch");
    }

    static Map<String, Object> summary(DefinitionRegistry.Entry<Campaign> e) {
        Campaign c = e.definition();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("name", c.name());
        out.put("tags", c.tags());
        out.put("channel", "webhook");
        out.put("version", c.version());
        out.put("status", c.status().name().toLowerCase(Locale.ROOT));
        out.put("delivery", c.schedule() != null ? "scheduled" : c.apiTriggered() ? "api_triggered" : "action_based");
        out.put("origin", e.origin());
        out.put("updated_at", BrazeTime.format(e.updatedAt()));
        return out;
    }

    /** The summary plus the webhook's method and URL template, and the source document as stored. */
    static Map<String, Object> detail(DefinitionRegistry.Entry<Campaign> e) {
        Campaign c = e.definition();
        Map<String, Object> out = summary(e);
        out.put("triggers", c.triggers().stream().map(CanvasView::trigger).toList());
        out.put("segments", c.segmentIds());
        Map<String, Object> re = new LinkedHashMap<>();
        re.put("allowed", c.reeligibility().allowed());
        re.put("after_seconds", c.reeligibility().afterMillis() / 1000);
        out.put("reeligibility", re);
        if (c.perMinute() != null) out.put("rate_limit_per_minute", c.perMinute());
        out.put("method", c.webhook().method());
        out.put("url", c.webhook().url());
        out.put("header_names", List.copyOf(c.webhook().headers().keySet()));
        out.put("format", e.format());
        out.put("document", e.document());
        return out;
    }

    /** {@code GET /messages/log}: newest first; {@code user} is an external id. */
    private static Reply log(KilnRuntime runtime, io.helidon.common.uri.UriQuery query) {
        String user = query.first("user").orElse(null);
        String userId = null;
        if (user != null) {
            userId = runtime.find(new Identifier.ExternalId(user)).map(dev.kiln.engine.UserState::userId).orElse(null);
            if (userId == null) return LifecycleEndpoints.success(200, Map.of("messages", List.of()));
        }
        String status = query.first("status").orElse(null);
        if (status != null && !List.of("sent", "aborted", "failed", "retry").contains(status))
            throw new ApiException.BadRequest("status must be one of sent, aborted, failed, retry; was " + Check.quote(status));
        int limit = intParam(query, "limit", DEFAULT_LOG_LIMIT);
        if (limit < 1 || limit > MAX_LOG_LIMIT) throw new ApiException.BadRequest("limit must be 1.." + MAX_LOG_LIMIT + ", was " + limit);
        long before = query.first("before").map(v -> parseLong(v, "before")).orElse(Long.MAX_VALUE);
        List<MessageLogRow> rows = runtime.store().messageLog(new MessageLogQuery(userId, query.first("campaign").orElse(null),
                query.first("canvas").orElse(null), status, before, limit));
        List<Map<String, Object>> out = rows.stream().map(CampaignRoutes::row).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("messages", out);
        if (rows.size() == limit) body.put("next_before", rows.get(rows.size() - 1).seq());
        return LifecycleEndpoints.success(200, body);
    }

    private static Map<String, Object> row(MessageLogRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", r.seq());
        m.put("time", BrazeTime.format(r.time()));
        m.put("dispatch_id", r.messageId());
        m.put("external_id", r.externalId());
        if (r.campaignId() != null) m.put("campaign_id", r.campaignId());
        if (r.canvasId() != null) {
            m.put("canvas_id", r.canvasId());
            m.put("canvas_step_id", r.stepId());
        }
        m.put("method", r.method());
        m.put("url", r.url());
        m.put("status_code", r.statusCode());
        m.put("attempt", r.attempt());
        m.put("outcome", r.outcome());
        if (r.detail() != null) m.put(r.outcome().equals("aborted") ? "abort_reason" : "error", r.detail());
        if (r.excerpt() != null) m.put("response_excerpt", r.excerpt());
        return m;
    }

    private static int intParam(io.helidon.common.uri.UriQuery q, String name, int dflt) {
        return q.first(name).map(v -> (int) parseLong(v, name)).orElse(dflt);
    }

    private static long parseLong(String v, String name) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ApiException.BadRequest(name + " must be an integer, was " + Check.quote(v));
        }
    }
}
