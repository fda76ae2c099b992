package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.delivery.DeliveryConfig;
import dev.kiln.server.ApiKeys;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import dev.kiln.server.currents.CurrentsConfig;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Currents http sink over a real {@link KilnServer}: events tracked through /users/track reach a
 * MockWebServer collector with the Authorization read from a secret file, and GET /currents describes the sink
 * without the secret. The server's outbound policy applies to the sink.
 */
class CurrentsHttpEndToEndTest {
    static final CurrentsConfig FAST = CurrentsConfig.defaults().withPoll(Duration.ofMillis(20)).withRetryMax(Duration.ofMillis(500));
    static final String TOKEN = "Bearer e2e-collector-token-31f7";

    @TempDir Path dir;
    Path definitions;
    final String key = ApiKeys.newKey();
    final MockWebServer collector = new MockWebServer();
    final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    KilnServer server;
    Http http;

    @BeforeEach void definitions() throws IOException {
        collector.setDispatcher(new Dispatcher() {
            @Override public MockResponse dispatch(RecordedRequest request) {
                requests.add(request);
                return new MockResponse.Builder().code(200).build();
            }
        });
        collector.start();
        Path secret = dir.resolve("collector.secret");
        Files.writeString(secret, TOKEN + "\n");
        definitions = Files.createDirectories(dir.resolve("definitions/currents"));
        Files.writeString(definitions.resolve("collector.yaml"), """
                id: collector
                events: [users.behaviors.CustomEvent]
                sink:
                  type: http
                  url: %s
                  headers: { X-Team: growth }
                  authorization: { file: %s }
                  batch_events: 50
                  flush: 200ms
                  timeout: 5s
                """.formatted(collector.url("/kiln/currents"), secret));
        definitions = definitions.getParent();
    }

    @AfterEach void stop() {
        if (server != null) server.close();
        collector.close();
    }

    void start(DeliveryConfig delivery) {
        ServerConfig config = ServerConfig.of(0, "jdbc:sqlite:" + dir.resolve("kiln.db"), definitions).withAdminKey(key);
        if (delivery != null) config = config.withDelivery(delivery);
        server = KilnServer.start(config, FAST);
        http = new Http(server.port());
    }

    void track(int from, int to) { CurrentsEndToEndTest.track(http, key, from, to); }

    List<JsonNode> received() {
        List<JsonNode> all = new ArrayList<>();
        for (RecordedRequest r : requests) {
            try {
                Http.JSON.readTree(r.getBody().utf8()).get("events").forEach(all::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }

    @Test
    void tracked_events_reach_the_collector_and_get_currents_shows_the_sink_without_the_secret() throws IOException {
        start(null);
        int n = 180;
        track(0, n);
        await().atMost(Duration.ofSeconds(30)).until(() -> received().stream().map(e -> e.get("id").asText()).distinct().count() == n);
        List<JsonNode> events = received();
        assertThat(events).hasSize(n);
        Set<Integer> numbers = new HashSet<>();
        for (JsonNode e : events) {
            assertThat(e.get("type").asText()).isEqualTo("users.behaviors.CustomEvent");
            assertThat(e.get("name").asText()).isEqualTo("page_view");
            assertThat(e.get("external_user_id").asText()).startsWith("user-");
            numbers.add(Http.JSON.readTree(e.get("properties").asText()).get("n").asInt());
        }
        assertThat(numbers).hasSize(n);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.getHeaders().get("Authorization")).isEqualTo(TOKEN);
            assertThat(r.getHeaders().get("X-Team")).isEqualTo("growth");
            assertThat(r.getHeaders().get("User-Agent")).isEqualTo("kiln-currents");
            assertThat(r.getHeaders().get("Idempotency-Key")).matches("collector:\\d+-\\d+");
            assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json");
        });
        assertThat(requests).extracting(r -> r.getHeaders().get("Idempotency-Key")).doesNotHaveDuplicates();
        assertThat(requests).allSatisfy(r -> assertThat(Http.JSON.readTree(r.getBody().utf8()).get("events").size()).isBetween(1, 50));

        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/currents", key).json().at("/connectors/0/lag_events").asLong(-1) == 0);
        Http.Response r = http.get("/currents", key);
        assertThat(r.status()).isEqualTo(200);
        JsonNode c = r.json().at("/connectors/0");
        assertThat(c.get("id").asText()).isEqualTo("collector");
        assertThat(c.at("/sink/type").asText()).isEqualTo("http");
        assertThat(c.at("/sink/url").asText()).isEqualTo(collector.url("/kiln/currents").toString());
        assertThat(c.at("/sink/headers/0").asText()).isEqualTo("X-Team");
        assertThat(c.at("/sink/authorization").asText()).isEqualTo("file:" + dir.resolve("collector.secret"));
        assertThat(c.at("/sink/batch_events").asInt()).isEqualTo(50);
        assertThat(c.at("/sink/flush_ms").asLong()).isEqualTo(200);
        assertThat(c.at("/sink/timeout_ms").asLong()).isEqualTo(5_000);
        assertThat(c.get("exported_events").asLong()).isEqualTo(n);
        assertThat(c.get("last_error").isNull()).isTrue();
        assertThat(r.body()).doesNotContain("e2e-collector-token").doesNotContain("growth");
        assertThat(http.get("/metrics", key).body()).contains("kiln_currents_http_requests_total{connector=\"collector\",outcome=\"2xx\"}");
    }

    @Test
    void the_servers_outbound_deny_list_applies_to_the_sink_and_nothing_is_lost() {
        start(DeliveryConfig.defaults().withDenyHosts(List.of("127.0.0.0/8", "::1", "localhost")));
        track(0, 20);
        await().atMost(Duration.ofSeconds(15)).until(() -> !http.get("/currents", key).json().at("/connectors/0/last_error").isNull());
        JsonNode c = http.get("/currents", key).json().at("/connectors/0");
        assertThat(c.get("last_error").asText()).contains("outbound policy");
        assertThat(c.get("cursor").asLong()).isZero();
        assertThat(c.get("lag_events").asLong()).isEqualTo(20);
        assertThat(requests).isEmpty();
    }
}
