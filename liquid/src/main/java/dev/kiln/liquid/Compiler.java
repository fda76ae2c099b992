package dev.kiln.liquid;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import liqp.Template;
import liqp.TemplateParser;
import liqp.exceptions.LiquidException;

/** Source → pre-pass → Liqp parse (+ one visit, which finds unknown filters) → {@link Program}. */
final class Compiler {

    private static final Pattern LIQP_SYNTAX = Pattern.compile("(?s)(?:lexer|parser) error \"(.*)\" on line \\d+, index \\d+");
    private static final Pattern LIQP_AT = Pattern.compile("(?s)error on line (\\d+), index (\\d+): (.*)");
    private static final Pattern REWRITTEN_ATTRIBUTE = Pattern.compile(
            RenderContext.BRAZE + "\\[[\"']([^\"']*)[\"']\\]");

    private final String source;
    private final String name;
    private final List<String> abortReasons = new ArrayList<>();
    private final List<CallSpec> calls = new ArrayList<>();
    private final List<PrePass.Result> parts = new ArrayList<>();

    private Compiler(String source, String name) {
        this.source = source;
        this.name = name;
    }

    static LiquidTemplate compile(String source, String name, LiquidLimits limits) {
        if (source.length() > limits.maxTemplateChars()) {
            throw new TemplateException(name, 1, 1, "template has " + source.length() + " characters; the limit is "
                    + limits.maxTemplateChars() + " (LiquidLimits.maxTemplateChars)");
        }
        Compiler c = new Compiler(source, name);
        PrePass.Result main = new PrePass(c, source, 0, true).run();
        TemplateParser parser = Dialect.parser(limits);
        Template mainTree = c.parse(parser, main);
        Template[] partTrees = new Template[c.parts.size()];
        for (int i = 0; i < partTrees.length; i++) {
            partTrees[i] = c.parse(parser, c.parts.get(i));
        }
        Program program = new Program(name, source, limits, parser, List.copyOf(c.abortReasons), List.copyOf(c.calls),
                mainTree, partTrees);
        return new LiquidTemplate(program);
    }

    // ---- called by the pre-pass

    int abortReason(String reason) {
        abortReasons.add(reason);
        return abortReasons.size() - 1;
    }

    int connectedContent(CallSpec spec) {
        calls.add(spec);
        return calls.size() - 1;
    }

    /** A connected-content argument: constant text, or a template compiled with the body. */
    CallSpec.Part part(String text, int offset) {
        if (!text.contains("{{") && !text.contains("{%")) {
            return CallSpec.Part.text(text);
        }
        parts.add(new PrePass(this, text, offset, false).run());
        return new CallSpec.Part(null, parts.size() - 1);
    }

    TemplateException error(int offset, String detail) {
        int[] lc = Positions.lineColumn(source, offset);
        return new TemplateException(name, lc[0], lc[1], detail);
    }

    String position(int offset) {
        int[] lc = Positions.lineColumn(source, offset);
        return "line " + lc[0] + ", column " + lc[1];
    }

    // ---- Liqp

    private Template parse(TemplateParser parser, PrePass.Result rewritten) {
        try {
            Template t = parser.parse(rewritten.text());
            Program.visit(parser, t); // unknown filters surface only here
            return t;
        } catch (StackOverflowError e) {
            throw error(0, "the template is too deeply nested to parse");
        } catch (LiquidException e) {
            throw at(rewritten, e.line, e.charPositionInLine, syntaxDetail(e.getMessage()));
        } catch (RuntimeException e) {
            Matcher m = LIQP_AT.matcher(String.valueOf(e.getMessage()));
            if (m.matches()) {
                throw at(rewritten, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), filterDetail(m.group(3)));
            }
            Throwable root = e.getCause() != null ? e.getCause() : e;
            throw error(0, "cannot parse: " + readable(String.valueOf(root.getMessage())));
        }
    }

    private TemplateException at(PrePass.Result rewritten, int line, int column0, String detail) {
        int out = Positions.offset(rewritten.text(), line, column0);
        return error(rewritten.map().toSource(out), detail);
    }

    private static String syntaxDetail(String message) {
        Matcher m = LIQP_SYNTAX.matcher(String.valueOf(message));
        String d = m.matches() ? m.group(1) : String.valueOf(message);
        if (d.contains("token recognition error at: '$'")) {
            return "unexpected '$': Braze attributes are written {{${user_id}}}, custom attributes {{custom_attribute.${name}}}";
        }
        if (d.contains("token recognition error at: '&'")) {
            return "unexpected '&' inside a tag";
        }
        if (d.startsWith("Invalid Tag:")) {
            return "unknown tag " + d.substring("Invalid Tag:".length()).strip();
        }
        if (d.contains("<EOF>")) {
            return "the template ends inside an unfinished tag or block (" + readable(d) + ")";
        }
        return readable(d);
    }

    private static String filterDetail(String message) {
        String prefix = "no filter available named: ";
        if (message.startsWith(prefix)) {
            String f = message.substring(prefix.length());
            f = f.startsWith("|") ? f.substring(1) : f;
            int colon = f.indexOf(':');
            return "unknown filter '" + (colon < 0 ? f : f.substring(0, colon)).strip() + "'";
        }
        return readable(message);
    }

    /** Liqp messages quote the rewritten text; show Braze's forms instead. */
    static String readable(String message) {
        return REWRITTEN_ATTRIBUTE.matcher(message).replaceAll(r -> Matcher.quoteReplacement("${" + r.group(1) + "}"))
                .replace("{% " + PrePass.ABORT_TAG, "{% abort_message")
                .replace("{% " + PrePass.CONNECTED_CONTENT_TAG, "{% connected_content");
    }
}
