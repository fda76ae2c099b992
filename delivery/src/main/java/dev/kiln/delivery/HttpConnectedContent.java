package dev.kiln.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.ConnectedContentException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link ConnectedContent} port over the JDK HttpClient, with Braze's limits: a
 * {@link ConnectedContent#TIMEOUT 2 s} deadline for the whole exchange, a
 * {@link ConnectedContent#MAX_RESPONSE_BYTES 1 MB} body (a larger one aborts the message), no redirects
 * (a 3xx is an answer like any other). Responses are cached per {@link ConnectedContent.Request#cacheSeconds()},
 * keyed by method, URL, body, headers and credential name. {@code :basic_auth NAME} takes the credential from
 * {@link Connections}; the {@link OutboundPolicy} is checked before every call. Tokens found in a JSON answer
 * ({@code access_token}, {@code refresh_token}, {@code id_token}) are registered for masking.
 *
 * <p>A refusal (policy, unknown credential, body too large) is a non-transient
 * {@link ConnectedContentException} (the message aborts); a network error or timeout is transient (a
 * {@code :retry} call asks for a retry).
 */
public final class HttpConnectedContent implements ConnectedContent {
    static final int MAX_CACHE_ENTRIES = 10_000;
    /** Cached bodies together hold at most this many characters (about 64 MB); the least recently used go first. */
    static final long MAX_CACHE_CHARS = 32L * 1024 * 1024;
    private static final List<String> TOKEN_FIELDS = List.of("access_token", "refresh_token", "id_token");

    private final Connections connections;
    private final OutboundPolicy policy;
    private final Secrets secrets;
    private final Clock clock;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>(256, 0.75f, true);
    private long cachedChars;

    private record Cached(Response response, long expiresAt) {}

    /** @param connections for {@code :basic_auth}; may be null (then every {@code :basic_auth} is refused) */
    public HttpConnectedContent(Connections connections, OutboundPolicy policy, Secrets secrets, Clock clock) {
        this.connections = connections;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = Http.client(TIMEOUT);
    }

    @Override
    public Response call(Request request) {
        int ttl = request.cacheSeconds();
        String key = ttl > 0 ? key(request) : null;
        if (key != null) {
            synchronized (cache) {
                Cached c = cache.get(key);
                if (c != null && clock.millis() < c.expiresAt()) return c.response();
                if (c != null) evict(key);
            }
        }
        Response r = fetch(request);
        if (key != null) {
            synchronized (cache) {
                evict(key);
                cache.put(key, new Cached(r, clock.millis() + ttl * 1000L));
                cachedChars += key.length() + r.body().length();
                while (!cache.isEmpty() && (cache.size() > MAX_CACHE_ENTRIES || cachedChars > MAX_CACHE_CHARS))
                    evict(cache.keySet().iterator().next());
            }
        }
        return r;
    }

    private Response fetch(Request request) {
        URI uri;
        try {
            uri = URI.create(request.url());
        } catch (IllegalArgumentException e) {
            throw new ConnectedContentException("not a valid URL: " + secrets.maskUrl(request.url()), false);
        }
        try {
            policy.check(uri);
        } catch (OutboundDeniedException e) {
            throw new ConnectedContentException(e.getMessage(), false);
        }
        HttpRequest.Builder b = Http.request(uri).timeout(TIMEOUT);
        b.header("Accept", request.contentType() != null ? request.contentType() : "*/*");
        if (request.body() != null) b.header("Content-Type", request.effectiveContentType());
        if (request.basicAuth() != null) {
            if (connections == null) throw new ConnectedContentException("unknown basic_auth credential '" + request.basicAuth() + "'", false);
            try {
                b.setHeader("Authorization", connections.basicAuthHeader(request.basicAuth()));
            } catch (DeliveryException e) {
                throw new ConnectedContentException(secrets.mask(e.getMessage()), false);
            }
        }
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            if (Http.restricted(h.getKey())) continue;
            try {
                b.setHeader(h.getKey(), h.getValue().strip());
            } catch (IllegalArgumentException e) {
                throw new ConnectedContentException("header '" + h.getKey() + "' is not valid", false);
            }
        }
        HttpRequest.BodyPublisher body = request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(request.body());
        b.method(request.method(), body);
        Http.Answer a;
        try {
            a = Http.exchange(http, b.build(), MAX_RESPONSE_BYTES, TIMEOUT);
        } catch (Http.NetworkFailure e) {
            throw new ConnectedContentException(secrets.mask(e.getMessage()), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectedContentException("interrupted", true);
        }
        if (a.truncated())
            throw new ConnectedContentException("response larger than " + MAX_RESPONSE_BYTES + " bytes (Braze's limit)", false);
        String text = a.text();
        registerTokens(text);
        return new Response(a.status(), text);
    }

    private void registerTokens(String text) {
        String t = text.stripLeading();
        if (!t.startsWith("{") || !t.contains("token")) return;
        try {
            JsonNode n = json.readTree(t);
            for (String f : TOKEN_FIELDS) {
                JsonNode v = n.get(f);
                if (v != null && v.isTextual()) secrets.register(v.asText());
            }
        } catch (Exception ignored) {
            // not JSON: nothing to register
        }
    }

    private void evict(String key) {
        Cached c = cache.remove(key);
        if (c != null) cachedChars -= key.length() + c.response().body().length();
    }

    private static String key(Request r) {
        StringBuilder b = new StringBuilder(r.method()).append('\n').append(r.url()).append('\n')
                .append(r.body() == null ? "" : r.body()).append('\n')
                .append(r.basicAuth() == null ? "" : r.basicAuth()).append('\n')
                .append(r.contentType() == null ? "" : r.contentType());
        r.headers().forEach((k, v) -> b.append('\n').append(k).append(':').append(v));
        return b.toString();
    }

    /** Drops every cached response. */
    public void clearCache() {
        synchronized (cache) {
            cache.clear();
            cachedChars = 0;
        }
    }
}
