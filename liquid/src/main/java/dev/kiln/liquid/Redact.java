package dev.kiln.liquid;

/** Shortens URLs for messages: no user-info, query or fragment, which may carry tokens. */
final class Redact {
    private Redact() {}

    static String url(String url) {
        if (url == null) {
            return "null";
        }
        String s = url;
        int cut = indexOfAny(s, '?', '#');
        if (cut >= 0) {
            s = s.substring(0, cut) + "?…";
        }
        int scheme = s.indexOf("://");
        int at = s.indexOf('@', scheme < 0 ? 0 : scheme + 3);
        int slash = s.indexOf('/', scheme < 0 ? 0 : scheme + 3);
        if (scheme >= 0 && at >= 0 && (slash < 0 || at < slash)) {
            s = s.substring(0, scheme + 3) + "…@" + s.substring(at + 1);
        }
        return s;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
