package dev.kiln.delivery;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The registry of every secret value and token delivery has seen (resolved client secrets and passwords,
 * access tokens, basic-auth headers), and the masking applied to everything that leaves delivery: the
 * message log, previews, log lines, outcome details. A registered value is replaced by {@value #MASK}
 * wherever it appears; URLs and headers are also masked by shape ({@link #redactUrl}, {@link #redactHeader}),
 * which covers values delivery never saw (a token written into a template).
 *
 * <p>Thread-safe. Bounded: the oldest values are forgotten past {@value #MAX_VALUES} (tokens rotate; a
 * forgotten token has long expired).
 */
public final class Secrets {
    public static final String MASK = "***";
    /** Shorter values are not registered: masking "ab" everywhere would mangle every text. */
    public static final int MIN_LENGTH = 4;
    static final int MAX_VALUES = 4096;

    private static final List<String> SENSITIVE_WORDS = List.of("token", "key", "secret", "password", "passwd",
            "signature", "auth", "code", "credential", "session", "cookie");
    private static final Set<String> SENSITIVE_NAMES = Set.of("sig", "pwd", "pass", "jwt");
    private static final Set<String> SCHEME_HEADERS = Set.of("authorization", "proxy-authorization");

    private final LinkedHashMap<String, Boolean> values = new LinkedHashMap<>(64, 0.75f, false);
    /** Longest first, so a secret containing another is masked whole; rebuilt on change. */
    private volatile List<String> ordered = List.of();

    /** Remembers {@code value} (and its URL-encoded and Base64 forms) so {@link #mask} hides it. */
    public void register(String value) {
        if (value == null || value.strip().length() < MIN_LENGTH) return;
        synchronized (values) {
            boolean changed = add(value) | add(value.strip())
                    | add(URLEncoder.encode(value, StandardCharsets.UTF_8))
                    | add(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
            if (!changed) return;
            while (values.size() > MAX_VALUES) values.remove(values.keySet().iterator().next());
            List<String> l = new ArrayList<>(values.keySet());
            l.sort(Comparator.comparingInt(String::length).reversed());
            ordered = List.copyOf(l);
        }
    }

    private boolean add(String v) {
        return v.length() >= MIN_LENGTH && values.put(v, Boolean.TRUE) == null;
    }

    /** {@code text} with every registered value replaced by {@value #MASK}; null stays null. */
    public String mask(String text) {
        if (text == null || text.isEmpty()) return text;
        String out = text;
        for (String v : ordered) if (out.contains(v)) out = out.replace(v, MASK);
        return out;
    }

    /** A URL for logs: {@link #redactUrl} and then {@link #mask}. */
    public String maskUrl(String url) { return mask(redactUrl(url)); }

    /** Headers for logs and previews: {@link #redactHeader} on each, then {@link #mask}. Order kept. */
    public Map<String, String> maskHeaders(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, mask(redactHeader(k, v))));
        return out;
    }

    /**
     * A URL without credentials: user-info becomes {@value #MASK}, and so does the value of every query
     * parameter whose name looks sensitive (token, key, secret, password, signature, auth, code, …).
     * Works on text that is not a valid URI (a half-rendered template).
     */
    public static String redactUrl(String url) {
        if (url == null) return null;
        String s = url;
        String fragment = "";
        int hash = s.indexOf('#');
        if (hash >= 0) {
            fragment = s.substring(hash);
            s = s.substring(0, hash);
        }
        String query = null;
        int q = s.indexOf('?');
        if (q >= 0) {
            query = s.substring(q + 1);
            s = s.substring(0, q);
        }
        int scheme = s.indexOf("://");
        int authorityStart = scheme < 0 ? 0 : scheme + 3;
        int slash = s.indexOf('/', authorityStart);
        int authorityEnd = slash < 0 ? s.length() : slash;
        int at = s.lastIndexOf('@', authorityEnd - 1);
        if (scheme >= 0 && at >= authorityStart) s = s.substring(0, authorityStart) + MASK + s.substring(at);
        if (query == null) return s + fragment;
        StringBuilder b = new StringBuilder(s).append('?');
        String[] pairs = query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) b.append('&');
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            if (eq >= 0 && sensitive(decode(pair.substring(0, eq)))) b.append(pair, 0, eq + 1).append(MASK);
            else b.append(pair);
        }
        return b.append(fragment).toString();
    }

    /**
     * A header value for logs: Authorization and Proxy-Authorization keep their scheme word
     * ({@code Bearer ***}, {@code Basic ***}); Cookie, Set-Cookie and every header whose name looks
     * sensitive (X-Api-Key, X-Auth-Token, …) become {@value #MASK}; others are returned unchanged.
     */
    public static String redactHeader(String name, String value) {
        if (value == null) return null;
        String n = name.toLowerCase(Locale.ROOT);
        if (SCHEME_HEADERS.contains(n)) {
            String v = value.strip();
            int sp = v.indexOf(' ');
            return sp > 0 ? v.substring(0, sp) + " " + MASK : MASK;
        }
        return sensitive(n) ? MASK : value;
    }

    static boolean sensitive(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (SENSITIVE_NAMES.contains(n)) return true;
        for (String w : SENSITIVE_WORDS) if (n.contains(w)) return true;
        return false;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
