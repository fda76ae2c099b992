package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /users/identify over the real stack. */
class UsersIdentifyTest {
    private static RealKiln kiln;

    @BeforeAll static void start() { kiln = new RealKiln(); }

    @AfterAll static void stop() { kiln.close(); }

    private static String aliasOnlyUser(String attributes) {
        String name = "anon-" + UUID.randomUUID();
        Http.Response r = kiln.track("""
                {"attributes":[{"user_alias":{"alias_name":"%s","alias_label":"web"},"_update_existing_only":false%s}],
                 "events":[{"user_alias":{"alias_name":"%1$s","alias_label":"web"},"name":"page_view","time":"2026-01-02T00:00:00Z"}]}"""
                .formatted(name, attributes));
        assertThat(r.status()).isEqualTo(201);
        return name;
    }

    private static JsonNode exportAlias(String name) {
        return kiln.post("/users/export/ids", "{\"user_aliases\":[{\"alias_name\":\"%s\",\"alias_label\":\"web\"}]}".formatted(name))
                .json().path("users");
    }

    @Test
    void an_alias_only_user_gets_the_external_id_when_nobody_has_it() {
        String name = aliasOnlyUser(",\"lead score\":4");
        String u = "u-" + UUID.randomUUID();
        Http.Response r = kiln.post("/users/identify", """
                {"aliases_to_identify":[{"external_id":"%s","user_alias":{"alias_name":"%s","alias_label":"web"}}]}""".formatted(u, name));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("aliases_processed").asInt()).isEqualTo(1);
        assertThat(r.json().path("message").asText()).isEqualTo("success");
        assertThat(kiln.export(u).path("custom_attributes").path("lead score").asInt()).isEqualTo(4);
    }

    @Test
    void an_alias_only_user_is_merged_into_the_identified_one() {
        String u = "u-" + UUID.randomUUID();
        kiln.track("""
                {"attributes":[{"external_id":"%s","lead score":10}],
                 "events":[{"external_id":"%1$s","name":"page_view","time":"2026-01-01T00:00:00Z"}]}""".formatted(u));
        String name = aliasOnlyUser(",\"lead score\":99,\"utm_source\":\"ads\"");
        Http.Response r = kiln.post("/users/identify", """
                {"aliases_to_identify":[{"external_id":"%s","user_alias":{"alias_name":"%s","alias_label":"web"}}]}""".formatted(u, name));
        assertThat(r.status()).isEqualTo(201);
        JsonNode user = kiln.export(u);
        assertThat(user.path("custom_attributes").path("lead score").asInt()).as("the identified profile wins").isEqualTo(10);
        assertThat(user.path("custom_attributes").path("utm_source").asText()).isEqualTo("ads");
        assertThat(user.path("custom_events").get(0).path("count").asInt()).isEqualTo(2);
        assertThat(user.path("user_aliases").toString()).contains(name);
        JsonNode byAlias = exportAlias(name);
        assertThat(byAlias).hasSize(1);
        assertThat(byAlias.get(0).path("external_id").asText()).as("the alias now names the merged profile").isEqualTo(u);
    }

    @Test
    void invalid_or_unknown_aliases_are_listed_and_the_rest_identified() {
        String name = aliasOnlyUser("");
        String u = "u-" + UUID.randomUUID();
        Http.Response r = kiln.post("/users/identify", """
                {"aliases_to_identify":[
                   {"external_id":"%s","user_alias":{"alias_name":"%s","alias_label":"web"}},
                   {"external_id":"x","user_alias":{"alias_name":"ghost","alias_label":"web"}},
                   {"user_alias":{"alias_name":"n","alias_label":"web"}}]}""".formatted(u, name));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("aliases_processed").asInt()).isEqualTo(1);
        assertThat(r.json().path("errors")).hasSize(2);
        assertThat(r.json().path("errors").get(0).path("type").asText()).isEqualTo("rejected");
        assertThat(r.json().path("errors").get(1).path("reason").asText()).contains("external_id must be a string");
    }

    @Test
    void nothing_identified_is_400() {
        Http.Response r = kiln.post("/users/identify", """
                {"aliases_to_identify":[{"external_id":"x","user_alias":{"alias_name":"ghost","alias_label":"web"}}]}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors")).hasSize(1);
    }

    @Test
    void malformed_requests_are_400() {
        assertThat(kiln.post("/users/identify", "{}").status()).isEqualTo(400);
        assertThat(kiln.post("/users/identify", "{\"aliases_to_identify\":{}}").status()).isEqualTo(400);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 51; i++)
            many.append(i == 0 ? "" : ",").append("{\"external_id\":\"e").append(i).append("\",\"user_alias\":{\"alias_name\":\"a\",\"alias_label\":\"l\"}}");
        assertThat(kiln.post("/users/identify", "{\"aliases_to_identify\":[" + many + "]}").message())
                .isEqualTo("The max number of external_ids and aliases per request was exceeded");
        assertThat(kiln.post("/users/identify", "{\"emails_to_identify\":[{\"external_id\":\"x\",\"email\":\"a@b.co\"}]}").message())
                .contains("not supported");
    }
}
