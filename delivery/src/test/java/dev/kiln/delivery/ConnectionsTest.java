package dev.kiln.delivery;

import dev.kiln.definitions.Connection;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionsTest {
    private static final String SECRET = "client-secret-Zq81";
    private final MockWebServer server = new MockWebServer();
    private final Routes routes = new Routes();
    private final TestClock clock = new TestClock();
    private final Secrets secrets = new Secrets();
    private final Map<String, String> env = new HashMap<>(Map.of("CRM_SECRET", SECRET, "PARTNER_PW", "partner-pw-77"));
    private Connections connections;

    @BeforeEach void start() throws Exception {
        server.setDispatcher(routes);
        server.start();
        connections = new Connections(secrets, SecretResolver.of(env::get, secrets), OutboundPolicy.defaults(), clock);
        connections.replace(List.of(crm(null, Map.of("audience", "leads api")), basic()));
    }

    @AfterEach void stop() { server.close(); }

    private Connection crm(String instanceUrl, Map<String, String> params) {
        return new Connection("crm", Connection.Type.OAUTH2_CLIENT_CREDENTIALS, server.url("/token").toString(), "kiln-client",
                Connection.SecretRef.env("CRM_SECRET"), "api refresh", instanceUrl, null, null, params);
    }

    private static Connection basic() {
        return new Connection("partner", Connection.Type.BASIC_AUTH, null, null, null, null, null, "kiln",
                Connection.SecretRef.env("PARTNER_PW"), null);
    }

    private static String token(String value, Integer expiresIn) {
        return "{\"access_token\":\"" + value + "\",\"instance_url\":\"https://acme.my.salesforce.com\",\"token_type\":\"Bearer\""
                + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn) + "}";
    }

    @SuppressWarnings("unchecked")
    private String accessToken() {
        Map<String, Object> vars = connections.variables(Set.of("crm"));
        return (String) ((Map<String, Object>) vars.get("crm")).get("access_token");
    }

    @Test void fetches_a_token_with_the_client_credentials_form_and_caches_it() throws Exception {
        routes.on("/token", Routes.json(200, token("tok-1", null)));
        Map<String, Object> vars = connections.variables(Set.of("crm", "partner", "unknown"));
        assertThat(vars).containsOnlyKeys("crm");
        assertThat(vars.get("crm")).isEqualTo(Map.of("access_token", "tok-1",
                "instance_url", "https://acme.my.salesforce.com", "token_type", "Bearer"));
        assertThat(accessToken()).isEqualTo("tok-1");
        assertThat(routes.count("/token")).isEqualTo(1);

        RecordedRequest r = routes.requests("/token").get(0);
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(Routes.body(r).split("&")).containsExactlyInAnyOrder("grant_type=client_credentials",
                "client_id=kiln-client", "client_secret=" + SECRET, "scope=api+refresh", "audience=leads+api");
        assertThat(secrets.mask("Bearer tok-1 and " + SECRET)).isEqualTo("Bearer *** and ***");
    }

    @Test void a_token_without_expires_in_is_kept_an_hour_less_the_margin() {
        routes.on("/token", Routes.json(200, token("tok-1", null)), Routes.json(200, token("tok-2", null)));
        assertThat(accessToken()).isEqualTo("tok-1");
        clock.advance(Duration.ofSeconds(3600 - 61));
        assertThat(accessToken()).isEqualTo("tok-1");
        clock.advance(Duration.ofSeconds(2));
        assertThat(accessToken()).isEqualTo("tok-2");
    }

    @Test void a_token_is_renewed_before_expires_in() {
        routes.on("/token", Routes.json(200, token("tok-1", 120)), Routes.json(200, token("tok-2", 120)));
        assertThat(accessToken()).isEqualTo("tok-1");
        clock.advance(Duration.ofSeconds(107)); // margin: 10% of 120 s
        assertThat(accessToken()).isEqualTo("tok-1");
        clock.advance(Duration.ofSeconds(2));
        assertThat(accessToken()).isEqualTo("tok-2");
    }

    @Test void invalidate_makes_the_next_use_fetch_a_new_token() {
        routes.on("/token", Routes.json(200, token("tok-1", 3600)), Routes.json(200, token("tok-2", 3600)));
        assertThat(accessToken()).isEqualTo("tok-1");
        connections.invalidate("crm");
        assertThat(accessToken()).isEqualTo("tok-2");
        assertThat(accessToken()).isEqualTo("tok-2");
        assertThat(routes.count("/token")).isEqualTo(2);
    }

    @Test void the_definitions_instance_url_wins_and_a_changed_definition_drops_the_token() {
        routes.on("/token", Routes.json(200, token("tok-1", 3600)), Routes.json(200, token("tok-2", 3600)));
        assertThat(accessToken()).isEqualTo("tok-1");
        connections.replace(List.of(crm("https://fixed.my.salesforce.com", Map.of()), basic()));
        assertThat(connections.variables(Set.of("crm")).get("crm"))
                .isEqualTo(Map.of("access_token", "tok-2", "instance_url", "https://fixed.my.salesforce.com", "token_type", "Bearer"));
    }

    @Test void token_endpoint_errors_say_status_and_oauth_error_but_never_the_secret() {
        routes.on("/token", Routes.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"client secret "
                + SECRET + " is not valid\"}"));
        assertThatThrownBy(this::accessToken).isInstanceOfSatisfying(ConnectionException.class, e -> {
            assertThat(e.getMessage()).contains("connection 'crm'", "answered 401", "invalid_client", "client secret *** is not valid")
                    .doesNotContain(SECRET);
            assertThat(e.retryable()).isFalse();
            assertThat(e.status()).isEqualTo(401);
        });
        routes.on("/token", Routes.status(503));
        assertThatThrownBy(this::accessToken).isInstanceOfSatisfying(ConnectionException.class,
                e -> assertThat(e.retryable()).isTrue());
    }

    @Test void a_missing_client_secret_names_the_variable() {
        env.remove("CRM_SECRET");
        assertThatThrownBy(this::accessToken).isInstanceOf(SecretException.class)
                .hasMessage("secret environment variable CRM_SECRET is not set");
        assertThat(routes.count("/token")).isZero();
    }

    @Test void an_unreachable_token_endpoint_is_a_retryable_error() throws Exception {
        server.close();
        assertThatThrownBy(this::accessToken).isInstanceOfSatisfying(ConnectionException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("unreachable");
        });
    }

    @Test void basic_auth_credentials_by_name() {
        String header = connections.basicAuthHeader("partner");
        assertThat(header).isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("kiln:partner-pw-77".getBytes()));
        assertThat(secrets.mask(header)).isEqualTo("Basic ***");
        assertThatThrownBy(() -> connections.basicAuthHeader("nope")).isInstanceOf(ConnectionException.class)
                .hasMessage("unknown basic_auth credential 'nope'");
        assertThatThrownBy(() -> connections.basicAuthHeader("crm")).hasMessage("connection 'crm' is not a basic_auth connection");
    }
}
