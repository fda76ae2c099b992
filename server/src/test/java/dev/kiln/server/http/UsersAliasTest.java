package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /users/alias/new over the real stack. */
class UsersAliasTest {
    private static RealKiln kiln;

    @BeforeAll static void start() { kiln = new RealKiln(); }

    @AfterAll static void stop() { kiln.close(); }

    private static JsonNode byAlias(String name, String label) {
        return kiln.post("/users/export/ids", "{\"user_aliases\":[{\"alias_name\":\"%s\",\"alias_label\":\"%s\"}]}".formatted(name, label))
                .json().path("users");
    }

    @Test
    void without_an_external_id_an_alias_only_user_is_created() {
        String name = "n-" + UUID.randomUUID();
        Http.Response r = kiln.post("/users/alias/new", "{\"user_aliases\":[{\"alias_name\":\"%s\",\"alias_label\":\"web\"}]}".formatted(name));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("aliases_processed").asInt()).isEqualTo(1);
        JsonNode users = byAlias(name, "web");
        assertThat(users).hasSize(1);
        assertThat(users.get(0).has("external_id")).isFalse();
    }

    @Test
    void with_an_external_id_the_alias_is_added_to_that_user() {
        String u = "u-" + UUID.randomUUID();
        kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"x\":1}]}".formatted(u));
        Http.Response r = kiln.post("/users/alias/new",
                "{\"user_aliases\":[{\"external_id\":\"%s\",\"alias_name\":\"%1$s\",\"alias_label\":\"crm\"}]}".formatted(u));
        assertThat(r.status()).isEqualTo(201);
        assertThat(byAlias(u, "crm").get(0).path("external_id").asText()).isEqualTo(u);
    }

    @Test
    void an_unknown_external_id_adds_the_alias_to_nobody() {
        String name = "n-" + UUID.randomUUID();
        Http.Response r = kiln.post("/users/alias/new",
                "{\"user_aliases\":[{\"external_id\":\"ghost-%s\",\"alias_name\":\"%1$s\",\"alias_label\":\"crm\"}]}".formatted(name));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").get(0).path("type").asText()).isEqualTo("rejected");
        assertThat(byAlias("ghost-" + name, "crm")).isEmpty();
    }

    @Test
    void invalid_alias_objects_are_listed_and_the_rest_processed() {
        String name = "n-" + UUID.randomUUID();
        Http.Response r = kiln.post("/users/alias/new", """
                {"user_aliases":[{"alias_name":"%s","alias_label":"web"},{"alias_name":"x"},{"alias_name":"x","alias_label":"y","extra":1},7]}"""
                .formatted(name));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("aliases_processed").asInt()).isEqualTo(1);
        assertThat(r.json().path("errors")).extracting(e -> e.path("index").asInt()).containsExactly(1, 2, 3);
    }

    @Test
    void malformed_requests_are_400() {
        assertThat(kiln.post("/users/alias/new", "{}").status()).isEqualTo(400);
        assertThat(kiln.post("/users/alias/new", "{\"user_aliases\":\"a\"}").status()).isEqualTo(400);
        assertThat(kiln.http.post("/users/alias/new", kiln.keyWith(Scopes.USERS_IDENTIFY),
                "{\"user_aliases\":[{\"alias_name\":\"a\",\"alias_label\":\"b\"}]}").status()).isEqualTo(403);
    }
}
