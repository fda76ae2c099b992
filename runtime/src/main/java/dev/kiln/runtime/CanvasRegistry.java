package dev.kiln.runtime;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.Parsed;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.CanvasSet;
import dev.kiln.store.CanvasRow;
import dev.kiln.store.Store;

import java.util.List;
import java.util.Map;

/**
 * Every Canvas with its lifecycle (see {@link DefinitionRegistry}). Editing an active Canvas makes a new
 * version: users in flight stay on steps whose id still exists and the rest exit (recorded as
 * {@code step_removed}) the next time the engine touches them.
 */
public final class CanvasRegistry extends DefinitionRegistry<Canvas> {

    public CanvasRegistry(Store store, KilnRuntime runtime) {
        super(new Kind<>() {
            @Override public String noun() { return "canvas"; }
            @Override public String folder() { return "canvases"; }
            @Override public Parsed<Canvas> parse(String doc, String name, boolean json, DefinitionSet context) {
                return DefinitionLoader.parseCanvas(doc, name, json, context);
            }
            @Override public Map<String, Canvas> fromFiles(DefinitionSet set) { return set.canvases(); }
            @Override public String id(Canvas c) { return c.id(); }
            @Override public int version(Canvas c) { return c.version(); }
            @Override public Canvas.Status status(Canvas c) { return c.status(); }
            @Override public Canvas withVersion(Canvas c, int v) { return c.withVersion(v); }
            @Override public Canvas withStatus(Canvas c, Canvas.Status s) { return c.withStatus(s); }
            @Override public boolean sameDefinition(Canvas a, Canvas b) { return a.sameDefinition(b); }
            @Override public List<CanvasRow> rows() { return store.canvasRows(); }
            @Override public void save(CanvasRow row) { store.saveCanvasRow(row); }
            @Override public void publish(Map<String, Canvas> all) { runtime.canvases(new CanvasSet(all)); }
        }, runtime.clock());
    }
}
