package dev.kiln.server.http;

import dev.kiln.runtime.CanvasRegistry;
import dev.kiln.runtime.KilnRuntime;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;

/**
 * The Canvas endpoints and the score ledger, added to an {@link ApiServer} through
 * {@link ApiServer.Builder#extraRoutes}. Scopes:
 * <ul>
 *   <li>{@code GET /canvases}, {@code GET /canvases/{id}}, {@code GET /canvases/{id}/stats}: {@code canvases.read}</li>
 *   <li>{@code PUT /canvases/{id}}, {@code POST /canvases/{id}/launch}, {@code POST /canvases/{id}/stop}: {@code definitions.write}</li>
 *   <li>{@code POST /canvas/trigger/send}: {@code canvas.trigger}</li>
 *   <li>{@code GET /users/{external_id}/attributes/{name}/history}: {@code users.export} (it reads a profile's data)</li>
 * </ul>
 * Errors are {@code {"message": ...}} with the status, as everywhere else in the API.
 */
public final class CanvasRoutes {
    private CanvasRoutes() {}

    /** One request's work once the key is checked: its reply, or an {@link ApiException}. */
    @FunctionalInterface
    interface Endpoint {
        Reply handle(ServerRequest req, String requestId);
    }

    public static void register(HttpRouting.Builder routing, CanvasRegistry registry, KilnRuntime runtime) {
        JsonIo json = new JsonIo(ApiServer.Builder.DEFAULT_MAX_BODY_BYTES);
        Errors errors = new Errors(json);
        LifecycleEndpoints<dev.kiln.engine.canvas.Canvas> canvases = new LifecycleEndpoints<>(registry, "Canvas", "canvases",
                CanvasView::summary, CanvasView::detail);
        TriggerSendEndpoint trigger = new TriggerSendEndpoint(TriggerSendEndpoint.canvases(registry),
                new Submitter(Profiles.of(runtime), ApiServer.Builder.DEFAULT_COMMIT_TIMEOUT));
        LedgerEndpoint ledger = new LedgerEndpoint(runtime);
        routing.get("/canvases", handler(json, errors, Scopes.CANVASES_READ, (req, rid) -> canvases.list()))
                .get("/canvases/{id}", handler(json, errors, Scopes.CANVASES_READ, (req, rid) -> canvases.one(param(req, "id"))))
                .put("/canvases/{id}", handler(json, errors, Scopes.DEFINITIONS_WRITE,
                        (req, rid) -> canvases.put(param(req, "id"), CanvasDocument.read(req))))
                .post("/canvases/{id}/launch", handler(json, errors, Scopes.DEFINITIONS_WRITE, (req, rid) -> canvases.launch(param(req, "id"))))
                .post("/canvases/{id}/stop", handler(json, errors, Scopes.DEFINITIONS_WRITE, (req, rid) -> canvases.stop(param(req, "id"))))
                .get("/canvases/{id}/stats", handler(json, errors, Scopes.CANVASES_READ, (req, rid) -> stats(canvases, runtime, param(req, "id"))))
                .post("/canvas/trigger/send", handler(json, errors, Scopes.CANVAS_TRIGGER,
                        (req, rid) -> trigger.handle(json.readBody(req), rid)))
                .get("/users/{external_id}/attributes/{name}/history", handler(json, errors, Scopes.USERS_EXPORT,
                        (req, rid) -> ledger.handle(param(req, "external_id"), param(req, "name"), req.query())));
    }

    private static Reply stats(LifecycleEndpoints<?> canvases, KilnRuntime runtime, String id) {
        canvases.entry(id);
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("canvas_id", id);
        out.putAll(CanvasView.stats(runtime.canvasStats(id)));
        return LifecycleEndpoints.success(200, out);
    }

    /** Checks the key (401/403/429 first, before the body is read), then answers JSON; every failure goes through {@link Errors}. */
    static Handler handler(JsonIo json, Errors errors, String scope, Endpoint endpoint) {
        return (req, res) -> {
            try {
                Auth auth = req.context().get(Auth.class)
                        .orElseThrow(() -> new IllegalStateException("Canvas routes work only on routes served by an ApiServer"));
                auth.check(req, res, scope);
                String requestId = ApiServer.newRequestId();
                res.header(ApiServer.REQUEST_ID, requestId);
                Reply reply = endpoint.handle(req, requestId);
                json.send(res, reply.status(), reply.body());
            } catch (Exception | StackOverflowError ex) {
                errors.write(req, res, ex);
            }
        };
    }

    /** A path parameter, percent-decoded ({@code lead%20score} is {@code lead score}). */
    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }
}
