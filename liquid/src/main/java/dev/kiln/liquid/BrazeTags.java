package dev.kiln.liquid;

import liqp.TemplateContext;
import liqp.nodes.LNode;
import liqp.tags.Tag;

/** The Liqp tags the pre-pass writes: {@code {% __kiln_abort N %}} and {@code {% __kiln_cc N %}}. */
final class BrazeTags {
    private BrazeTags() {}

    static final Tag ABORT = new Tag(PrePass.ABORT_TAG) {
        @Override
        public Object render(TemplateContext context, LNode... nodes) {
            RenderState state = RenderState.of(context);
            throw new AbortSignal(state.program.abortReasons().get(index(nodes, context)));
        }
    };

    static final Tag CONNECTED_CONTENT = new Tag(PrePass.CONNECTED_CONTENT_TAG) {
        @Override
        public Object render(TemplateContext context, LNode... nodes) {
            RenderState state = RenderState.of(context);
            return ConnectedContentCall.run(state, state.program.calls().get(index(nodes, context)), context);
        }
    };

    private static int index(LNode[] nodes, TemplateContext context) {
        return Integer.parseInt(String.valueOf(nodes[0].render(context)).strip());
    }
}
