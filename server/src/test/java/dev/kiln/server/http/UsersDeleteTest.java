package dev.kiln.server.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /users/delete over the real stack. */
class UsersDeleteTest {
    private static RealKiln kiln;

    @BeforeAll static void start() { kiln = new RealKiln(); }

    @AfterAll static void stop() { kiln.close(); }

    private static String user() {
        String u = "u-" + UUID.randomUUID();
        assertThat(kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"x\":1}]}".formatted(u)).status()).isEqualTo(201);
        return u;
    }

    @Test
    void users_are_deleted_by_external_id_alias_and_braze_id() {
        String a = user(), b = user(), c = user();
        kiln.post("/users/alias/new", "{\"user_aliases\":[{\"external_id\":\"%s\",\"alias_name\":\"%1$s\",\"alias_label\":\"crm\"}]}".formatted(b));
        String brazeId = kiln.export(c).path("braze_id").asText();
        Http.Response r = kiln.post("/users/delete", """
                {"external_ids":["%s"],"user_aliases":[{"alias_name":"%s","alias_label":"crm"}],"braze_ids":["%s"]}"""
                .formatted(a, b, brazeId));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("deleted").asInt()).isEqualTo(3);
        assertThat(r.json().path("message").asText()).isEqualTo("success");
        assertThat(kiln.export(a)).isNull();
        assertThat(kiln.export(b)).isNull();
        assertThat(kiln.export(c)).isNull();
    }

    @Test
    void identifiers_that_name_nobody_are_not_counted_and_are_listed() {
        String a = user();
        Http.Response r = kiln.post("/users/delete", "{\"external_ids\":[\"ghost\",\"%s\"]}".formatted(a));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("deleted").asInt()).isEqualTo(1);
        assertThat(r.json().path("errors").get(0).path("input_array").asText()).isEqualTo("external_ids");
        assertThat(r.json().path("errors").get(0).path("index").asInt()).isEqualTo(0);
    }

    @Test
    void one_malformed_identifier_refuses_the_whole_request() {
        String a = user();
        Http.Response r = kiln.post("/users/delete", "{\"external_ids\":[\"%s\", 42]}".formatted(a));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("external_ids[1]");
        assertThat(kiln.export(a)).isNotNull();
    }

    @Test
    void more_than_fifty_ids_is_400_with_brazes_message() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 51; i++) ids.add("id" + i);
        Http.Response r = kiln.http.post("/users/delete", kiln.key, Map.of("external_ids", ids));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).isEqualTo("The max number of ids per request was exceeded");
    }

    @Test
    void empty_or_unsupported_requests_are_400() {
        assertThat(kiln.post("/users/delete", "{}").status()).isEqualTo(400);
        assertThat(kiln.post("/users/delete", "{\"email_addresses\":[{\"email\":\"a@b.co\"}]}").message()).contains("not supported");
        assertThat(kiln.post("/users/delete", "{\"braze_ids\":\"x\"}").status()).isEqualTo(400);
    }

    @Test
    void delete_needs_the_users_delete_scope() {
        String a = user();
        Http.Response r = kiln.http.post("/users/delete", kiln.keyWith(Scopes.USERS_TRACK, Scopes.USERS_EXPORT),
                "{\"external_ids\":[\"%s\"]}".formatted(a));
        assertThat(r.status()).isEqualTo(403);
        assertThat(kiln.export(a)).isNotNull();
    }
}
