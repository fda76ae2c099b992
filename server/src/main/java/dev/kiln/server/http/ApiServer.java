package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.store.ApiKeyStore;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Kiln's HTTP API (Helidon SE, a virtual thread per request): Braze's {@code /users/*} endpoints,
 * {@code /health} and {@code /metrics}. Every authenticated response carries {@code X-RateLimit-*}
 * headers; every error is {@code {"message": ...}}. The server does not own the runtime or the store:
 * {@link #stop()} stops serving only.
 */
public final class ApiServer {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final String ROUTE = "kiln.route";

    private final WebServer server;
    private final Builder config;

    private ApiServer(Builder b) {
        this.config = b;
        Profiles profiles = b.profiles;
        JsonIo json = new JsonIo(b.maxBodyBytes);
        Errors errors = new Errors(json);
        HttpMetrics metrics = new HttpMetrics(b.registry);
        Auth auth = new Auth(b.apiKeys, new RateLimiter(b.rateLimit, b.rateWindow, profiles.clock()), b.authCacheTtl, errors);
        Submitter submitter = new Submitter(profiles, b.commitTimeout);
        TrackEndpoint track = new TrackEndpoint(new EventParser(json.mapper()), submitter, metrics);
        ExportEndpoint export = new ExportEndpoint(profiles);
        DeleteEndpoint delete = new DeleteEndpoint(submitter, metrics);
        IdentifyEndpoint identify = new IdentifyEndpoint(submitter, metrics);
        AliasEndpoint alias = new AliasEndpoint(submitter, metrics);
        Endpoints e = new Endpoints(json, errors, auth);

        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter((chain, req, res) -> {
                    req.context().register(auth);
                    try {
                        chain.proceed();
                    } finally {
                        String route = req.context().get(ROUTE, String.class).or(req::matchingPattern).orElse("unmatched");
                        metrics.request(route, res.status().code());
                    }
                })
                .post("/users/track", e.json("/users/track", Scopes.USERS_TRACK, track::handle))
                .post("/users/export/ids", e.json("/users/export/ids", Scopes.USERS_EXPORT, (body, id) -> export.handle(body)))
                .post("/users/delete", e.json("/users/delete", Scopes.USERS_DELETE, delete::handle))
                .post("/users/identify", e.json("/users/identify", Scopes.USERS_IDENTIFY, identify::handle))
                .post("/users/alias/new", e.json("/users/alias/new", Scopes.USERS_ALIAS, alias::handle))
                .get("/health", (req, res) -> {
                    req.context().register(ROUTE, "/health");
                    boolean draining = profiles.draining();
                    json.send(res, draining ? 503 : 200, Map.of("status", draining ? "DRAINING" : "UP"));
                })
                .get("/metrics", (req, res) -> {
                    req.context().register(ROUTE, "/metrics");
                    res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    res.send(b.registry.scrape().getBytes(StandardCharsets.UTF_8));
                })
                .error(Exception.class, errors::write);
        b.extraRoutes.accept(routing);
        routing.any((req, res) -> {
            req.context().register(ROUTE, "unmatched");
            errors.write(req, res, new ApiException.NotFound("No such endpoint: "
                    + req.prologue().method().text() + " " + Check.quote(req.path().path())));
        });
        this.server = WebServer.builder()
                .host(b.host)
                .port(b.port)
                .shutdownHook(false)
                .routing(routing)
                .build();
    }

    /** Routes whose handlers authenticate, read a JSON body and answer JSON, with errors mapped in {@link Errors}. */
    private record Endpoints(JsonIo json, Errors errors, Auth auth) {
        Handler json(String route, String scope, BiFunction<JsonNode, String, Reply> endpoint) {
            return (req, res) -> {
                req.context().register(ROUTE, route);
                try {
                    auth.check(req, res, scope);
                    String requestId = newRequestId();
                    res.header(REQUEST_ID, requestId);
                    Reply reply = endpoint.apply(json.readBody(req), requestId);
                    json.send(res, reply.status(), reply.body());
                } catch (Exception | StackOverflowError ex) {
                    errors.write(req, res, ex);
                }
            };
        }
    }

    /** Unique across restarts and instances: it prefixes event ids in the log, which must never collide. */
    static String newRequestId() { return UUID.randomUUID().toString(); }

    public static Builder builder() { return new Builder(); }

    /** Binds the port and starts serving; logs the effective settings once. */
    public ApiServer start() {
        server.start();
        log.info("API listening on {}:{} (max body {} bytes, rate limit {} requests per {} s per key, key cache {} ms, commit timeout {} s)",
                config.host, server.port(), config.maxBodyBytes, config.rateLimit, config.rateWindow.toSeconds(),
                config.authCacheTtl.toMillis(), config.commitTimeout.toSeconds());
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() { return server.port(); }

    /** Stops serving (the runtime and the store are the caller's to close). */
    public void stop() {
        server.stop();
    }

    /** Settings, with Braze's defaults where Braze has them. */
    public static final class Builder {
        public static final String DEFAULT_HOST = "0.0.0.0";
        public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
        /** Braze's /users/track limit: 3,000 requests per 3 seconds. */
        public static final int DEFAULT_RATE_LIMIT = 3_000;
        public static final Duration DEFAULT_RATE_WINDOW = Duration.ofSeconds(3);
        public static final Duration DEFAULT_AUTH_CACHE_TTL = Duration.ofSeconds(2);
        public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(30);

        private String host = DEFAULT_HOST;
        private int port = -1;
        private Profiles profiles;
        private ApiKeyStore apiKeys;
        private PrometheusMeterRegistry registry;
        private int rateLimit = DEFAULT_RATE_LIMIT;
        private Duration rateWindow = DEFAULT_RATE_WINDOW;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration authCacheTtl = DEFAULT_AUTH_CACHE_TTL;
        private Duration commitTimeout = DEFAULT_COMMIT_TIMEOUT;
        private Consumer<HttpRouting.Builder> extraRoutes = r -> { };

        private Builder() {}

        /** TCP port; 0 picks a free one (see {@link ApiServer#port()}). Required. */
        public Builder port(int port) { this.port = port; return this; }

        public Builder host(String host) { this.host = host; return this; }

        /** Required. */
        public Builder runtime(KilnRuntime runtime) { this.profiles = Profiles.of(Objects.requireNonNull(runtime, "runtime")); return this; }

        Builder profiles(Profiles profiles) { this.profiles = profiles; return this; }

        /** Required. */
        public Builder keys(ApiKeyStore apiKeys) { this.apiKeys = apiKeys; return this; }

        /** The registry {@code GET /metrics} scrapes and the API's counters go to; a new one when not set. */
        public Builder registry(PrometheusMeterRegistry registry) { this.registry = registry; return this; }

        /** Requests per key per window (fixed windows). */
        public Builder rateLimit(int requests, Duration window) {
            this.rateLimit = requests;
            this.rateWindow = window;
            return this;
        }

        /** Larger bodies get 413. */
        public Builder maxBodyBytes(int bytes) { this.maxBodyBytes = bytes; return this; }

        /** How long a key lookup (found or not) is reused; a revoked key works at most this long. Zero disables. */
        public Builder authCacheTtl(Duration ttl) { this.authCacheTtl = ttl; return this; }

        /** How long a request waits for its commit before answering 503. */
        public Builder commitTimeout(Duration timeout) { this.commitTimeout = timeout; return this; }

        /**
         * More routes, added after Kiln's own and before the JSON 404 fallback. Handlers may call
         * {@link Auth#require} and throw {@link ApiException}.
         */
        public Builder extraRoutes(Consumer<HttpRouting.Builder> routes) { this.extraRoutes = Objects.requireNonNull(routes, "extraRoutes"); return this; }

        public ApiServer build() {
            require(port >= 0 && port <= 65535, "port must be 0..65535 (0 = any free port), was " + port);
            require(host != null && !host.isBlank(), "host is required");
            require(profiles != null, "runtime is required");
            require(apiKeys != null, "keys (the API key store) is required");
            require(rateLimit >= 1, "rateLimit must be at least 1 request per window, was " + rateLimit);
            require(rateWindow != null && rateWindow.toMillis() >= 1000, "rate window must be at least 1 second, was " + rateWindow);
            require(maxBodyBytes >= 1024, "maxBodyBytes must be at least 1024, was " + maxBodyBytes);
            require(authCacheTtl != null && !authCacheTtl.isNegative(), "authCacheTtl must be zero or positive, was " + authCacheTtl);
            require(commitTimeout != null && commitTimeout.toMillis() > 0, "commitTimeout must be positive, was " + commitTimeout);
            if (registry == null) registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            return new ApiServer(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) throw new IllegalArgumentException("api server: " + message);
        }
    }
}
