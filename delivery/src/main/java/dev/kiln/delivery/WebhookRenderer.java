package dev.kiln.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.Liquid;
import dev.kiln.liquid.LiquidTemplate;
import dev.kiln.liquid.RenderContext;
import dev.kiln.liquid.RenderResult;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link Webhook} for one message: compiles its templates once per definition (campaign id and
 * version, or Canvas id, version and step) and renders URL, headers and body against the message's snapshot,
 * the {@code connections} variable (only the connections the templates mention) and the connected-content port.
 *
 * <p>The body is rendered first, then the URL, then the headers: the seed's body aborts below the threshold,
 * and rendering it first spares the header's token call for every lead that is not handed off.
 */
final class WebhookRenderer {
    private static final Pattern CONNECTION_REF = Pattern.compile(
            "connections\\s*(?:\\.\\s*([A-Za-z0-9_-]+)|\\[\\s*['\"]([^'\"]+)['\"]\\s*])");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connections connections;
    private final Clock clock;
    private final ConcurrentHashMap<String, Compiled> cache = new ConcurrentHashMap<>();

    /** @param connections may be null: templates then see no {@code connections} */
    WebhookRenderer(Connections connections, Clock clock) {
        this.connections = connections;
        this.clock = clock;
    }

    /** A webhook's templates, compiled. */
    record Compiled(Webhook webhook, int version, LiquidTemplate url, Map<String, LiquidTemplate> headers,
                    LiquidTemplate body, Map<String, LiquidTemplate> pairs, Set<String> connectionIds, boolean bodyUsesConnections) {}

    /** What a render produced. */
    sealed interface Result {
        /** A request ready to send; {@code connections} are the connection ids its templates used. */
        record Request(String method, String url, Map<String, String> headers, String body, Set<String> connections)
                implements Result {}

        record Aborted(String reason) implements Result {}
    }

    /**
     * The compiled templates for {@code slot} (e.g. {@code campaign:mql}, {@code canvas:lead:step}),
     * compiled again when the version or the webhook changed.
     *
     * @throws dev.kiln.liquid.TemplateException when a template is invalid
     */
    Compiled compiled(String slot, int version, Webhook webhook) {
        Compiled c = cache.get(slot);
        if (c != null && c.version() == version && c.webhook().equals(webhook)) return c;
        c = compile(slot + ":v" + version, version, webhook);
        cache.put(slot, c);
        return c;
    }

    static Compiled compile(String name, int version, Webhook w) {
        Set<String> ids = new TreeSet<>();
        scan(w.url(), ids);
        LiquidTemplate url = Liquid.compile(w.url(), name + "#url");
        Map<String, LiquidTemplate> headers = new LinkedHashMap<>();
        w.headers().forEach((k, v) -> {
            scan(v, ids);
            headers.put(k, Liquid.compile(v, name + "#headers." + k));
        });
        LiquidTemplate body = null;
        Map<String, LiquidTemplate> pairs = new LinkedHashMap<>();
        Set<String> bodyIds = new TreeSet<>();
        if (w.body() != null) {
            scan(w.body(), bodyIds);
            body = Liquid.compile(w.body(), name + "#body");
        } else {
            w.bodyPairs().forEach((k, v) -> {
                scan(v, bodyIds);
                pairs.put(k, Liquid.compile(v, name + "#body." + k));
            });
        }
        ids.addAll(bodyIds);
        return new Compiled(w, version, url, Collections.unmodifiableMap(headers), body,
                Collections.unmodifiableMap(pairs), Collections.unmodifiableSet(ids), !bodyIds.isEmpty());
    }

    /** Connection ids a template mentions: {@code connections.ID…} or {@code connections["ID"]}. */
    static void scan(String source, Set<String> into) {
        if (source == null || !source.contains("connections")) return;
        Matcher m = CONNECTION_REF.matcher(source);
        while (m.find()) into.add(m.group(1) != null ? m.group(1) : m.group(2));
    }

    /**
     * Renders one message.
     *
     * @throws dev.kiln.liquid.RenderException a render failed ({@code retryable()} for a {@code :retry} call)
     * @throws DeliveryException a connection's token could not be had, or a header renders a line break
     */
    Result render(Compiled c, Snapshot snapshot, ConnectedContent port, boolean lastAttempt) {
        // Tokens are fetched only when a field about to render needs them: a body that aborts (the seed's,
        // below the threshold) costs no token request when only the headers use the connection.
        boolean needed = connections != null && !c.connectionIds().isEmpty();
        Map<String, Object> vars = needed && c.bodyUsesConnections() ? connections.variables(c.connectionIds()) : null;
        RenderContext ctx = context(snapshot, port, lastAttempt, vars);

        String body = null;
        if (c.body() != null) {
            RenderResult r = c.body().render(ctx);
            if (r instanceof RenderResult.Aborted a) return new Result.Aborted(a.reason());
            body = ((RenderResult.Rendered) r).output().strip();
        } else if (!c.pairs().isEmpty()) {
            Map<String, String> object = new LinkedHashMap<>();
            for (Map.Entry<String, LiquidTemplate> e : c.pairs().entrySet()) {
                RenderResult r = e.getValue().render(ctx);
                if (r instanceof RenderResult.Aborted a) return new Result.Aborted(a.reason());
                object.put(e.getKey(), ((RenderResult.Rendered) r).output().strip());
            }
            try {
                body = JSON.writeValueAsString(object);
            } catch (Exception e) {
                throw new DeliveryException("body pairs cannot be written as JSON", false, e);
            }
        }
        if (body != null && body.isEmpty()) body = null;
        if (needed && vars == null) ctx = context(snapshot, port, lastAttempt, connections.variables(c.connectionIds()));
        RenderResult u = c.url().render(ctx);
        if (u instanceof RenderResult.Aborted a) return new Result.Aborted(a.reason());
        String url = ((RenderResult.Rendered) u).output().strip();

        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, LiquidTemplate> e : c.headers().entrySet()) {
            RenderResult r = e.getValue().render(ctx);
            if (r instanceof RenderResult.Aborted a) return new Result.Aborted(a.reason());
            String value = ((RenderResult.Rendered) r).output().strip();
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)
                throw new DeliveryException("header " + e.getKey() + " renders a line break, which HTTP does not allow", false);
            headers.put(e.getKey(), value);
        }
        if (body != null && !hasHeader(headers, "Content-Type"))
            headers.put("Content-Type", c.body() == null || looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8");
        return new Result.Request(c.webhook().method().toUpperCase(Locale.ROOT), url, headers, body, c.connectionIds());
    }

    private RenderContext context(Snapshot snapshot, ConnectedContent port, boolean lastAttempt, Map<String, Object> connectionVars) {
        RenderContext.Builder b = snapshot.context().connectedContent(port).clock(clock).lastAttempt(lastAttempt);
        if (connectionVars != null) b.variable("connections", connectionVars);
        return b.build();
    }

    static boolean hasHeader(Map<String, String> headers, String name) {
        for (String k : headers.keySet()) if (k.equalsIgnoreCase(name)) return true;
        return false;
    }

    private static boolean looksLikeJson(String body) {
        if (!(body.startsWith("{") || body.startsWith("["))) return false;
        try {
            JSON.readTree(body);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
