package dev.kiln.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.definitions.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code connections/*.yaml} definitions in force, and the credentials they give:
 * <ul>
 *   <li>OAuth 2.0 client credentials: a token is fetched from the token endpoint (a form POST with
 *       {@code grant_type=client_credentials}, {@code client_id}, {@code client_secret}, {@code scope} and the
 *       extra {@code params}), cached until {@code expires_in} minus a margin ({@value #DEFAULT_LIFETIME_SECONDS} s
 *       when the answer has none, as Salesforce's), refreshed after {@link #invalidate}. Templates read it as
 *       {@code {{connections.ID.access_token}}}, {@code .instance_url}, {@code .token_type};</li>
 *   <li>basic auth: named credentials for {@code connected_content … :basic_auth ID}.</li>
 * </ul>
 * Secrets are read at use through the {@link SecretResolver}; every secret and token is registered with
 * {@link Secrets} so it is masked wherever it could appear. Thread-safe; one token request per connection
 * at a time.
 */
public final class Connections {
    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    /** Assumed token lifetime when the endpoint says nothing ({@code expires_in} absent). */
    public static final long DEFAULT_LIFETIME_SECONDS = 3600;
    /** A token is renewed this long before it expires (or at 10% of its lifetime when that is shorter). */
    public static final Duration EXPIRY_MARGIN = Duration.ofSeconds(60);
    static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_TOKEN_RESPONSE = 64 * 1024;

    private final Secrets secrets;
    private final SecretResolver resolver;
    private final OutboundPolicy policy;
    private final Clock clock;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private volatile Map<String, Connection> byId = Map.of();
    private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();
    /** One token request per connection at a time; a lock, not synchronized, so waiting virtual threads unmount (JDK 21). */
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** A cached token; {@code expiresAt} is when it must no longer be used (margin applied). */
    private record Token(String accessToken, String instanceUrl, String tokenType, long expiresAt, Connection definition) {}

