package dev.kiln.liquid;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The port through which {@code {% connected_content %}} reaches the outside world. The template module only
 * builds the {@link Request} and interprets the {@link Response}; an adapter in the delivery layer does the HTTP
 * (Braze: {@link #TIMEOUT}, {@link #MAX_RESPONSE_BYTES}, no redirects, caching per {@link Request#cacheSeconds()},
 * {@code :basic_auth} resolved from named secrets). Calls happen on the rendering thread, in template order.
 *
 * <p>An adapter returns a response for every HTTP status and throws {@link ConnectedContentException} when no
 * response could be had.
 */
@FunctionalInterface
public interface ConnectedContent {

    Response call(Request request);

    /** Braze's limit on a connected-content response time. */
    Duration TIMEOUT = Duration.ofSeconds(2);
    /** Braze's limit on a connected-content response body. */
    int MAX_RESPONSE_BYTES = 1024 * 1024;
    /** GET responses are cached this long unless {@code :no_cache} or {@code :cache_max_age} says otherwise. */
    int DEFAULT_CACHE_SECONDS = 300;
    /** Braze's bounds on {@code :cache_max_age}: 5 minutes to 4 hours. */
    int MIN_CACHE_SECONDS = 300;
    int MAX_CACHE_SECONDS = 4 * 3600;

    /** The default port: every call is refused, and the message aborts with this reason. */
    ConnectedContent UNAVAILABLE = request -> {
        throw new ConnectedContentException("connected content not available", false);
    };

    /**
     * One call, fully rendered.
     *
     * @param method      GET, POST, PUT, PATCH or DELETE
     * @param body        null when the tag has no {@code :body}
     * @param headers     from {@code :headers}, in the order written
     * @param contentType from {@code :content_type}, or null (see {@link #effectiveContentType()})
     * @param basicAuth   the NAME of a credential from {@code :basic_auth}, never a secret value; null if none
     * @param retry       the tag has {@code :retry}
     * @param cacheMaxAge from {@code :cache_max_age} in seconds, or null
     * @param noCache     the tag has {@code :no_cache}
     */
    record Request(String method, String url, String body, Map<String, String> headers, String contentType,
                   String basicAuth, boolean retry, Integer cacheMaxAge, boolean noCache) {

        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(url, "url");
            method = method.toUpperCase(Locale.ROOT);
            headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        /**
         * Braze's defaults: {@code application/x-www-form-urlencoded} for a request with a body, else
         * {@code application/json}. With an explicit {@code :content_type} Braze sets Accept to the same type;
         * without it, Accept is {@code *}{@code /*}.
         */
        public String effectiveContentType() {
            if (contentType != null) {
                return contentType;
            }
            return body != null && !"GET".equals(method) ? "application/x-www-form-urlencoded" : "application/json";
        }

        /**
         * How long the response may be cached, 0 for not at all: GET 300 s by default, other methods only when
         * {@code :cache_max_age} asks; {@code :no_cache} wins; values are clamped to Braze's 5 min..4 h.
         * The cache key is method + URL + body + headers.
         */
        public int cacheSeconds() {
            if (noCache) {
                return 0;
            }
            if (cacheMaxAge == null) {
                return "GET".equals(method) ? DEFAULT_CACHE_SECONDS : 0;
            }
            return Math.max(MIN_CACHE_SECONDS, Math.min(MAX_CACHE_SECONDS, cacheMaxAge));
        }

        /** Without body, header values or query string: those may carry secrets. */
        @Override
        public String toString() {
            return "Request[" + method + " " + Redact.url(url) + ", headers=" + headers.keySet()
                    + (body == null ? "" : ", body=<" + body.length() + " chars>")
                    + (contentType == null ? "" : ", contentType=" + contentType)
                    + (basicAuth == null ? "" : ", basicAuth=" + basicAuth)
                    + (retry ? ", retry" : "") + (cacheMaxAge == null ? "" : ", cacheMaxAge=" + cacheMaxAge)
                    + (noCache ? ", noCache" : "") + "]";
        }
    }

    /** The endpoint's answer, whatever its status. */
    record Response(int status, String body) {
        public Response {
            body = body == null ? "" : body;
        }

        @Override
        public String toString() {
            return "Response[" + status + ", <" + body.length() + " chars>]";
        }
    }
}
