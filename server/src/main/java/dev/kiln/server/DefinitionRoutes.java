package dev.kiln.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.definitions.Problem;
import dev.kiln.engine.filter.Segment;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Auth;
import dev.kiln.server.http.Scopes;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Segments and definitions endpoints: {@code GET /segments[/{id}[/count]]}, {@code POST /definitions/reload}. */
final class DefinitionRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DefinitionRoutes() {}

    static void register(HttpRouting.Builder routing, Definitions definitions, KilnRuntime runtime) {
        routing.get("/segments", (req, res) -> {
            if (Auth.require(req, res, Scopes.SEGMENTS_READ).isEmpty()) return;
            List<Map<String, Object>> list = definitions.current().segments().values().stream()
                    .map(s -> Map.<String, Object>of("id", s.id(), "name", s.name())).toList();
            send(res, 200, Map.of("segments", list, "message", "success"));
        });
        routing.get("/segments/{id}", (req, res) -> {
            if (Auth.require(req, res, Scopes.SEGMENTS_READ).isEmpty()) return;
            Segment s = segment(definitions, req);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", s.id());
            body.put("name", s.name());
            body.put("filter", s.filter().toString());
            body.put("message", "success");
            send(res, 200, body);
        });
        routing.get("/segments/{id}/count", (req, res) -> {
            if (Auth.require(req, res, Scopes.SEGMENTS_READ).isEmpty()) return;
            Segment s = segment(definitions, req);
            long now = runtime.clock().millis();
            LongAdder n = new LongAdder();
            LongAdder scanned = new LongAdder();
            runtime.scan(u -> {
                scanned.increment();
                if (s.includes(u, now)) n.increment();
            });
            send(res, 200, Map.of("id", s.id(), "count", n.sum(), "scanned", scanned.sum(), "message", "success"));
        });
        routing.post("/definitions/reload", (req, res) -> {
            if (Auth.require(req, res, Scopes.DEFINITIONS_WRITE).isEmpty()) return;
            List<Problem> problems = definitions.reload();
            if (problems.isEmpty()) {
                send(res, 200, Map.of("message", "success", "segments", definitions.current().segments().size()));
            } else {
                send(res, 400, Map.of("message", "invalid definitions; the previous set stays active",
                        "errors", problems.stream().map(Problem::toString).toList()));
            }
        });
    }

    private static Segment segment(Definitions definitions, ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        return definitions.current().segment(id)
                .orElseThrow(() -> new ApiException(404, "no segment with id '" + id + "'"));
    }

    private static void send(ServerResponse res, int status, Object body) throws Exception {
        res.status(Status.create(status));
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(JSON.writeValueAsBytes(body));
    }
}
