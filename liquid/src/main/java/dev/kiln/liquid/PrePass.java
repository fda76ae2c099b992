package dev.kiln.liquid;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites Braze's dialect into Liquid that Liqp 0.9.2.3 accepts, and validates what Liqp would report poorly.
 * Liqp's lexer rejects {@code $} and {@code &} inside tags and hands a custom tag only its first token, so:
 * <ul>
 *   <li>{@code .${name}} becomes {@code ["name"]} (names may hold spaces) and a bare {@code ${user_id}} becomes
 *       {@code __braze["user_id"]}, outside string literals, inside {@code {{ }}} and {@code {% %}};</li>
 *   <li>{@code {% abort_message('why') %}} becomes {@code {% __kiln_abort N %}}, N indexing the reasons;</li>
 *   <li>{@code {% connected_content … %}} is parsed here ({@link ConnectedContentArgs}) and becomes
 *       {@code {% __kiln_cc N %}}; Liqp then calls it in document order, so it may sit inside if/for blocks;</li>
 *   <li>{@code {{ }}} inside a tag (Braze allows {@code {% if {{x}} == 1 %}}) is blanked;</li>
 *   <li>comment bodies are blanked (Liqp lexes them), raw bodies are left alone.</li>
 * </ul>
 * Replacements keep the construct's newlines so line numbers in Liqp's runtime messages stay true; a
 * {@link SourceMap} maps columns back for compile errors.
 */
final class PrePass {

    static final String ABORT_TAG = "__kiln_abort";
    static final String CONNECTED_CONTENT_TAG = "__kiln_cc";
    /** Deeper nesting would overflow Liqp's recursive parser and renderer long before it is useful. */
    static final int MAX_NESTING = 100;

    record Result(String text, SourceMap map) {}

    private static final Set<String> OPENERS = Set.of("if", "unless", "for", "case", "capture", "tablerow", "ifchanged");
    private static final Map<String, Set<String>> BRANCHES = Map.of(
            "else", Set.of("if", "unless", "for", "case"),
            "elsif", Set.of("if", "unless"),
            "when", Set.of("case"));
    private static final Set<String> SIMPLE = Set.of("assign", "cycle", "increment", "decrement", "break", "continue");
    private static final Set<String> UNSUPPORTED = Set.of("include", "include_relative", "render", "layout", "section",
            "liquid", "echo");
    private static final Pattern END_RAW = Pattern.compile("\\{%-?\\s*endraw\\s*-?%}");
    private static final Pattern END_COMMENT = Pattern.compile("\\{%-?\\s*endcomment\\s*-?%}");

    private final Compiler compiler;
    private final String text;
    private final int base;
    private final boolean allowConnectedContent;
    private final StringBuilder out;
    private final SourceMap map = new SourceMap();
    private final Deque<Open> blocks = new ArrayDeque<>();

    private record Open(String name, int offset) {}

    /**
     * @param text the text to rewrite: the whole source, or an argument of connected_content
     * @param base where {@code text} starts in the compiler's source, for error positions
     */
    PrePass(Compiler compiler, String text, int base, boolean allowConnectedContent) {
        this.compiler = compiler;
        this.text = text;
        this.base = base;
        this.allowConnectedContent = allowConnectedContent;
        this.out = new StringBuilder(text.length() + 32);
    }

    Result run() {
        int n = text.length();
        int i = 0;
        while (i < n) {
            int open = nextOpen(i);
            if (open < 0) {
                copy(i, n);
                break;
            }
            copy(i, open);
            i = text.charAt(open + 1) == '%' ? tag(open) : output(open);
        }
        if (!blocks.isEmpty()) {
            Open b = blocks.peek();
            throw fail(b.offset, "{% " + b.name + " %} is never closed: add {% end" + b.name + " %}");
        }
        return new Result(out.toString(), map);
    }

    private int nextOpen(int from) {
        int i = text.indexOf('{', from);
        while (i >= 0 && i + 1 < text.length()) {
            char c = text.charAt(i + 1);
            if (c == '{' || c == '%') {
                return i;
            }
            i = text.indexOf('{', i + 1);
        }
        return -1;
    }

    // ---- {% … %}

    private int tag(int open) {
        int p = open + 2;
        boolean trimLeft = p < text.length() && text.charAt(p) == '-';
        if (trimLeft) {
            p++;
        }
        int nameStart = skipWs(p);
        int q = nameStart;
        while (q < text.length() && isNameChar(text.charAt(q))) {
            q++;
        }
        String name = text.substring(nameStart, q);
        switch (name) {
            case "raw":
                return raw(open, q);
            case "comment":
                return comment(open, q);
            case "connected_content":
                return connectedContent(open, trimLeft, q);
            case "abort_message":
                return abortMessage(open, trimLeft, q);
            default:
                break;
        }
        if (name.isEmpty()) {
            if (nameStart < text.length() && text.charAt(nameStart) == '#') {
                return scanUntilClose(open, q, "%}", true); // {% # inline comment %}
            }
            throw fail(nameStart, "expected a tag name after '{%'");
        }
        if (UNSUPPORTED.contains(name)) {
            throw fail(nameStart, "tag '" + name + "' is not supported"
                    + (name.startsWith("include") || name.equals("render") ? ": Kiln templates cannot read other files" : ""));
        }
        checkBlocks(name, nameStart);
        return scanUntilClose(open, q, "%}", true);
    }

