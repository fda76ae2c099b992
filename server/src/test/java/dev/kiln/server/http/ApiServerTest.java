package dev.kiln.server.http;

import dev.kiln.engine.Input;
import dev.kiln.runtime.CommitFailedException;
import dev.kiln.runtime.DrainingException;
import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP layer over a runtime stand-in: auth, limits, errors, framing. Endpoint behaviour is tested over the real runtime. */
class ApiServerTest {
    private static final String ONE_EVENT = """
            {"events":[{"external_id":"u1","name":"demo_requested","time":"2026-01-01T00:00:00Z"}]}""";

    private final FakeProfiles profiles = new FakeProfiles();
    private final MemoryApiKeys keys = new MemoryApiKeys();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String trackKey = keys.add("track", Scopes.USERS_TRACK);
    private final String exportKey = keys.add("export", Scopes.USERS_EXPORT);
    private ApiServer server;
    private Http http;

    private void start(Consumer<ApiServer.Builder> settings) {
        ApiServer.Builder b = ApiServer.builder().port(0).profiles(profiles).keys(keys).registry(registry)
                .authCacheTtl(Duration.ZERO);
        settings.accept(b);
        server = b.build().start();
        http = new Http(server.port());
    }

    private void start() { start(b -> { }); }

    @AfterEach
    void stop() {
        if (server != null) server.stop();
    }

    @Test
    void health_is_up_without_a_key() {
        start();
        Http.Response r = http.get("/health", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void health_is_503_draining_while_the_runtime_drains() {
        start();
        profiles.draining = true;
        Http.Response r = http.get("/health", null);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().path("status").asText()).isEqualTo("DRAINING");
    }

    @Test
    void metrics_are_prometheus_text_with_request_and_object_counters() {
        start();
        http.post("/users/track", trackKey, ONE_EVENT);
        Http.Response r = http.get("/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body()).contains("kiln_http_requests_total{route=\"/users/track\",status=\"201\"} 1.0")
                .contains("kiln_ingest_objects_total{outcome=\"accepted\",type=\"events\"} 1.0");
    }

    @Test
    void a_missing_key_is_401_with_a_message() {
        start();
        Http.Response r = http.post("/users/track", null, ONE_EVENT);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.message()).startsWith("Missing API key");
        assertThat(profiles.submissions).isEmpty();
    }

    @Test
    void an_unknown_key_is_401_invalid_api_key() {
        start();
        Http.Response r = http.post("/users/track", "kiln_not-a-real-key", ONE_EVENT);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.message()).isEqualTo("Invalid API key");
        assertThat(r.header("X-RateLimit-Limit")).isNull();
    }

