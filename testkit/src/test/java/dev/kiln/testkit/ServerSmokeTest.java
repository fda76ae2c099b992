package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** An in-process server on a free port and a temp SQLite file, driven over real HTTP. */
class ServerSmokeTest {
    private static final String KEY = "smoke-" + UUID.randomUUID();

    @TempDir static Path dir;
    private static KilnServer server;
    private static KilnClient client;

    @BeforeAll
    static void start() {
        server = KilnServer.start(ServerConfig.of(0, "jdbc:sqlite:" + dir.resolve("kiln.db"), null).withAdminKey(KEY));
        client = KilnClient.of("http://127.0.0.1:" + server.port(), KEY);
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void health_answers_up_without_a_key() {
        KilnClient.Response r = client.withKey(null).get("/health");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void tracked_attributes_and_events_come_back_in_the_export() {
        String body = """
                {"attributes":[{"external_id":"smoke-1","lead score":{"inc":2},"lead_status":"new"}],
                 "events":[{"external_id":"smoke-1","name":"demo_requested","time":"2025-11-28T10:00:00Z","properties":{"plan":"pro"}}]}""";

        KilnClient.Response tracked = client.track(body);
        KilnClient.Response again = client.track(body);

        assertThat(tracked.status()).as(tracked.toString()).isEqualTo(201);
        assertThat(tracked.json().path("message").asText()).isEqualTo("success");
        assertThat(tracked.json().path("attributes_processed").asInt()).isEqualTo(1);
        assertThat(tracked.json().path("events_processed").asInt()).isEqualTo(1);
        assertThat(again.status()).as(again.toString()).isEqualTo(201);

        KilnClient.Response exported = client.export(List.of("smoke-1"));
        assertThat(exported.status()).as(exported.toString()).isEqualTo(200);
        assertThat(exported.json().path("message").asText()).isEqualTo("success");
        JsonNode user = exported.json().path("users").path(0);
        assertThat(user.path("external_id").asText()).isEqualTo("smoke-1");
        assertThat(user.path("braze_id").asText()).isNotBlank();
        assertThat(user.path("custom_attributes").path("lead score").asDouble()).isEqualTo(4.0);
        assertThat(user.path("custom_attributes").path("lead_status").asText()).isEqualTo("new");
        JsonNode event = user.path("custom_events").path(0);
        assertThat(event.path("name").asText()).isEqualTo("demo_requested");
        assertThat(event.path("count").asInt()).isEqualTo(2);
        assertThat(event.path("first").asText()).startsWith("2025-11-28T10:00:00");
    }

    @Test
    void requests_without_a_valid_key_get_401_and_change_nothing() {
        String body = """
                {"attributes":[{"external_id":"smoke-401","lead score":{"inc":1}}]}""";

        KilnClient.Response noKey = client.withKey(null).track(body);
        KilnClient.Response wrongKey = client.withKey("not-a-key").track(body);
        KilnClient.Response exportNoKey = client.withKey(null).export(List.of("smoke-401"));

        assertThat(noKey.status()).as(noKey.toString()).isEqualTo(401);
        assertThat(wrongKey.status()).as(wrongKey.toString()).isEqualTo(401);
        assertThat(exportNoKey.status()).as(exportNoKey.toString()).isEqualTo(401);
        KilnClient.Response exported = client.export(List.of("smoke-401"));
        assertThat(exported.json().path("users")).as(exported.toString()).isEmpty();
    }
}