    public Connections(Secrets secrets, SecretResolver resolver, OutboundPolicy policy, Clock clock) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = Http.client(Duration.ofSeconds(5));
    }

    /** Connections reading secrets from the environment and files. */
    public static Connections standard(Collection<Connection> definitions, Secrets secrets, OutboundPolicy policy, Clock clock) {
        Connections c = new Connections(secrets, SecretResolver.standard(secrets), policy, clock);
        c.replace(definitions);
        return c;
    }

    /** Replaces the definitions (a reload). Cached tokens of changed or removed connections are dropped. */
    public void replace(Collection<Connection> definitions) {
        Map<String, Connection> m = new LinkedHashMap<>();
        for (Connection c : definitions) m.put(c.id(), c);
        byId = Map.copyOf(m);
        tokens.entrySet().removeIf(e -> !e.getValue().definition().equals(m.get(e.getKey())));
    }

    public Set<String> ids() { return byId.keySet(); }

    public Optional<Connection> get(String id) { return Optional.ofNullable(byId.get(id)); }

    /** The registry this instance masks with (shared with delivery). */
    public Secrets secrets() { return secrets; }

    /**
     * The value of the Liquid variable {@code connections} for templates that mention {@code ids}: for
     * every OAuth connection among them, {@code {access_token, instance_url, token_type}}, fetching tokens
     * as needed. Ids that are not connections, or are basic-auth ones, are left out (they render empty).
     *
     * @throws ConnectionException when a token cannot be had (retryable for network errors and 5xx)
     * @throws SecretException when the client secret cannot be read
     */
    public Map<String, Object> variables(Set<String> ids) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String id : ids) {
            Connection c = byId.get(id);
            if (c == null || c.type() != Connection.Type.OAUTH2_CLIENT_CREDENTIALS) continue;
            Token t = token(c);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("access_token", t.accessToken());
            if (t.instanceUrl() != null) v.put("instance_url", t.instanceUrl());
            v.put("token_type", t.tokenType());
            out.put(id, v);
        }
        return out;
    }

    /** The access token of an OAuth connection (fetched or cached). */
    public String accessToken(String id) {
        Connection c = byId.get(id);
        if (c == null) throw new ConnectionException(id, null, "unknown connection '" + id + "'", false, null);
        if (c.type() != Connection.Type.OAUTH2_CLIENT_CREDENTIALS)
            throw new ConnectionException(id, null, "connection '" + id + "' is not an OAuth connection", false, null);
        return token(c).accessToken();
    }

    /** Forgets the cached token of {@code id}: the next use fetches a new one (after a 401). */
    public void invalidate(String id) {
        if (tokens.remove(id) != null) log.info("connection '{}': token invalidated; the next use fetches a new one", id);
    }

    /**
     * The {@code Authorization} header value for a basic-auth connection, {@code Basic base64(user:password)}.
     *
     * @throws ConnectionException when {@code id} is unknown or not a basic-auth connection
     */
    public String basicAuthHeader(String id) {
        Connection c = byId.get(id);
        if (c == null) throw new ConnectionException(id, null, "unknown basic_auth credential '" + id + "'", false, null);
        if (c.type() != Connection.Type.BASIC_AUTH)
            throw new ConnectionException(id, null, "connection '" + id + "' is not a basic_auth connection", false, null);
        String password = c.password() == null ? "" : resolver.resolve(c.password());
        String user = c.username() == null ? "" : c.username();
        String header = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        secrets.register(header.substring(6));
        return header;
    }

    private Token token(Connection c) {
        Token t = tokens.get(c.id());
        if (valid(t, c)) return t;
        ReentrantLock lock = locks.computeIfAbsent(c.id(), k -> new ReentrantLock());
        lock.lock();
        try {
            t = tokens.get(c.id());
            if (valid(t, c)) return t;
            t = fetch(c);
            tokens.put(c.id(), t);
            return t;
        } finally {
            lock.unlock();
        }
    }

    private boolean valid(Token t, Connection c) {
        return t != null && t.definition().equals(c) && clock.millis() < t.expiresAt();
    }

    private Token fetch(Connection c) {
        if (c.tokenUrl() == null) throw new ConnectionException(c.id(), null, "connection '" + c.id() + "' has no token_url", false, null);
        URI uri;
        try {
            uri = URI.create(c.tokenUrl());
        } catch (IllegalArgumentException e) {
            throw new ConnectionException(c.id(), null, "connection '" + c.id() + "': token_url is not a URL", false, null);
        }
        try {
            policy.check(uri);
        } catch (OutboundDeniedException e) {
            throw new ConnectionException(c.id(), null, "connection '" + c.id() + "': " + e.getMessage(), false, e);
        }
        String secret = c.clientSecret() == null ? null : resolver.resolve(c.clientSecret());
        StringJoiner form = new StringJoiner("&");
        form.add("grant_type=client_credentials");
        if (c.clientId() != null) form.add("client_id=" + enc(c.clientId()));
        if (secret != null) form.add("client_secret=" + enc(secret));
        if (c.scope() != null) form.add("scope=" + enc(c.scope()));
        c.params().forEach((k, v) -> form.add(enc(k) + "=" + enc(v)));
        HttpRequest request = Http.request(uri)
                .timeout(TOKEN_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
                .build();
        long now = clock.millis();
        Http.Answer a;
        try {
            a = Http.exchange(http, request, MAX_TOKEN_RESPONSE, TOKEN_TIMEOUT);
        } catch (Http.NetworkFailure e) {
            throw new ConnectionException(c.id(), null, "connection '" + c.id() + "': token endpoint "
                    + secrets.maskUrl(c.tokenUrl()) + " unreachable: " + secrets.mask(e.getMessage()), true, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException(c.id(), null, "connection '" + c.id() + "': interrupted", true, null);
        }
        JsonNode body = parse(a.text());
        if (a.status() < 200 || a.status() >= 300) {
            String error = body == null ? null : text(body, "error");
            String description = body == null ? null : text(body, "error_description");
            String detail = error == null ? "" : ": " + error + (description == null ? "" : " (" + description + ")");
            boolean retryable = a.status() >= 500 || a.status() == 408 || a.status() == 429;
            throw new ConnectionException(c.id(), a.status(), secrets.mask("connection '" + c.id() + "': token endpoint "
                    + secrets.maskUrl(c.tokenUrl()) + " answered " + a.status() + detail), retryable, null);
        }
        String access = body == null ? null : text(body, "access_token");
        if (access == null || access.isEmpty())
            throw new ConnectionException(c.id(), a.status(), "connection '" + c.id() + "': the token endpoint's answer has no access_token", true, null);
        secrets.register(access);
        long lifetime = DEFAULT_LIFETIME_SECONDS;
        JsonNode exp = body.get("expires_in");
        if (exp != null && (exp.isNumber() || exp.isTextual())) {
            try {
                lifetime = Long.parseLong(exp.asText().strip());
            } catch (NumberFormatException ignored) {
                // keep the default
            }
        }
        long margin = Math.min(EXPIRY_MARGIN.toSeconds(), Math.max(0, lifetime / 10));
        long expiresAt = now + Math.max(0, lifetime - margin) * 1000;
        String instance = c.instanceUrl() != null ? c.instanceUrl() : text(body, "instance_url");
        String type = text(body, "token_type");
        log.info("connection '{}': token fetched, valid for {} s", c.id(), lifetime);
        return new Token(access, instance, type == null ? "Bearer" : type, expiresAt, c);
    }

    private JsonNode parse(String text) {
        try {
            JsonNode n = json.readTree(text);
            return n != null && n.isObject() ? n : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }
}
