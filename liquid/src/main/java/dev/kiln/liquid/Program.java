package dev.kiln.liquid;

import java.util.List;
import liqp.Template;
import liqp.TemplateParser;
import liqp.nodes.LNode;
import liqp.parser.v4.NodeVisitor;

/**
 * A compiled template's shared, read-only half: tables from the pre-pass and Liqp's parse trees. The other half,
 * Liqp's node trees, holds per-render state (e.g. {@code LookupNode.Index.key}) and is never shared: each
 * {@link Instance} is used by one render at a time (see {@link InstancePool}).
 */
final class Program {
    private final String name;
    private final String source;
    private final LiquidLimits limits;
    private final TemplateParser parser;
    private final List<String> abortReasons;
    private final List<CallSpec> calls;
    private final Template main;
    private final Template[] parts;

    /** Liqp node trees for one render at a time: the body, and the connected-content URL/body/header templates. */
    record Instance(LNode main, LNode[] parts) {}

    Program(String name, String source, LiquidLimits limits, TemplateParser parser, List<String> abortReasons,
            List<CallSpec> calls, Template main, Template[] parts) {
        this.name = name;
        this.source = source;
        this.limits = limits;
        this.parser = parser;
        this.abortReasons = abortReasons;
        this.calls = calls;
        this.main = main;
        this.parts = parts;
    }

    String name() { return name; }

    String source() { return source; }

    LiquidLimits limits() { return limits; }

    TemplateParser parser() { return parser; }

    List<String> abortReasons() { return abortReasons; }

    List<CallSpec> calls() { return calls; }

    /** Builds fresh node trees from the parse trees (cheap next to parsing); serialised, it is rare. */
    synchronized Instance newInstance() {
        LNode[] p = new LNode[parts.length];
        for (int i = 0; i < parts.length; i++) {
            p[i] = visit(parser, parts[i]);
        }
        return new Instance(visit(parser, main), p);
    }

    static LNode visit(TemplateParser parser, Template t) {
        return new NodeVisitor(parser.insertions, parser.filters, parser.liquidStyleInclude).visit(t.getParseTree());
    }

    String position(int offset) {
        int[] lc = Positions.lineColumn(source, offset);
        return "line " + lc[0] + ", column " + lc[1];
    }
}
