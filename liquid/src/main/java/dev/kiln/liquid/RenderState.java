package dev.kiln.liquid;

import java.time.Clock;
import java.util.Map;
import liqp.TemplateContext;
import liqp.nodes.LNode;

/**
 * What Kiln's tags and filters need during one render. Kept in the TemplateContext's registry, which templates
 * cannot reach, rather than among the variables.
 */
final class RenderState {
    private static final String REGISTRY = "kiln";
    private static final String KEY = "state";

    final Program program;
    final Program.Instance instance;
    final RenderContext context;
    int connectedContentCalls;

    RenderState(Program program, Program.Instance instance, RenderContext context) {
        this.program = program;
        this.instance = instance;
        this.context = context;
    }

    void attach(TemplateContext tc) {
        Map<String, Object> registry = tc.getRegistry(REGISTRY);
        registry.put(KEY, this);
    }

    static RenderState of(TemplateContext tc) {
        Map<String, Object> registry = tc.getRegistry(REGISTRY);
        RenderState s = (RenderState) registry.get(KEY);
        if (s == null) {
            throw new IllegalStateException("Kiln tags render only through LiquidTemplate.render");
        }
        return s;
    }

    Clock clock() {
        return context.clock();
    }

    String render(CallSpec.Part part, TemplateContext tc) {
        if (part.isConstant()) {
            return part.constant();
        }
        LNode node = instance.parts()[part.template()];
        Object out = node.render(tc);
        return out == null ? "" : String.valueOf(out);
    }
}