    @Test
    void a_non_bearer_authorization_header_is_401() {
        start();
        Http.Response r = http.send(http.request("/users/track", null).header("Authorization", "Basic dXNlcjpwYXNz")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ONE_EVENT)));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.message()).startsWith("Invalid API key");
    }

    @Test
    void a_revoked_key_is_401() {
        start();
        assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(201);
        keys.revoke("track", 1);
        assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(401);
    }

    @Test
    void a_key_without_the_scope_gets_403_access_denied_and_nothing_is_submitted() {
        start();
        Http.Response r = http.post("/users/track", exportKey, ONE_EVENT);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.message()).isEqualTo("Access Denied");
        assertThat(r.json().path("reason").asText()).contains("users.track");
        assertThat(profiles.submissions).isEmpty();
    }

    @Test
    void every_authenticated_response_carries_rate_limit_headers() {
        start(b -> b.rateLimit(100, Duration.ofSeconds(3)));
        long windowEnd = Math.ceilDiv((profiles.clock.millis() / 3000 + 1) * 3000, 1000L);
        List<Http.Response> responses = List.of(
                http.post("/users/track", trackKey, ONE_EVENT),        // 201
                http.post("/users/track", trackKey, "{\"events\":5}"), // 400
                http.post("/users/track", exportKey, ONE_EVENT));      // 403
        assertThat(responses).extracting(Http.Response::status).containsExactly(201, 400, 403);
        for (Http.Response r : responses) {
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("100");
            assertThat(r.header("X-RateLimit-Reset")).isEqualTo(Long.toString(windowEnd));
        }
        assertThat(responses.get(0).header("X-RateLimit-Remaining")).isEqualTo("99");
        assertThat(responses.get(1).header("X-RateLimit-Remaining")).isEqualTo("98");
    }

    @Test
    void requests_past_the_limit_get_429_until_the_window_ends() {
        start(b -> b.rateLimit(3, Duration.ofSeconds(3)));
        profiles.clock.set(1_800_000_000_000L); // start of a window
        for (int i = 0; i < 3; i++) assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(201);
        Http.Response limited = http.post("/users/track", trackKey, ONE_EVENT);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.message()).contains("Rate limit");
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(limited.header("Retry-After")).isEqualTo("3");
        assertThat(profiles.submissions).hasSize(3);

        profiles.clock.advance(Duration.ofSeconds(3));
        Http.Response next = http.post("/users/track", trackKey, ONE_EVENT);
        assertThat(next.status()).isEqualTo(201);
        assertThat(next.header("X-RateLimit-Remaining")).isEqualTo("2");
    }

    @Test
    void rate_limits_are_counted_per_key() {
        String other = keys.add("other", Scopes.USERS_TRACK);
        start(b -> b.rateLimit(1, Duration.ofSeconds(3)));
        assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(201);
        assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(429);
        assertThat(http.post("/users/track", other, ONE_EVENT).status()).isEqualTo(201);
    }

    @Test
    void a_body_over_the_limit_is_413_with_a_json_message() {
        start(b -> b.maxBodyBytes(64 * 1024));
        Http.Response r = http.post("/users/track", trackKey, "{\"events\":[\"" + "x".repeat(100_000) + "\"]}");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.message()).contains("larger than 65536 bytes");
        assertThat(profiles.submissions).isEmpty();
    }

    @Test
    void a_ten_megabyte_body_is_refused_cleanly_with_or_without_a_content_length() {
        start();
        byte[] tenMb = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(tenMb, (byte) ' ');
        Http.Response declared = http.postBytes("/users/track", trackKey, "application/json", tenMb);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.message()).contains("larger than");
        Http.Response chunked = http.send(http.request("/users/track", trackKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tenMb))));
        assertThat(chunked.status()).isEqualTo(413);
        // The connection is still usable afterwards.
        assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(201);
    }

    @Test
    void an_empty_body_is_400() {
        start();
        Http.Response r = http.postBytes("/users/track", trackKey, "application/json", new byte[0]);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("empty");
    }

    @Test
    void a_non_json_content_type_is_415() {
        start();
        Http.Response r = http.postBytes("/users/track", trackKey, "text/plain", ONE_EVENT.getBytes());
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.message()).contains("application/json");
        assertThat(profiles.submissions).isEmpty();
    }

    @Test
    void a_missing_content_type_is_read_as_json() {
        start();
        assertThat(http.postBytes("/users/track", trackKey, null, ONE_EVENT.getBytes()).status()).isEqualTo(201);
    }

    @Test
    void malformed_json_is_400_with_its_position() {
        start();
        Http.Response r = http.post("/users/track", trackKey, "{\"events\": [1, 2,}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).startsWith("Malformed JSON at line 1, column");
    }

    @Test
    void json_nested_ten_thousand_levels_deep_is_400() {
        start();
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        Http.Response r = http.post("/users/track", trackKey, "{\"attributes\":" + deep + "}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("nesting depth");
    }

    @Test
    void a_repeated_key_is_400_rather_than_last_one_wins() {
        start();
        Http.Response r = http.post("/users/track", trackKey, """
                {"attributes":[{"external_id":"a","external_id":"b"}]}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("Duplicate field");
    }

    @Test
    void trailing_content_after_the_json_is_400() {
        start();
        assertThat(http.post("/users/track", trackKey, ONE_EVENT + " {}").status()).isEqualTo(400);
    }

    @Test
    void an_unknown_endpoint_is_404_json() {
        start();
        Http.Response r = http.get("/users/nope", trackKey);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.message()).isEqualTo("No such endpoint: GET \"/users/nope\"");
    }

    @Test
    void a_draining_runtime_gives_503_and_nothing_is_submitted() {
        start();
        profiles.draining = true;
        Http.Response r = http.post("/users/track", trackKey, ONE_EVENT);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.message()).contains("shutting down");
        assertThat(r.header("Retry-After")).isEqualTo("1");
        assertThat(profiles.submissions).isEmpty();
    }

    @Test
    void a_submission_refused_while_draining_gives_503() {
        start();
        profiles.answer = ops -> CompletableFuture.failedFuture(new DrainingException());
        assertThat(http.post("/users/track", trackKey, ONE_EVENT).status()).isEqualTo(503);
    }

    @Test
    void a_failed_commit_gives_503_saying_nothing_was_applied() {
        start();
        profiles.answer = ops -> CompletableFuture.failedFuture(new CommitFailedException("disk full", null));
        Http.Response r = http.post("/users/track", trackKey, ONE_EVENT);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.message()).contains("nothing was applied");
    }

    @Test
    void a_commit_that_takes_too_long_gives_503() {
        start(b -> b.commitTimeout(Duration.ofMillis(200)));
        profiles.answer = ops -> new CompletableFuture<>();
        Http.Response r = http.post("/users/track", trackKey, ONE_EVENT);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.message()).contains("may still be applied");
    }

    @Test
    void an_unexpected_failure_is_500_internal_error_without_details() {
        start();
        profiles.answer = ops -> { throw new IllegalStateException("password=hunter2"); };
        Http.Response r = http.post("/users/track", trackKey, ONE_EVENT);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.json()).isEqualTo(Http.JSON.createObjectNode().put("message", "internal error"));
    }

    @Test
    void track_submits_one_unit_attributes_then_events_then_purchases() {
        start();
        Http.Response r = http.post("/users/track", trackKey, """
                {"purchases":[{"external_id":"u1","product_id":"plan","currency":"usd","price":9.5,"time":"2026-01-01T00:00:00Z"}],
                 "events":[{"external_id":"u1","name":"e","time":"2026-01-01T00:00:00Z"}],
                 "attributes":[{"external_id":"u1","lead score":{"inc":5}}]}""");
        assertThat(r.status()).isEqualTo(201);
        String requestId = r.header("X-Request-Id");
        assertThat(profiles.submissions).hasSize(1);
        List<Op> ops = profiles.submissions.get(0);
        assertThat(ops).extracting(op -> ((Op.Apply) op).input().id())
                .containsExactly(requestId + ".a0", requestId + ".e0", requestId + ".p0");
        assertThat(((Op.Apply) ops.get(2)).input()).isInstanceOfSatisfying(Input.TrackPurchase.class,
                p -> assertThat(p.currency()).isEqualTo("USD"));
    }

    @Test
    void objects_the_runtime_refuses_are_listed_in_errors() {
        start();
        profiles.answer = ops -> {
            List<Outcome> out = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) out.add(i == 1 ? Outcome.error("no user with external_id \"ghost\"") : Outcome.ok("u"));
            return CompletableFuture.completedFuture(out);
        };
        Http.Response r = http.post("/users/track", trackKey, """
                {"events":[{"external_id":"u1","name":"e","time":"2026-01-01T00:00:00Z"},
                           {"external_id":"ghost","name":"e","time":"2026-01-01T00:00:00Z","_update_existing_only":true}]}""");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("events_processed").asInt()).isEqualTo(1);
        assertThat(r.json().path("errors")).hasSize(1);
        assertThat(r.json().path("errors").get(0).path("type").asText()).isEqualTo("rejected");
        assertThat(r.json().path("errors").get(0).path("index").asInt()).isEqualTo(1);
    }

    @Test
    void extra_routes_can_require_a_scope_and_throw_api_exceptions() {
        start(b -> b.extraRoutes(r -> r
                .get("/segments", (req, res) -> {
                    if (Auth.require(req, res, Scopes.SEGMENTS_READ).isEmpty()) return;
                    res.send("[]");
                })
                .get("/segments/{id}", (req, res) -> {
                    throw new ApiException.NotFound("no segment " + req.path().pathParameters().get("id"));
                })));
        String segments = keys.add("segments", Scopes.SEGMENTS_READ);
        assertThat(http.get("/segments", trackKey).status()).isEqualTo(403);
        assertThat(http.get("/segments", null).status()).isEqualTo(401);
        Http.Response ok = http.get("/segments", segments);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("X-RateLimit-Limit")).isNotNull();
        Http.Response missing = http.get("/segments/leads", segments);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.message()).isEqualTo("no segment leads");
        assertThat(http.get("/metrics", null).body()).contains("route=\"/segments\"");
    }

    @Test
    void the_builder_refuses_bad_settings_naming_them() {
        assertThatThrownBy(() -> ApiServer.builder().port(0).keys(keys).build())
                .hasMessageContaining("runtime is required");
        assertThatThrownBy(() -> ApiServer.builder().port(70000).profiles(profiles).keys(keys).build())
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ApiServer.builder().port(0).profiles(profiles).keys(keys).rateLimit(0, Duration.ofSeconds(1)).build())
                .hasMessageContaining("rateLimit");
        assertThatThrownBy(() -> ApiServer.builder().port(0).profiles(profiles).keys(keys).maxBodyBytes(10).build())
                .hasMessageContaining("maxBodyBytes");
    }

    @Test
    void scopes_list_every_scope_once() {
        assertThat(Scopes.ALL).doesNotHaveDuplicates().hasSize(14).contains("users.track", "messages.read", "cdi.read", "cdi.sync", "currents.read");
    }
}
