package dev.kiln.server.http;

import dev.kiln.definitions.CdiIntegration;
import dev.kiln.engine.BrazeTime;
import dev.kiln.server.cdi.CdiRun;
import dev.kiln.server.cdi.CdiService;
import io.helidon.webserver.http.HttpRouting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.kiln.server.http.CanvasRoutes.handler;
import static dev.kiln.server.http.CanvasRoutes.param;

/**
 * Cloud Data Ingestion endpoints, shaped like Braze's:
 * <ul>
 *   <li>{@code GET /cdi/integrations}: {@code cdi.read}</li>
 *   <li>{@code POST /cdi/integrations/{id}/sync}: {@code cdi.sync}; 202 with a job id, 409 while a sync runs</li>
 *   <li>{@code GET /cdi/integrations/{id}/job_sync_status}: {@code cdi.read}; runs newest first</li>
 * </ul>
 */
public final class CdiRoutes {
    private CdiRoutes() {}

    public static void register(HttpRouting.Builder routing, CdiService cdi) {
        JsonIo json = new JsonIo(ApiServer.Builder.DEFAULT_MAX_BODY_BYTES);
        Errors errors = new Errors(json);
        routing.get("/cdi/integrations", handler(json, errors, Scopes.CDI_READ, (req, rid) -> list(cdi)))
                .post("/cdi/integrations/{id}/sync", handler(json, errors, Scopes.CDI_SYNC, (req, rid) -> sync(cdi, param(req, "id"))))
                .get("/cdi/integrations/{id}/job_sync_status", handler(json, errors, Scopes.CDI_READ,
                        (req, rid) -> status(cdi, param(req, "id"))));
    }

    private static CdiIntegration integration(CdiService cdi, String id) {
        return cdi.integration(id).orElseThrow(() -> new ApiException.NotFound("No CDI integration with id " + Check.quote(id)));
    }

    private static Reply list(CdiService cdi) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CdiIntegration c : cdi.integrations().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("integration_id", c.id());
            m.put("integration_name", c.name());
            m.put("integration_type", c.type().word());
            m.put("integration_status", "active");
            m.put("warehouse_type", warehouse(c.jdbcUrl()));
            m.put("schedule", c.manual() ? "manual" : "every " + c.everyMillis() / 1000 + "s");
            List<CdiRun> runs = cdi.runs(c.id());
            CdiRun last = runs.isEmpty() ? null : runs.get(0);
            m.put("last_job_start_time", last == null ? null : BrazeTime.format(last.startedAt));
            m.put("last_job_status", last == null ? null : status(last));
            Long next = cdi.nextRun(c);
            m.put("next_scheduled_run", next == null ? null : BrazeTime.format(next));
            out.add(m);
        }
        return LifecycleEndpoints.success(200, Map.of("results", out));
    }

    private static String warehouse(String url) {
        String rest = url.substring("jdbc:".length());
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    private static Reply sync(CdiService cdi, String id) {
        integration(cdi, id);
        try {
            CdiRun run = cdi.start(id, "manual");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("job_id", run.jobId);
            return LifecycleEndpoints.success(202, out);
        } catch (CdiService.AlreadyRunning e) {
            throw new ApiException(409, "A sync of CDI integration " + Check.quote(id) + " is already running",
                    "job " + e.jobId + " is running; see GET /cdi/integrations/" + id + "/job_sync_status");
        } catch (IllegalStateException e) {
            throw new ApiException.Unavailable("Kiln is shutting down");
        }
    }

    private static Reply status(CdiService cdi, String id) {
        integration(cdi, id);
        List<Map<String, Object>> out = new ArrayList<>();
        for (CdiRun r : cdi.runs(id)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job_id", r.jobId);
            m.put("job_status", status(r));
            m.put("trigger", r.trigger);
            m.put("sync_start_time", BrazeTime.format(r.startedAt));
            m.put("sync_finish_time", r.endedAt() == 0 ? null : BrazeTime.format(r.endedAt()));
            m.put("last_timestamp_synced", r.lastTimestamp() == Long.MIN_VALUE ? null : BrazeTime.format(r.lastTimestamp()));
            m.put("rows_read", r.read());
            m.put("rows_synced", r.applied());
            m.put("rows_failed_with_errors", r.skipped());
            m.put("rows_already_synced", r.alreadySynced());
            List<Map<String, Object>> reasons = new ArrayList<>();
            for (CdiRun.Reason x : r.reasons()) reasons.add(Map.of("row", x.row(), "reason", x.reason()));
            m.put("first_errors", reasons);
            if (r.error() != null) m.put("error", r.error());
            out.add(m);
        }
        return LifecycleEndpoints.success(200, Map.of("results", out));
    }

    private static String status(CdiRun r) { return r.status().name().toLowerCase(Locale.ROOT); }
}
