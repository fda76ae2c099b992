package dev.kiln.liquid;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the arguments of {@code {% connected_content URL :option value … %}} as Braze does: the URL and
 * {@code :body} are single tokens (spaces only inside {@code {{ }}}), {@code :headers} is a JSON object that may span
 * lines, and flags take no value.
 */
final class ConnectedContentArgs {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private static final List<String> OPTIONS = List.of(":method", ":body", ":headers", ":content_type", ":save",
            ":basic_auth", ":retry", ":cache_max_age", ":no_cache");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_.-]+");

    private final Compiler compiler;
    private final String args;
    private final int base;
    private final int tagOffset;
    private int p;
    private int valueStart;

    ConnectedContentArgs(Compiler compiler, String args, int base, int tagOffset) {
        this.compiler = compiler;
        this.args = args;
        this.base = base;
        this.tagOffset = tagOffset;
    }

    CallSpec parse() {
        skipWs();
        int urlStart = p;
        String url = token();
        if (url.isEmpty() || url.startsWith(":")) {
            throw fail(urlStart, "connected_content needs a URL: {% connected_content https://… :save name %}");
        }
        String method = "GET";
        CallSpec.Part body = null;
        Map<String, CallSpec.Part> headers = Map.of();
        String contentType = null;
        String save = null;
        String basicAuth = null;
        boolean retry = false;
        Integer cacheMaxAge = null;
        boolean noCache = false;
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (true) {
            skipWs();
            if (p >= args.length()) {
                break;
            }
            int at = p;
            if (args.charAt(p) != ':') {
                throw fail(at, "unexpected '" + token() + "' in connected_content: options start with ':' ("
                        + String.join(" ", OPTIONS) + "); a value with spaces goes in a variable, e.g. :body {{payload}}");
            }
            p++;
            String option = ":" + word();
            if (!OPTIONS.contains(option)) {
                throw fail(at, "unknown connected_content option '" + option + "'; supported: " + String.join(" ", OPTIONS));
            }
            if (!seen.add(option)) {
                throw fail(at, "connected_content option '" + option + "' given twice");
            }
            switch (option) {
                case ":method" -> {
                    String m = value(option, at);
                    if (!METHODS.contains(m.toLowerCase(Locale.ROOT))) {
                        throw fail(valueStart, ":method must be one of get, post, put, patch, delete, was '" + m + "'");
                    }
                    method = m.toUpperCase(Locale.ROOT);
                }
                case ":body" -> {
                    skipWs();
                    int bodyStart = p;
                    String b = token();
                    if (b.isEmpty()) {
                        throw fail(at, ":body needs a value, e.g. :body a=b&c={{x}}");
                    }
                    body = compiler.part(b, base + bodyStart);
                }
                case ":headers" -> headers = headers();
                case ":content_type" -> contentType = value(option, at);
                case ":save" -> save = matching(option, at, IDENTIFIER, "a variable name such as result");
                case ":basic_auth" -> basicAuth = matching(option, at, CREDENTIAL, "the name of a credential");
                case ":retry" -> retry = true;
                case ":no_cache" -> noCache = true;
                case ":cache_max_age" -> {
                    String v = value(option, at);
                    try {
                        cacheMaxAge = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        cacheMaxAge = -1;
                    }
                    if (cacheMaxAge < 0) {
                        throw fail(valueStart, ":cache_max_age must be a whole number of seconds, was '" + v + "'");
                    }
                }
                default -> throw new IllegalStateException(option);
            }
        }
        return new CallSpec(tagOffset, method, compiler.part(url, base + urlStart), body, headers, contentType, save,
                basicAuth, retry, cacheMaxAge, noCache);
    }

    private Map<String, CallSpec.Part> headers() {
        skipWs();
        int start = p;
        if (p >= args.length() || args.charAt(p) != '{') {
            throw fail(start, ":headers needs a JSON object, e.g. :headers {\"X-Key\": \"{{value}}\"}");
        }
        int depth = 0;
        boolean inString = false;
        for (; p < args.length(); p++) {
            char c = args.charAt(p);
            if (inString) {
                if (c == '\\') {
                    p++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                p++;
                break;
            }
        }
        if (depth != 0) {
            throw fail(start, ":headers JSON object is not closed");
        }
        String json = args.substring(start, p);
        Map<String, String> raw;
        try {
            raw = Json.stringObject(json);
        } catch (IllegalArgumentException e) {
            throw fail(start, ":headers is not a JSON object of names to string values: " + e.getMessage());
        }
        Map<String, CallSpec.Part> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            int found = json.indexOf(e.getValue());
            out.put(e.getKey(), compiler.part(e.getValue(), base + start + Math.max(0, found)));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private String matching(String option, int optionAt, Pattern pattern, String what) {
        String v = value(option, optionAt);
        if (!pattern.matcher(v).matches()) {
            throw fail(valueStart, option + " needs " + what + ", was '" + v + "'");
        }
        return v;
    }

    /** The option's value; {@link #valueStart} is where it starts, for messages about it. */
    private String value(String option, int optionAt) {
        skipWs();
        valueStart = p;
        String v = token();
        if (v.isEmpty() || v.startsWith(":")) {
            p = valueStart;
            throw fail(optionAt, option + " needs a value");
        }
        return v;
    }

    private String word() {
        int start = p;
        while (p < args.length() && (Character.isLetterOrDigit(args.charAt(p)) || args.charAt(p) == '_')) {
            p++;
        }
        return args.substring(start, p);
    }

    /** Up to the next whitespace; {{ … }} and {% … %} inside are kept whole, spaces and all. */
    private String token() {
        int start = p;
        while (p < args.length() && !Character.isWhitespace(args.charAt(p))) {
            if (args.startsWith("{{", p) || args.startsWith("{%", p)) {
                String closer = args.charAt(p + 1) == '{' ? "}}" : "%}";
                int c = args.indexOf(closer, p + 2);
                if (c < 0) {
                    throw fail(p, "'" + args.substring(p, p + 2) + "' is not closed in connected_content");
                }
                p = c + 2;
            } else {
                p++;
            }
        }
        return args.substring(start, p);
    }

    private void skipWs() {
        while (p < args.length() && Character.isWhitespace(args.charAt(p))) {
            p++;
        }
    }

    private TemplateException fail(int localOffset, String detail) {
        return compiler.error(base + localOffset, detail);
    }
}
