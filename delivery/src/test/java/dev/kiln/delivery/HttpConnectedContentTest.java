package dev.kiln.delivery;

import dev.kiln.definitions.Connection;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.ConnectedContent.Request;
import dev.kiln.liquid.ConnectedContentException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpConnectedContentTest {
    private final MockWebServer server = new MockWebServer();
    private final Routes routes = new Routes();
    private final TestClock clock = new TestClock();
    private final Secrets secrets = new Secrets();
    private HttpConnectedContent port;

    @BeforeEach void start() throws Exception {
        server.setDispatcher(routes);
        server.start();
        Connections connections = new Connections(secrets, SecretResolver.of(Map.of("PW", "partner-pw-77")::get, secrets),
                OutboundPolicy.defaults(), clock);
        connections.replace(List.of(new Connection("partner", Connection.Type.BASIC_AUTH, null, null, null, null, null, "kiln",
                Connection.SecretRef.env("PW"), null)));
        port = new HttpConnectedContent(connections, OutboundPolicy.defaults(), secrets, clock);
    }

    @AfterEach void stop() { server.close(); }

    private String url(String path) { return server.url(path).toString(); }

    private static Request get(String url) { return new Request("GET", url, null, Map.of(), null, null, false, null, false); }

    private static Request post(String url, String body, String contentType, Integer cacheMaxAge) {
        return new Request("POST", url, body, Map.of("X-Tag", "t1"), contentType, null, false, cacheMaxAge, false);
    }

    @Test void a_get_is_cached_for_five_minutes() {
        routes.on("/weather", Routes.json(200, "{\"t\":1}"), Routes.json(200, "{\"t\":2}"));
        assertThat(port.call(get(url("/weather"))).body()).isEqualTo("{\"t\":1}");
        assertThat(port.call(get(url("/weather"))).body()).isEqualTo("{\"t\":1}");
        assertThat(routes.count("/weather")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(301));
        assertThat(port.call(get(url("/weather"))).body()).isEqualTo("{\"t\":2}");
        assertThat(routes.count("/weather")).isEqualTo(2);
    }

    @Test void the_cache_key_includes_url_and_headers() {
        routes.on("/weather", Routes.json(200, "{}"));
        port.call(get(url("/weather?city=a")));
        port.call(get(url("/weather?city=b")));
        port.call(new Request("GET", url("/weather?city=a"), null, Map.of("X-Lang", "pt"), null, null, false, null, false));
        assertThat(routes.count("/weather")).isEqualTo(3);
    }

    @Test void a_post_is_not_cached_unless_asked() {
        routes.on("/token", Routes.json(200, "{\"access_token\":\"tok-abcdef\"}"));
        port.call(post(url("/token"), "a=b", null, null));
        port.call(post(url("/token"), "a=b", null, null));
        assertThat(routes.count("/token")).isEqualTo(2);
        port.call(post(url("/token"), "a=b", null, 900));
        port.call(post(url("/token"), "a=b", null, 900));
        assertThat(routes.count("/token")).isEqualTo(3);
        assertThat(secrets.mask("Bearer tok-abcdef")).isEqualTo("Bearer ***"); // tokens in answers are registered
    }

    @Test void content_type_follows_brazes_defaults() {
        routes.on("/", Routes.json(200, "{}"));
        port.call(post(url("/form"), "a=b", null, null));
        port.call(post(url("/json"), "{\"a\":\"b\"}", "application/json", null));
        RecordedRequest form = routes.requests("/form").get(0);
        assertThat(form.getHeaders().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(form.getHeaders().get("Accept")).isEqualTo("*/*");
        assertThat(form.getHeaders().get("X-Tag")).isEqualTo("t1");
        assertThat(Routes.body(form)).isEqualTo("a=b");
        RecordedRequest json = routes.requests("/json").get(0);
        assertThat(json.getHeaders().get("Content-Type")).isEqualTo("application/json");
        assertThat(json.getHeaders().get("Accept")).isEqualTo("application/json");
    }

    @Test void a_response_over_one_megabyte_aborts() {
        routes.on("/big", new MockResponse.Builder().code(200).body("x".repeat(ConnectedContent.MAX_RESPONSE_BYTES + 10)).build());
        assertThatThrownBy(() -> port.call(get(url("/big")))).isInstanceOfSatisfying(ConnectedContentException.class, e -> {
            assertThat(e.transientFailure()).isFalse();
            assertThat(e.getMessage()).contains("larger than 1048576 bytes");
        });
        routes.on("/max", new MockResponse.Builder().code(200).body("y".repeat(ConnectedContent.MAX_RESPONSE_BYTES)).build());
        assertThat(port.call(get(url("/max"))).body()).hasSize(ConnectedContent.MAX_RESPONSE_BYTES);
    }

    @Test void redirects_are_not_followed() {
        routes.on("/moved", new MockResponse.Builder().code(302).setHeader("Location", url("/target")).body("moved").build());
        ConnectedContent.Response r = port.call(get(url("/moved")));
        assertThat(r.status()).isEqualTo(302);
        assertThat(routes.count("/target")).isZero();
    }

    @Test void basic_auth_comes_from_the_named_connection() {
        routes.on("/partner", Routes.json(200, "{}"));
        port.call(new Request("GET", url("/partner"), null, Map.of(), null, "partner", false, null, true));
        assertThat(routes.requests("/partner").get(0).getHeaders().get("Authorization"))
                .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("kiln:partner-pw-77".getBytes()));
        assertThatThrownBy(() -> port.call(new Request("GET", url("/partner"), null, Map.of(), null, "ghost", false, null, true)))
                .isInstanceOfSatisfying(ConnectedContentException.class, e -> {
                    assertThat(e.transientFailure()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("unknown basic_auth credential 'ghost'");
                });
    }

    @Test void the_outbound_policy_refuses_before_any_request() {
        assertThatThrownBy(() -> port.call(get("http://169.254.169.254/latest/meta-data/iam")))
                .isInstanceOfSatisfying(ConnectedContentException.class, e -> {
                    assertThat(e.transientFailure()).isFalse();
                    assertThat(e.getMessage()).contains("169.254.0.0/16");
                });
    }

    @Test void a_slow_answer_is_a_transient_failure() {
        routes.on("/slow", new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).body("late").build());
        assertThatThrownBy(() -> port.call(get(url("/slow")))).isInstanceOfSatisfying(ConnectedContentException.class,
                e -> assertThat(e.transientFailure()).isTrue());
    }

    @Test void a_refused_connection_is_a_transient_failure() {
        String dead = url("/gone");
        server.close();
        assertThatThrownBy(() -> port.call(get(dead))).isInstanceOfSatisfying(ConnectedContentException.class, e -> {
            assertThat(e.transientFailure()).isTrue();
            assertThat(e.getMessage()).isEqualTo("connection refused");
        });
    }
}
