package dev.kiln.server.http;

import dev.kiln.definitions.Problem;
import dev.kiln.runtime.DefinitionRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /canvases} and {@code /campaigns}: list, read, create or replace ({@code PUT}, a new version
 * when the definition changed), launch and stop. The registry owns the lifecycle; this class only
 * translates.
 *
 * @param <T> Canvas or Campaign
 */
final class LifecycleEndpoints<T> {
    private final DefinitionRegistry<T> registry;
    private final String noun;
    private final String listKey;
    private final Function<DefinitionRegistry.Entry<T>, Map<String, Object>> summary;
    private final Function<DefinitionRegistry.Entry<T>, Map<String, Object>> detail;

    /**
     * @param noun    "Canvas", "campaign" (messages)
     * @param listKey the list's key in {@code GET /<folder>}: "canvases", "campaigns"
     */
    LifecycleEndpoints(DefinitionRegistry<T> registry, String noun, String listKey,
                       Function<DefinitionRegistry.Entry<T>, Map<String, Object>> summary,
                       Function<DefinitionRegistry.Entry<T>, Map<String, Object>> detail) {
        this.registry = registry;
        this.noun = noun;
        this.listKey = listKey;
        this.summary = summary;
        this.detail = detail;
    }

    Reply list() {
        List<Map<String, Object>> all = registry.all().stream().map(summary).toList();
        return success(200, Map.of(listKey, all));
    }

    Reply one(String id) {
        return success(200, detail.apply(entry(id)));
    }

    /** 201 when new, 200 when it replaced (or matched) one; 400 listing every problem. */
    Reply put(String id, CanvasDocument document) {
        boolean existed = registry.get(id).isPresent();
        DefinitionRegistry.Entry<T> e;
        try {
            e = registry.put(id, document.text(), document.json());
        } catch (DefinitionRegistry.InvalidDefinitionException ex) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("message", "invalid " + noun.toLowerCase(java.util.Locale.ROOT));
            out.put("errors", ex.problems().stream().map(Problem::toString).toList());
            return new Reply(400, out);
        }
        return success(existed ? 200 : 201, summary.apply(e));
    }

    Reply launch(String id) {
        try {
            return success(200, summary.apply(registry.launch(id)));
        } catch (DefinitionRegistry.NoSuchDefinitionException ex) {
            throw notFound(id);
        }
    }

    Reply stop(String id) {
        try {
            return success(200, summary.apply(registry.stop(id)));
        } catch (DefinitionRegistry.NoSuchDefinitionException ex) {
            throw notFound(id);
        }
    }

    DefinitionRegistry.Entry<T> entry(String id) {
        return registry.get(id).orElseThrow(() -> notFound(id));
    }

    private ApiException notFound(String id) {
        return new ApiException.NotFound("No " + noun + " with id " + Check.quote(id));
    }

    static Reply success(int status, Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>(body);
        out.put("message", "success");
        return new Reply(status, out);
    }
}
