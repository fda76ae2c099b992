package dev.kiln.server.http;

import dev.kiln.definitions.Problem;
import dev.kiln.runtime.CanvasRegistry;
import dev.kiln.runtime.KilnRuntime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /canvases}: list, read, create or replace ({@code PUT}, a new version when the definition
 * changed), launch, stop and statistics. The registry owns the lifecycle; this class only translates.
 */
final class CanvasEndpoints {
    private final CanvasRegistry registry;
    private final KilnRuntime runtime;

    CanvasEndpoints(CanvasRegistry registry, KilnRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    Reply list() {
        List<Map<String, Object>> all = registry.all().stream().map(CanvasView::summary).toList();
        return success(200, Map.of("canvases", all));
    }

    Reply one(String id) {
        return success(200, CanvasView.detail(entry(id)));
    }

    /** 201 when the Canvas is new, 200 when it replaced (or matched) one; 400 listing every problem. */
    Reply put(String id, CanvasDocument document) {
        boolean existed = registry.get(id).isPresent();
        CanvasRegistry.Entry e;
        try {
            e = registry.put(id, document.text(), document.json());
        } catch (CanvasRegistry.InvalidCanvasException ex) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("message", "invalid canvas");
            out.put("errors", ex.problems().stream().map(Problem::toString).toList());
            return new Reply(400, out);
        }
        return success(existed ? 200 : 201, CanvasView.summary(e));
    }

    Reply launch(String id) {
        try {
            return success(200, CanvasView.summary(registry.launch(id)));
        } catch (CanvasRegistry.NoSuchCanvasException ex) {
            throw notFound(id);
        }
    }

    Reply stop(String id) {
        try {
            return success(200, CanvasView.summary(registry.stop(id)));
        } catch (CanvasRegistry.NoSuchCanvasException ex) {
            throw notFound(id);
        }
    }

    Reply stats(String id) {
        entry(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("canvas_id", id);
        out.putAll(CanvasView.stats(runtime.canvasStats(id)));
        return success(200, out);
    }

    private CanvasRegistry.Entry entry(String id) {
        return registry.get(id).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return new ApiException.NotFound("No Canvas with id " + Check.quote(id));
    }

    private static Reply success(int status, Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>(body);
        out.put("message", "success");
        return new Reply(status, out);
    }
}
