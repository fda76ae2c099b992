package dev.kiln.server.http;

import dev.kiln.server.currents.Currents;
import io.helidon.webserver.http.HttpRouting;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.kiln.server.http.CanvasRoutes.handler;

/** {@code GET /currents}: each Currents connector with its cursor, lag and last error. Scope {@code currents.read}. */
public final class CurrentsRoutes {
    private CurrentsRoutes() {}

    public static void register(HttpRouting.Builder routing, Currents currents) {
        JsonIo json = new JsonIo(ApiServer.Builder.DEFAULT_MAX_BODY_BYTES);
        Errors errors = new Errors(json);
        routing.get("/currents", handler(json, errors, Scopes.CURRENTS_READ, (req, rid) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connectors", currents.status());
            out.put("message", "success");
            return new Reply(200, out);
        }));
    }
}
