package dev.kiln.definitions;

import dev.kiln.liquid.Liquid;
import dev.kiln.liquid.TemplateException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Liquid templates written in definitions (webhook URLs, headers, bodies): compiled when loaded so that a
 * syntax error is refused with its place; scanned for secrets written in clear; and read for the
 * connections they name ({@code {{connections.ID.access_token}}}, {@code :basic_auth ID}).
 */
final class Templates {
    private Templates() {}

    /** Compiles the template at {@code at}; a {@link TemplateException} becomes a problem there. */
    static boolean compile(Cursor at, String source) {
        try {
            Liquid.compile(source, at.path());
            return true;
        } catch (TemplateException e) {
            at.problem("invalid Liquid at line " + e.line() + ", column " + e.column() + " of the template: " + e.detail());
            return false;
        }
    }

    // ---- literal secrets -------------------------------------------------------------------------

    private static final String TOKEN_CHARS = "[A-Za-z0-9\\-._~+/!]";

    /** One form a literal secret takes; the warning names it by the keyword in {@code nameGroup}, never by the value. */
    private record SecretForm(Pattern pattern, int nameGroup, String suffix) {
        Optional<String> find(String source) {
            Matcher m = pattern.matcher(source);
            return m.find() ? Optional.of(m.group(nameGroup) + suffix) : Optional.empty();
        }
    }

    private static final List<SecretForm> SECRETS = List.of(
            new SecretForm(Pattern.compile("(?i)\\b(Bearer)\\s+(?!\\{)" + TOKEN_CHARS + "{16,}"), 1, " …"),
            new SecretForm(Pattern.compile("(?i)^\\s*(Basic)\\s+[A-Za-z0-9+/]{8,}=*\\s*$"), 1, " …"),
            new SecretForm(Pattern.compile("(?i)(?<![A-Za-z0-9_])(client_secret|password|passwd|api_key|apikey|access_token|refresh_token|secret)"
                    + "=(?!\\{\\{|&|\\s|$)"), 1, "=…"));
    /** A header that by its name carries a credential; a long literal value in it is likely one. */
    private static final Pattern SECRET_HEADER = Pattern.compile("(?i).*(api[-_]?key|token|secret|password|auth).*");
    private static final Pattern LONG_LITERAL = Pattern.compile("(?<![A-Za-z0-9\\-._~+/!])" + TOKEN_CHARS + "{24,}");

    /**
     * Warns at {@code at} when {@code source} seems to hold a secret in clear (a bearer token, basic
     * credentials, {@code client_secret=…}). The warning names the form, never the value.
     *
     * @param headerName the header's name, or null for a URL
     */
    static void warnLiteralSecret(Cursor at, String headerName, String source) {
        literalSecret(headerName, source).ifPresent(form -> at.warning("looks like a secret written in the template (" + form
                + "); definitions are reviewed and versioned like code, so keep secrets in a connection (connections/ID.yaml,"
                + " read from env or file) and write {{connections.ID.access_token}}, or :basic_auth ID in connected_content"));
    }

    /** The form of the literal secret in {@code source}, such as {@code client_secret=…}; empty when none. */
    static Optional<String> literalSecret(String headerName, String source) {
        for (SecretForm f : SECRETS) {
            Optional<String> found = f.find(source);
            if (found.isPresent()) return found;
        }
        if (headerName != null && SECRET_HEADER.matcher(headerName).matches() && LONG_LITERAL.matcher(withoutLiquid(source)).find())
            return Optional.of("a long literal value");
        return Optional.empty();
    }

    // ---- connections named by a template ---------------------------------------------------------

    /**
     * One use of a connection: {@code {{connections.ID.FIELD}}} (field null when not named) or
     * {@code :basic_auth ID} in connected content.
     */
    record ConnectionUse(String id, String field, boolean basicAuth) {}

    private static final Pattern RAW = Pattern.compile("(?s)\\{%-?\\s*raw\\s*-?%}.*?\\{%-?\\s*endraw\\s*-?%}");
    private static final Pattern COMMENT = Pattern.compile("(?s)\\{%-?\\s*comment\\s*-?%}.*?\\{%-?\\s*endcomment\\s*-?%}");
    private static final Pattern MARKUP = Pattern.compile("(?s)\\{\\{.*?}}|\\{%.*?%}");
    private static final Pattern DOTTED = Pattern.compile("(?<![\\w.\\]])connections\\s*\\.\\s*(\\w+)(?:\\s*\\.\\s*(\\w+))?");
    private static final Pattern BRACKETED = Pattern.compile(
            "(?<![\\w.\\]])connections\\s*\\[\\s*([\"'])([^\"']*)\\1\\s*](?:\\s*\\.\\s*(\\w+)|\\s*\\[\\s*([\"'])(\\w+)\\4\\s*])?");
    private static final Pattern BASIC_AUTH = Pattern.compile(":basic_auth\\s+([^\\s%}]+)");

    /** The connections a (compiled) template uses, in order. Text outside Liquid markup, raw and comments are skipped. */
    static List<ConnectionUse> connectionUses(String source) {
        List<ConnectionUse> out = new ArrayList<>();
        String live = COMMENT.matcher(RAW.matcher(source).replaceAll("")).replaceAll("");
        Matcher markup = MARKUP.matcher(live);
        while (markup.find()) {
            String m = markup.group();
            Matcher d = DOTTED.matcher(m);
            while (d.find()) out.add(new ConnectionUse(d.group(1), d.group(2), false));
            Matcher b = BRACKETED.matcher(m);
            while (b.find()) out.add(new ConnectionUse(b.group(2), b.group(3) != null ? b.group(3) : b.group(5), false));
            if (m.matches("(?s)\\{%-?\\s*connected_content\\b.*")) {
                Matcher a = BASIC_AUTH.matcher(m);
                while (a.find()) out.add(new ConnectionUse(a.group(1), null, true));
            }
        }
        return out;
    }

    private static String withoutLiquid(String source) {
        return MARKUP.matcher(source).replaceAll(" ");
    }
}
