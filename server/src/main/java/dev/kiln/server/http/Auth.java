package dev.kiln.server.http;

import dev.kiln.server.ApiKeys;
import dev.kiln.store.ApiKeyStore;
import dev.kiln.store.ApiKeyStore.ApiKey;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API key checks: {@code Authorization: Bearer KEY}, looked up by SHA-256 hash (results cached briefly,
 * so a revoked key stops working within the cache TTL), then the key's rate limit, then the scope.
 * Keys and the Authorization header are never logged.
 */
public final class Auth {
    static final HeaderName LIMIT = HeaderNames.create("X-RateLimit-Limit");
    static final HeaderName REMAINING = HeaderNames.create("X-RateLimit-Remaining");
    static final HeaderName RESET = HeaderNames.create("X-RateLimit-Reset");
    private static final int MAX_KEY_LENGTH = 512;
    private static final int MAX_CACHED = 10_000;

    private record Cached(Optional<ApiKey> key, long expiresNanos) {}

    private final ApiKeyStore keys;
    private final RateLimiter limiter;
    private final long ttlNanos;
    private final Errors errors;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    Auth(ApiKeyStore keys, RateLimiter limiter, Duration cacheTtl, Errors errors) {
        this.keys = keys;
        this.limiter = limiter;
        this.ttlNanos = cacheTtl.toNanos();
        this.errors = errors;
    }

    /**
     * For handlers added with {@link ApiServer.Builder#extraRoutes}: checks the key, its rate limit and
     * {@code scope}, and sets the {@code X-RateLimit-*} headers. Returns the key, or empty when the error
     * response (401, 403 or 429) has already been sent.
     */
    public static Optional<ApiKey> require(ServerRequest req, ServerResponse res, String scope) {
        Auth auth = req.context().get(Auth.class)
                .orElseThrow(() -> new IllegalStateException("Auth.require works only on routes served by an ApiServer"));
        try {
            return Optional.of(auth.check(req, res, scope));
        } catch (ApiException e) {
            auth.errors.write(req, res, e);
            return Optional.empty();
        }
    }

    /** Like {@link #require} but throws the {@link ApiException} instead of sending it. */
    ApiKey check(ServerRequest req, ServerResponse res, String scope) {
        ApiKey key = authenticate(req);
        RateLimiter.Decision d = limiter.acquire(key.id());
        res.header(LIMIT, Integer.toString(d.limit()));
        res.header(REMAINING, Integer.toString(d.remaining()));
        res.header(RESET, Long.toString(d.resetEpochSeconds()));
        if (!d.allowed())
            throw new ApiException.TooManyRequests("Rate limit exceeded: " + d.limit() + " requests per window for this API key",
                    limiter.secondsUntilReset(d));
        if (!key.scopes().contains(scope))
            throw new ApiException.Forbidden("this API key lacks the " + scope + " scope");
        return key;
    }

    private ApiKey authenticate(ServerRequest req) {
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty())
            throw new ApiException.Unauthorized("Missing API key: send it as Authorization: Bearer YOUR_REST_API_KEY");
        String value = header.get().strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7))
            throw new ApiException.Unauthorized("Invalid API key: use Authorization: Bearer YOUR_REST_API_KEY");
        String token = value.substring(7).strip();
        if (token.isEmpty() || token.length() > MAX_KEY_LENGTH) throw new ApiException.Unauthorized("Invalid API key");
        return lookup(ApiKeys.hash(token))
                .filter(ApiKey::active)
                .orElseThrow(() -> new ApiException.Unauthorized("Invalid API key"));
    }

    private Optional<ApiKey> lookup(String hash) {
        if (ttlNanos <= 0) return keys.findByHash(hash);
        long now = System.nanoTime();
        Cached c = cache.get(hash);
        if (c != null && now - c.expiresNanos < 0) return c.key;
        Optional<ApiKey> found = keys.findByHash(hash);
        // Unknown keys are cached too (a client retrying a bad key should not hit the store each time);
        // the bound keeps a flood of random keys from growing the map.
        if (cache.size() >= MAX_CACHED) cache.clear();
        cache.put(hash, new Cached(found, now + ttlNanos));
        return found;
    }
}
