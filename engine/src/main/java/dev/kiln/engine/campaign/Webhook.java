package dev.kiln.engine.campaign;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a webhook message sends: every field is a Braze-dialect Liquid template, kept here as text (the
 * engine never renders; the delivery shell compiles and renders them). Used by webhook campaigns and by
 * the Canvas webhook step.
 *
 * @param url       the request URL template
 * @param method    GET, POST, PUT, PATCH or DELETE
 * @param headers   header name → value template, in the order written
 * @param body      a raw body template, or null when the body is given as {@code bodyPairs}
 * @param bodyPairs JSON key/value pairs (Braze's "JSON key/value pairs" body): key → value template; the
 *                  shell renders each value and sends a JSON object of strings. Empty when {@code body} is used.
 */
public record Webhook(String url, String method, Map<String, String> headers, String body, Map<String, String> bodyPairs) {
    public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    public Webhook {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        bodyPairs = bodyPairs == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bodyPairs));
    }
}
