package dev.kiln.server.fake;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A small fake of Salesforce for tests and for trying Kiln's lead handoff locally: the OAuth 2.0 client
 * credentials token endpoint and {@code PATCH} of a Lead, answering as Salesforce does, including its errors, and
 * recording every request.
 *
 * <pre>{@code
 * try (FakeSalesforce sf = FakeSalesforce.start(0).clientId("kiln").clientSecret("s3cret")) {
 *     ... point Kiln's salesforce connection at sf.tokenUrl() ...
 *     assertThat(sf.patchesFor("00Q5e00000AbCdE")).hasSize(1);
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code POST /services/oauth2/token} with a form {@code grant_type=client_credentials&client_id=…&client_secret=…}
 *       (or the id and secret in a Basic {@code Authorization} header): 200 with {@code access_token},
 *       {@code signature}, {@code scope}, {@code instance_url} ({@link #baseUrl()} unless {@link #instanceUrl(String)}),
 *       {@code id}, {@code token_type: Bearer}, {@code issued_at}. Another client id or secret: 400
 *       {@code invalid_client}; another grant type: 400 {@code unsupported_grant_type}.</li>
 *   <li>{@code PATCH /services/data/vNN.N/sobjects/Lead/{id}} with {@code Authorization: Bearer <token>}: 204; 401
 *       {@code INVALID_SESSION_ID} for a missing, foreign or stale token ({@link #expireTokens()}); 404
 *       {@code NOT_FOUND} for an unknown lead; 415 for a non-JSON {@code Content-Type}; 400
 *       {@code JSON_PARSER_ERROR} when the body is not a JSON object. Fields are not checked.</li>
 *   <li>503 on demand: {@link #failWith503(int)} (the next n lead requests) or {@link #unavailable(boolean)} (every
 *       Salesforce request, the token endpoint included, until turned off).</li>
 *   <li>Anything else: 404 {@code NOT_FOUND}, recorded like the rest.</li>
 *   <li>{@code /_fake/requests} and {@code /_fake/config}: see {@link ControlEndpoints}.</li>
 * </ul>
 *
 * <p>Lead ids: by default any id shaped like a Salesforce id (15 or 18 letters and digits) is known.
 * {@link #knownLeads(String...)} makes only the listed ids known, {@link #acceptAnyLead(boolean)} every id, and
 * {@link #unknownLeads(String...)} declares ids that are never found, whatever else is set.
 *
 * <p>Built for load: handlers answer from constants and keep no state per token (see {@link Tokens}); connections
 * are kept alive; the log of requests is bounded ({@link #recordLimit(int)}). Nothing is logged per request, and the
 * client secret is never logged, shown or recorded. Every setting may change while the fake runs.
 */
public final class FakeSalesforce implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FakeSalesforce.class);

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_CLIENT_ID = "kiln-local";
    public static final String DEFAULT_CLIENT_SECRET = "kiln-local-secret";
    /** The API version of the seed's URL; the fake accepts any {@code vNN.N}. */
    public static final String API_VERSION = "v60.0";
    public static final String TOKEN_PATH = "/services/oauth2/token";
    public static final String LEAD_PATH = "/services/data/" + API_VERSION + "/sobjects/Lead/";
    public static final int DEFAULT_RECORD_LIMIT = 10_000;
    static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8");
    private static final byte[] NO_BODY = new byte[0];

    private final Clock clock;
    private final Settings settings;
    private final Tokens tokens = new Tokens();
    private final RequestLog requests = new RequestLog(DEFAULT_RECORD_LIMIT);
    private final WebServer server;
    private final String baseUrl;

    private FakeSalesforce(String host, int port, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = new Settings(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "http://unstarted");
        TokenEndpoint token = new TokenEndpoint(settings, tokens, clock);
        LeadEndpoint lead = new LeadEndpoint(settings, tokens);
        ControlEndpoints control = new ControlEndpoints(this);
        String leadPath = "/services/data/{version}/sobjects/Lead/{id}";
        HttpRouting.Builder routing = HttpRouting.builder()
                .post(TOKEN_PATH, recorded(true, (req, body) -> token.answer(req, new String(body, StandardCharsets.UTF_8))))
                .patch(leadPath, recorded(false, lead::answer))
                .any(leadPath, recorded(false, (req, body) -> Answer.restError(405, "METHOD_NOT_ALLOWED",
                        "HTTP Method '" + req.prologue().method().text() + "' not allowed. Allowed are PATCH (this fake implements only PATCH of a Lead)")))
                .get("/_fake/requests", (req, res) -> send(res, control.requests(req)))
                .delete("/_fake/requests", (req, res) -> send(res, control.clear()))
                .get("/_fake/config", (req, res) -> send(res, control.config()))
                .post("/_fake/config", (req, res) -> send(res, control.update(body(req))))
                .any(recorded(false, (req, body) -> Answer.NOT_FOUND));
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                .maxPayloadSize(MAX_BODY_BYTES)
                .routing(routing)
                .build()
                .start();
        this.baseUrl = "http://" + urlHost(host) + ":" + server.port();
        settings.instanceUrl = baseUrl;
    }

    /** Starts a fake on {@value #DEFAULT_HOST}; port 0 picks a free port. */
    public static FakeSalesforce start(int port) {
        return start(DEFAULT_HOST, port, Clock.systemUTC());
    }

    /** Starts a fake on {@code host}; the clock stamps {@code issued_at} and recorded requests. */
    public static FakeSalesforce start(String host, int port, Clock clock) {
        FakeSalesforce fake = new FakeSalesforce(host, port, clock);
        log.info("Fake Salesforce listening on {} (token endpoint {})", fake.baseUrl, fake.tokenUrl());
        return fake;
    }

    public int port() { return server.port(); }

    /** {@code http://host:port}, without a trailing slash. */
    public String baseUrl() { return baseUrl; }

    public String tokenUrl() { return baseUrl + TOKEN_PATH; }

    /** {@code baseUrl/services/data/v60.0/sobjects/Lead/ID}: where the seed's webhook sends a lead's PATCH. */
    public String leadUrl(String leadId) { return baseUrl + LEAD_PATH + leadId; }

    /** Stops serving; idempotent. */
    @Override public void close() {
        if (server.isRunning()) server.stop();
    }

    // ---- settings (any time, chainable) ----

    /** The client id accepted by the token endpoint; default {@value #DEFAULT_CLIENT_ID}. */
    public FakeSalesforce clientId(String clientId) {
        settings.clientId = requireText(clientId, "clientId");
        return this;
    }

    /** The client secret accepted by the token endpoint; default {@value #DEFAULT_CLIENT_SECRET}. Never logged. */
    public FakeSalesforce clientSecret(String clientSecret) {
        settings.clientSecret = requireText(clientSecret, "clientSecret");
        return this;
    }

    /** The {@code instance_url} of token responses; default {@link #baseUrl()} (set it when Kiln reaches the fake by another name). */
    public FakeSalesforce instanceUrl(String instanceUrl) {
        String url = requireText(instanceUrl, "instanceUrl");
        settings.instanceUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return this;
    }

    /** Only these lead ids are known (replaces any earlier list; none restores the default: any id-shaped id). */
    public FakeSalesforce knownLeads(String... leadIds) {
        settings.knownLeads = Set.copyOf(Arrays.asList(leadIds));
        return this;
    }

    /** These lead ids answer 404 whatever else is set (replaces any earlier list). */
    public FakeSalesforce unknownLeads(String... leadIds) {
        settings.unknownLeads = Set.copyOf(Arrays.asList(leadIds));
        return this;
    }

    /** True: every lead id is known except {@link #unknownLeads(String...)}, e.g. for benchmarks with made-up ids. */
    public FakeSalesforce acceptAnyLead(boolean any) {
        settings.acceptAnyLead = any;
        return this;
    }

    /** The next {@code n} lead requests answer 503 (replaces any count still pending; 0 cancels). */
    public FakeSalesforce failWith503(int n) {
        settings.failWith503(n);
        return this;
    }

    /** True: every Salesforce request (token endpoint included) answers 503 until set back to false. */
    public FakeSalesforce unavailable(boolean unavailable) {
        settings.unavailable = unavailable;
        return this;
    }

    /** Sends {@code Retry-After: seconds} with every 503; 0 (the default) sends none. */
    public FakeSalesforce retryAfterSeconds(int seconds) {
        if (seconds < 0) throw new IllegalArgumentException("retryAfterSeconds must be >= 0, was " + seconds);
        settings.retryAfterSeconds = seconds;
        return this;
    }

    /** Makes every token issued so far stale (401 {@code INVALID_SESSION_ID}); tokens issued later are current. */
    public FakeSalesforce expireTokens() {
        tokens.expireAll();
        return this;
    }

    /** How many requests are kept (the oldest are dropped past it); default {@value #DEFAULT_RECORD_LIMIT}. */
    public FakeSalesforce recordLimit(int limit) {
        requests.limit(limit);
        return this;
    }

    /** Forgets the recorded requests and the counts by status. */
    public FakeSalesforce clearRequests() {
        requests.clear();
        return this;
    }

    // ---- what arrived ----

    /** Every recorded request, oldest first (up to {@link #recordLimit(int)} most recent). */
    public List<Recorded> requests() { return requests.snapshot(); }

    /** The recorded {@code PATCH}es of leads, whatever they were answered. */
    public List<Recorded> patches() {
        return requests.snapshot().stream().filter(r -> r.isPatch() && r.leadId().isPresent()).toList();
    }

    public List<Recorded> patchesFor(String leadId) {
        return patches().stream().filter(r -> r.leadId().orElseThrow().equals(leadId)).toList();
    }

    /** Requests answered since the start or the last {@link #clearRequests()}, dropped ones included. */
    public long requestCount() { return requests.total(); }

    /** Requests by the status they were answered, dropped ones included. */
    public Map<Integer, Long> countsByStatus() { return requests.countsByStatus(); }

    public long tokensIssued() { return tokens.issuedCount(); }

    RequestLog log() { return requests; }

    Settings settings() { return settings; }

    // ---- plumbing ----

    /** Reads the body, answers, records (before sending, so a client that got its answer finds its request recorded). */
    private io.helidon.webserver.http.Handler recorded(boolean tokenEndpoint, BiFunction<ServerRequest, byte[], Answer> endpoint) {
        return (req, res) -> {
            Instant at = clock.instant();
            byte[] body = body(req);
            Answer answer;
            try {
                answer = endpoint.apply(req, body);
            } catch (RuntimeException e) {
                answer = Answer.restError(500, "UNKNOWN_EXCEPTION", "the fake failed: " + e);
            }
            String text = body.length == 0 ? "" : new String(body, StandardCharsets.UTF_8);
            requests.add(new Recorded(req.prologue().method().text(), req.path().path(), req.query().rawValue(),
                    headers(req), tokenEndpoint ? TokenEndpoint.redact(text) : text, at, answer.status()));
            send(res, answer);
        };
    }

    private void send(ServerResponse res, Answer answer) {
        res.status(answer.status());
        if (answer.isUnavailable() && settings.retryAfterSeconds > 0) {
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(settings.retryAfterSeconds));
        }
        if (answer.json() == null) {
            res.send();
        } else {
            res.header(JSON);
            res.send(answer.json());
        }
    }

    private static byte[] body(ServerRequest req) {
        return req.content().hasEntity() ? req.content().as(byte[].class) : NO_BODY;
    }

    private static Map<String, String> headers(ServerRequest req) {
        Map<String, String> out = new HashMap<>();
        for (Header h : req.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            String value = h.valueCount() == 1 ? h.get() : String.join(", ", h.allValues());
            if (name.equals("authorization") && value.regionMatches(true, 0, "Basic ", 0, 6)) {
                value = "Basic " + Recorded.REDACTED;
            }
            out.merge(name, value, (a, b) -> a + ", " + b);
        }
        return out;
    }

    private static String urlHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) return DEFAULT_HOST;
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(name + " must not be blank");
        return value;
    }

    @Override public String toString() {
        return "FakeSalesforce[" + baseUrl + ", client id " + settings.clientId + "]";
    }
}
