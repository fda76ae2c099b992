package dev.kiln.definitions;

import dev.kiln.engine.campaign.Webhook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a webhook sends: {@code url}, {@code method}, {@code headers}, and {@code body} or {@code body_pairs}.
 * A campaign's {@code webhook} block and a Canvas {@code webhook} step share these keys. Every value is a
 * Liquid template, compiled here so that a broken one is refused at load time.
 */
final class WebhookParser {
    private WebhookParser() {}

    static final List<String> KEYS = List.of("url", "method", "headers", "body", "body_pairs");
    /** A header name is an HTTP token (RFC 9110). */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    /** Headers the HTTP client sets itself; a template may not. */
    static final List<String> RESERVED_HEADERS = List.of("connection", "content-length", "expect", "host", "upgrade");
    private static final Pattern URL_START = Pattern.compile("(?i)https?://.+|\\{[{%].*", Pattern.DOTALL);

    /** The webhook whose keys are in {@code at} (other keys are the caller's to check); null after a problem. */
    private static Webhook fields(Cursor at, CountingSink sink) {
        int before = sink.count();
        Optional<String> url = url(at.field("url"));
        Optional<String> method = method(at.field("method"));
        Map<String, String> headers = headers(at.field("headers"));
        Cursor body = at.field("body"), pairs = at.field("body_pairs");
        String bodyText = null;
        Map<String, String> bodyPairs = Map.of();
        if (body.present() && pairs.present()) {
            at.problem("a webhook takes body (raw text) or body_pairs (JSON key/value pairs), not both");
        } else if (body.isMapping() || body.isList()) {
            body.problem("expected a body template (raw text), got " + body.describe()
                    + ": write JSON as text in a block (body: |) or use body_pairs for JSON key/value pairs");
        } else if (body.present()) {
            bodyText = body.text("a body template (raw text)").orElse(null);
            if (bodyText != null) Templates.compile(body, bodyText);
        } else if (pairs.present()) {
            bodyPairs = bodyPairs(pairs);
        }
        return sink.count() == before ? new Webhook(url.get(), method.get(), headers, bodyText, bodyPairs) : null;
    }

    /** Refuses keys other than {@link #KEYS} and {@code extra}, then reads the webhook. */
    static Webhook parse(Cursor at, CountingSink sink, List<String> extra) {
        if (!at.present()) {
            at.problem("required");
            return null;
        }
        if (!at.isMapping()) {
            at.problem("expected a mapping with url, method, headers and body, got " + at.describe());
            return null;
        }
        List<String> allowed = new ArrayList<>(extra);
        allowed.addAll(KEYS);
        Documents.refuseUnknownKeys(at, allowed);
        return fields(at, sink);
    }

    private static Optional<String> url(Cursor u) {
        Optional<String> url = u.text("a URL template such as https://example.com/leads/{{${user_id}}}");
        if (url.isEmpty()) return url;
        if (!URL_START.matcher(url.get().strip()).matches()) {
            // A URL is shown back unless it seems to hold a secret.
            String got = Templates.literalSecret(null, url.get()).isPresent() ? "" : ", got " + u.describe();
            u.problem("expected a URL starting with https:// or http:// (or with Liquid, such as {{connections.ID.instance_url}})" + got);
            return Optional.empty();
        }
        if (!Templates.compile(u, url.get())) return Optional.empty();
        Templates.warnLiteralSecret(u, null, url.get());
        return url;
    }

    private static Optional<String> method(Cursor m) {
        if (!m.present()) {
            m.problem("required: one of " + Words.oneOf(Webhook.METHODS));
            return Optional.empty();
        }
        if (m.node().isTextual() && Webhook.METHODS.contains(m.node().textValue())) return Optional.of(m.node().textValue());
        boolean lower = m.node().isTextual() && Webhook.METHODS.contains(m.node().textValue().toUpperCase(Locale.ROOT));
        m.problem("expected " + Words.oneOf(Webhook.METHODS) + ", got " + m.describeAsText() + (lower ? " (methods are written in capitals)" : ""));
        return Optional.empty();
    }

    /** Header name → value template, in document order. */
    private static Map<String, String> headers(Cursor h) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!h.present()) return out;
        if (!h.isMapping()) {
            h.problem("expected a mapping of header names to values, such as { Content-Type: application/json }, got " + h.describe());
            return out;
        }
        Map<String, String> seen = new LinkedHashMap<>(); // lower-case name → as written
        for (String name : h.keys()) {
            Cursor v = h.field(name);
            if (!HEADER_NAME.matcher(name).matches()) {
                v.problem("not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only");
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower)) {
                v.problem("the HTTP client sets " + name + " itself; remove it");
                continue;
            }
            String first = seen.putIfAbsent(lower, name);
            if (first != null) {
                v.problem("header " + name + " is given twice (also " + first + "); header names ignore case");
                continue;
            }
            Optional<String> value = v.text("a header value template (quote numbers and booleans)");
            if (value.isEmpty() || !Templates.compile(v, value.get())) continue;
            Templates.warnLiteralSecret(v, name, value.get());
            out.put(name, value.get());
        }
        return out;
    }

    private static Map<String, String> bodyPairs(Cursor p) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!p.isMapping()) {
            p.problem("expected a mapping of JSON keys to value templates, such as { lead_status: MQL }, got " + p.describe());
            return out;
        }
        if (p.keys().isEmpty()) {
            p.problem("must hold at least one key (leave body_pairs out for no body)");
            return out;
        }
        for (String key : p.keys()) {
            Cursor v = p.field(key);
            if (key.isEmpty()) {
                v.problem("a JSON key must not be empty");
                continue;
            }
            Optional<String> value = v.text("a value template (quote numbers and booleans: pairs are sent as JSON strings)");
            if (value.isPresent() && Templates.compile(v, value.get())) out.put(key, value.get());
        }
        return out;
    }

    /**
     * Every template of {@code w} by the document path it was read from, {@code at} being the webhook's
     * own place (for messages about a parsed webhook, such as unknown connections).
     */
    static Map<Cursor, String> templates(Webhook w, Cursor at) {
        Map<Cursor, String> out = new LinkedHashMap<>();
        out.put(at.field("url"), w.url());
        w.headers().forEach((name, value) -> out.put(at.field("headers").field(name), value));
        if (w.body() != null) out.put(at.field("body"), w.body());
        w.bodyPairs().forEach((key, value) -> out.put(at.field("body_pairs").field(key), value));
        return out;
    }
}