    private void checkBlocks(String name, int at) {
        if (OPENERS.contains(name)) {
            if (blocks.size() == MAX_NESTING) {
                throw fail(at, "blocks are nested more than " + MAX_NESTING + " deep");
            }
            blocks.push(new Open(name, at));
            return;
        }
        if (name.startsWith("end") && (OPENERS.contains(name.substring(3)) || name.equals("endraw")
                || name.equals("endcomment"))) {
            String opened = name.substring(3);
            Open top = blocks.peek();
            if (top == null) {
                throw fail(at, "{% " + name + " %} without an open {% " + opened + " %}");
            }
            if (!top.name.equals(opened)) {
                throw fail(at, "{% " + name + " %} cannot close {% " + top.name + " %} opened at " + compiler.position(top.offset)
                        + ": expected {% end" + top.name + " %}");
            }
            blocks.pop();
            return;
        }
        Set<String> parents = BRANCHES.get(name);
        if (parents != null) {
            Open top = blocks.peek();
            if (top == null || !parents.contains(top.name)) {
                throw fail(at, "{% " + name + " %} outside " + String.join("/", new TreeSet<>(parents).stream()
                        .map(s -> "{% " + s + " %}").toList()));
            }
            return;
        }
        if (!SIMPLE.contains(name)) {
            Set<String> known = new TreeSet<>(OPENERS);
            known.addAll(SIMPLE);
            known.addAll(BRANCHES.keySet());
            known.addAll(Set.of("raw", "comment", "abort_message", "connected_content"));
            throw fail(at, "unknown tag '" + name + "'; known tags: " + String.join(", ", known));
        }
    }

    private int raw(int open, int afterName) {
        int close = closeOfSimpleTag(open, afterName);
        Matcher m = END_RAW.matcher(text);
        if (!m.find(close)) {
            throw fail(open, "{% raw %} is never closed: add {% endraw %}");
        }
        copy(open, m.end());
        return m.end();
    }

    private int comment(int open, int afterName) {
        int close = closeOfSimpleTag(open, afterName);
        Matcher m = END_COMMENT.matcher(text);
        if (!m.find(close)) {
            throw fail(open, "{% comment %} is never closed: add {% endcomment %}");
        }
        copy(open, close);
        // Liqp lexes comment bodies, so a '$' there would be a syntax error: keep only the newlines.
        StringBuilder blank = new StringBuilder(m.start() - close);
        for (int i = close; i < m.start(); i++) {
            char c = text.charAt(i);
            blank.append(c == '\n' || c == '\r' ? c : ' ');
        }
        sameLength(blank.toString(), close);
        copy(m.start(), m.end());
        return m.end();
    }

    /** End (exclusive) of a tag without arguments that matter, such as {@code {% raw %}}. */
    private int closeOfSimpleTag(int open, int from) {
        int close = text.indexOf("%}", from);
        if (close < 0) {
            throw fail(open, "tag is never closed: expected '%}'");
        }
        return close + 2;
    }

    private int abortMessage(int open, boolean trimLeft, int afterName) {
        int p = skipWs(afterName);
        boolean paren = p < text.length() && text.charAt(p) == '(';
        if (paren) {
            p = skipWs(p + 1);
        }
        String reason = "";
        if (p < text.length() && (text.charAt(p) == '\'' || text.charAt(p) == '"')) {
            char quote = text.charAt(p);
            int end = text.indexOf(quote, p + 1);
            if (end < 0) {
                throw fail(p, "abort_message reason is not closed: expected " + quote);
            }
            reason = text.substring(p + 1, end);
            p = skipWs(end + 1);
        }
        if (paren) {
            if (p >= text.length() || text.charAt(p) != ')') {
                throw fail(p, "abort_message takes one quoted reason (no Liquid): {% abort_message('reason') %}");
            }
            p = skipWs(p + 1);
        }
        boolean trimRight = p < text.length() && text.charAt(p) == '-';
        if (trimRight) {
            p++;
        }
        if (!text.startsWith("%}", p)) {
            throw fail(p, "abort_message takes one quoted reason (no Liquid): {% abort_message('reason') %}");
        }
        int end = p + 2;
        int index = compiler.abortReason(reason);
        replace(open, end, trimLeft, ABORT_TAG + " " + index, trimRight);
        return end;
    }

    private int connectedContent(int open, boolean trimLeft, int afterName) {
        if (!allowConnectedContent) {
            throw fail(open, "connected_content cannot appear inside another connected_content's arguments");
        }
        int end = findConnectedContentClose(open, afterName);
        int argsEnd = end - 2;
        boolean trimRight = argsEnd > afterName && text.charAt(argsEnd - 1) == '-';
        if (trimRight) {
            argsEnd--;
        }
        CallSpec spec = new ConnectedContentArgs(compiler, text.substring(afterName, argsEnd), base + afterName,
                base + open).parse();
        int index = compiler.connectedContent(spec);
        replace(open, end, trimLeft, CONNECTED_CONTENT_TAG + " " + index, trimRight);
        return end;
    }

