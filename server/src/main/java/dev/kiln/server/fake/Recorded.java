package dev.kiln.server.fake;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request the fake answered, as it arrived, with the status it got. Header names are lower case; repeated
 * headers are joined with {@code ", "}. Secrets are not kept: a {@code client_secret} form field and a Basic
 * {@code Authorization} are recorded as {@value #REDACTED} (bearer tokens are the fake's own and are kept, so a
 * test can tell which token a request used).
 *
 * @param query the raw query string, "" when none
 * @param body  the body as UTF-8 text, "" when none
 * @param time  when the request arrived (the fake's clock)
 */
public record Recorded(String method, String path, String query, Map<String, String> headers, String body,
                       Instant time, int status) {
    public static final String REDACTED = "[redacted]";
    private static final String LEAD_PATH = "/sobjects/Lead/";

    public Recorded {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? "" : query;
        headers = Map.copyOf(headers);
        body = body == null ? "" : body;
        Objects.requireNonNull(time, "time");
    }

    /** A header's value by name, any case. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The id in {@code /services/data/vNN.N/sobjects/Lead/{id}}, if this request was for a lead. */
    public Optional<String> leadId() {
        int at = path.indexOf(LEAD_PATH);
        if (at < 0 || !path.startsWith("/services/data/")) return Optional.empty();
        String id = path.substring(at + LEAD_PATH.length());
        return id.isEmpty() || id.indexOf('/') >= 0 ? Optional.empty() : Optional.of(id);
    }

    public boolean isPatch() {
        return method.equals("PATCH");
    }

    /** The JSON shape of {@code GET /_fake/requests}. */
    Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("time", time.toString());
        v.put("method", method);
        v.put("path", path);
        if (!query.isEmpty()) v.put("query", query);
        v.put("status", status);
        v.put("headers", new java.util.TreeMap<>(headers));
        v.put("body", body);
        return v;
    }
}
