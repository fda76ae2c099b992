package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /users/export/ids over the real stack. */
class UsersExportTest {
    private static RealKiln kiln;
    private static String u;
    private static String email;

    @BeforeAll
    static void start() {
        kiln = new RealKiln();
        u = "u-" + UUID.randomUUID();
        email = UUID.randomUUID() + "@example.com";
        Http.Response r = kiln.track("""
                {"attributes":[{"external_id":"%s","first_name":"Ana","email":"%s","country":"PT","lead score":12}],
                 "events":[{"external_id":"%1$s","name":"demo_requested","time":"2026-01-01T00:00:00Z"}]}""".formatted(u, email));
        assertThat(r.status()).isEqualTo(201);
        assertThat(kiln.post("/users/alias/new", """
                {"user_aliases":[{"external_id":"%s","alias_name":"%1$s","alias_label":"crm"}]}""".formatted(u)).status()).isEqualTo(201);
    }

    @AfterAll static void stop() { kiln.close(); }

    @Test
    void a_profile_exports_in_brazes_shape() {
        JsonNode user = kiln.export(u);
        assertThat(user.path("external_id").asText()).isEqualTo(u);
        assertThat(user.path("created_at").asText()).endsWith("Z");
        assertThat(user.path("user_aliases").get(0).toString()).contains("\"alias_label\":\"crm\"");
        assertThat(user.path("first_name").asText()).isEqualTo("Ana");
        assertThat(user.path("country").asText()).isEqualTo("PT");
        assertThat(user.path("custom_attributes").path("lead score").asInt()).isEqualTo(12);
        assertThat(user.path("custom_events").get(0).path("name").asText()).isEqualTo("demo_requested");
        assertThat(user.has("last_name")).as("unset fields are left out, as Braze").isFalse();
    }

    @Test
    void every_identifier_finds_the_same_profile_once() {
        String brazeId = kiln.export(u).path("braze_id").asText();
        Http.Response r = kiln.post("/users/export/ids", """
                {"external_ids":["%s"],"user_aliases":[{"alias_name":"%1$s","alias_label":"crm"}],
                 "braze_id":"%s","email_address":"%s"}""".formatted(u, brazeId, email));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("message").asText()).isEqualTo("success");
        assertThat(r.json().path("users")).hasSize(1);
        assertThat(r.json().has("invalid_user_ids")).isFalse();
    }

    @Test
    void identifiers_that_name_nobody_are_listed_in_invalid_user_ids() {
        Http.Response r = kiln.post("/users/export/ids", """
                {"external_ids":["%s","ghost"],"user_aliases":[{"alias_name":"ghost","alias_label":"crm"}]}""".formatted(u));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("users")).hasSize(1);
        assertThat(r.json().path("invalid_user_ids").toString())
                .isEqualTo("[\"ghost\",{\"alias_name\":\"ghost\",\"alias_label\":\"crm\"}]");
    }

    @Test
    void fields_to_export_filters_the_top_level_fields() {
        Http.Response r = kiln.post("/users/export/ids",
                "{\"external_ids\":[\"%s\"],\"fields_to_export\":[\"first_name\",\"custom_attributes\",\"devices\"]}".formatted(u));
        JsonNode user = r.json().path("users").get(0);
        assertThat(user.properties()).extracting(Map.Entry::getKey).containsExactly("first_name", "custom_attributes");
    }

    @Test
    void an_unknown_field_to_export_is_400_naming_it() {
        Http.Response r = kiln.post("/users/export/ids", "{\"external_ids\":[\"%s\"],\"fields_to_export\":[\"shoe_size\"]}".formatted(u));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("\"shoe_size\"");
    }

    @Test
    void more_than_fifty_ids_is_400_with_brazes_message() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 51; i++) ids.add("id" + i);
        Http.Response r = kiln.http.post("/users/export/ids", kiln.key, Map.of("external_ids", ids));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).isEqualTo("The max number of external_ids and aliases per request was exceeded");
    }

    @Test
    void a_request_without_identifiers_or_with_bad_ones_is_400() {
        assertThat(kiln.post("/users/export/ids", "{}").status()).isEqualTo(400);
        assertThat(kiln.post("/users/export/ids", "{\"external_ids\":\"u\"}").status()).isEqualTo(400);
        assertThat(kiln.post("/users/export/ids", "{\"external_ids\":[7]}").message()).contains("external_ids[0] must be a string");
        assertThat(kiln.post("/users/export/ids", "{\"user_aliases\":[{\"alias_name\":\"x\"}]}").status()).isEqualTo(400);
        assertThat(kiln.post("/users/export/ids", "{\"phone\":\"+15551234567\"}").message()).contains("not supported");
    }

    @Test
    void export_needs_the_users_export_scope() {
        String trackOnly = kiln.keyWith(Scopes.USERS_TRACK);
        Http.Response r = kiln.http.post("/users/export/ids", trackOnly, "{\"external_ids\":[\"%s\"]}".formatted(u));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.message()).isEqualTo("Access Denied");
    }
}