    /** The tag ends at the first '%}' outside nested {{ }} / {% %} (its URL, body and headers may hold them). */
    private int findConnectedContentClose(int open, int from) {
        int p = from;
        while (p < text.length()) {
            if (text.startsWith("%}", p)) {
                return p + 2;
            }
            if (text.startsWith("{{", p) || text.startsWith("{%", p)) {
                String closer = text.charAt(p + 1) == '{' ? "}}" : "%}";
                int c = text.indexOf(closer, p + 2);
                if (c < 0) {
                    break;
                }
                p = c + 2;
                continue;
            }
            p++;
        }
        throw fail(open, "connected_content tag is never closed: expected '%}'");
    }

    /** Writes {@code {% body %}} for the construct [open, end), keeping its newlines and trim markers. */
    private void replace(int open, int end, boolean trimLeft, String body, boolean trimRight) {
        StringBuilder r = new StringBuilder(body.length() + 8).append(trimLeft ? "{%- " : "{% ").append(body);
        for (int i = open; i < end; i++) {
            if (text.charAt(i) == '\n') {
                r.append('\n');
            }
        }
        r.append(trimRight ? " -%}" : " %}");
        map.replaced(out.length(), base + open);
        out.append(r);
        map.verbatim(out.length(), base + end);
    }

    // ---- {{ … }}

    private int output(int open) {
        return scanUntilClose(open, open + 2, "}}", false);
    }

    /**
     * Copies a tag or output from {@code open} to its closer, rewriting {@code ${…}} outside string literals and,
     * in tags, blanking Braze's nested {@code {{ }}}.
     */
    private int scanUntilClose(int open, int from, String closer, boolean inTag) {
        copy(open, from);
        int p = from;
        int segment = p;
        char quote = 0;
        while (p < text.length()) {
            char c = text.charAt(p);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                p++;
            } else if (c == '\'' || c == '"') {
                quote = c;
                p++;
            } else if (text.startsWith(closer, p)) {
                copy(segment, p + 2);
                return p + 2;
            } else if (c == '$' && p + 1 < text.length() && text.charAt(p + 1) == '{') {
                copy(segment, p);
                p = dollar(p);
                segment = p;
            } else if (inTag && (text.startsWith("{{", p) || text.startsWith("}}", p))) {
                copy(segment, p);
                sameLength("  ", p);
                p += 2;
                segment = p;
            } else {
                p++;
            }
        }
        throw fail(open, (inTag ? "tag" : "output") + " is never closed: expected '" + closer + "'");
    }

    /** Rewrites the {@code ${name}} at {@code p}; returns the offset after it. */
    private int dollar(int p) {
        int close = text.indexOf('}', p + 2);
        int newline = text.indexOf('\n', p + 2);
        if (close < 0 || (newline >= 0 && newline < close)) {
            throw fail(p, "'${' is not closed: expected '}' on the same line");
        }
        String name = text.substring(p + 2, close).strip();
        if (name.isEmpty()) {
            throw fail(p, "empty '${}': write ${user_id} or custom_attribute.${name}");
        }
        if (name.contains("\"") && name.contains("'")) {
            throw fail(p, "name in '${…}' cannot contain both kinds of quote");
        }
        String quoted = name.contains("\"") ? "'" + name + "'" : "\"" + name + "\"";
        int len = out.length();
        if (len > 0 && out.charAt(len - 1) == '.') {
            // custom_attribute.${lead score} -> custom_attribute["lead score"]
            out.setLength(len - 1);
            map.replaced(out.length(), base + p - 1);
            out.append('[').append(quoted).append(']');
        } else {
            if (!RenderContext.STANDARD_ATTRIBUTES.contains(name)) {
                throw fail(p, "unknown '${" + name + "}'; known: " + new TreeSet<>(RenderContext.STANDARD_ATTRIBUTES)
                        .stream().map(s -> "${" + s + "}").toList()
                        + "; custom attributes are written custom_attribute.${name}");
            }
            map.replaced(out.length(), base + p);
            out.append(RenderContext.BRAZE).append('[').append(quoted).append(']');
        }
        map.verbatim(out.length(), base + close + 1);
        return close + 1;
    }

    // ---- helpers

    private void copy(int from, int to) {
        if (to > from) {
            map.verbatim(out.length(), base + from);
            out.append(text, from, to);
        }
    }

    private void sameLength(String replacement, int from) {
        map.verbatim(out.length(), base + from);
        out.append(replacement);
    }

    private int skipWs(int p) {
        while (p < text.length() && Character.isWhitespace(text.charAt(p))) {
            p++;
        }
        return p;
    }

    private static boolean isNameChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private TemplateException fail(int localOffset, String detail) {
        return compiler.error(base + localOffset, detail);
    }
}
