package dev.kiln.liquid;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import liqp.TemplateContext;

/**
 * Runs one {@code connected_content} tag at its place in the render, with the variables assigned so far:
 * renders URL, body and headers, calls the port, binds a JSON response or returns text to insert.
 *
 * <p>Outcomes, as Braze documents them:
 * <ul>
 *   <li>JSON object or array (any status): bound to {@code :save} (default {@code connected}); objects get
 *       {@code __http_status_code__}; nothing is inserted;</li>
 *   <li>other text: inserted in place of the tag when 2xx; an empty string otherwise (404 → empty);</li>
 *   <li>transient failure (5xx, 408, 429, timeout, network) with {@code :retry}: a retryable {@link RenderException},
 *       or, on the caller's last attempt, an abort; without {@code :retry}: nothing inserted, nothing bound;</li>
 *   <li>refusal by the port (e.g. unknown credential): the message aborts.</li>
 * </ul>
 */
final class ConnectedContentCall {
    private ConnectedContentCall() {}

    static final String STATUS_KEY = "__http_status_code__";

    static Object run(RenderState state, CallSpec spec, TemplateContext tc) {
        Program program = state.program;
        if (++state.connectedContentCalls > program.limits().maxConnectedContentCalls()) {
            throw new BrazeFilters.LimitExceeded("more than " + program.limits().maxConnectedContentCalls()
                    + " connected_content calls in one render (LiquidLimits.maxConnectedContentCalls)");
        }
        String url = state.render(spec.url(), tc).strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
            throw new RenderException(program.name(), "connected_content at " + program.position(spec.sourceOffset())
                    + ": URL must start with http:// or https://, was '" + Redact.url(url) + "'", false, null);
        }
        String body = spec.body() == null ? null : state.render(spec.body(), tc);
        if (body != null && spec.contentType() != null
                && spec.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            body = Json.formBodyAsJson(body);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        spec.headers().forEach((name, value) -> headers.put(name, state.render(value, tc)));
        ConnectedContent.Request request = new ConnectedContent.Request(spec.method(), url, body, headers,
                spec.contentType(), spec.basicAuth(), spec.retry(), spec.cacheMaxAge(), spec.noCache());
        String what = request.method() + " " + Redact.url(url);

        ConnectedContent.Response response;
        try {
            response = state.context.connectedContent().call(request);
        } catch (ConnectedContentException e) {
            if (!e.transientFailure()) {
                throw new AbortSignal("connected content " + what + " refused: " + e.getMessage());
            }
            return failed(state, spec, what, e.getMessage(), e);
        } catch (AbortSignal | RenderException e) {
            throw e;
        } catch (RuntimeException e) {
            return failed(state, spec, what, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        if (response == null) {
            return failed(state, spec, what, "no response", null);
        }
        int status = response.status();
        if (spec.retry() && (status >= 500 || status == 408 || status == 429)) {
            return failed(state, spec, what, "HTTP " + status, null);
        }
        Object json = Json.parseStructured(response.body());
        if (json != null) {
            if (json instanceof Map<?, ?> object) {
                Map<Object, Object> withStatus = new LinkedHashMap<>(object);
                withStatus.put(STATUS_KEY, (long) status);
                json = Collections.unmodifiableMap(withStatus);
            }
            tc.put(spec.saveAs(), json, true);
            return "";
        }
        return status >= 200 && status < 300 ? response.body() : "";
    }

    private static Object failed(RenderState state, CallSpec spec, String what, String why, Throwable cause) {
        if (!spec.retry()) {
            return "";
        }
        if (state.context.lastAttempt()) {
            throw new AbortSignal("connected content " + what + " failed on the last attempt: " + why);
        }
        throw new RenderException(state.program.name(), "connected content " + what + " failed: " + why
                + " (:retry: render again later)", true, cause);
    }
}
