package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /users/track over real HTTP, a real runtime and a SQLite store. */
class UsersTrackTest {
    private static RealKiln kiln;

    @BeforeAll static void start() { kiln = new RealKiln(); }

    @AfterAll static void stop() { kiln.close(); }

    private static String uid() { return "u-" + UUID.randomUUID(); }

    @Test
    void attributes_create_the_user_and_answer_201_with_counts() {
        String u = uid();
        Http.Response r = kiln.track("""
                {"attributes":[{"external_id":"%s","first_name":"Ana","email":"ana@example.com","email_subscribe":"opted_in",
                  "lead score":10,"is_employee":false,"tags":["b2b","b2b","smb"],"signed_up":"2026-02-03T04:05:06Z",
                  "company":{"name":"Acme","size":50}}]}""".formatted(u));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("message").asText()).isEqualTo("success");
        assertThat(r.json().path("attributes_processed").asInt()).isEqualTo(1);
        assertThat(r.json().has("events_processed")).as("only arrays that were sent are counted").isFalse();
        assertThat(r.json().has("errors")).isFalse();

        JsonNode user = kiln.export(u);
        assertThat(user.path("external_id").asText()).isEqualTo(u);
        assertThat(user.path("braze_id").asText()).isNotEmpty();
        assertThat(user.path("first_name").asText()).isEqualTo("Ana");
        assertThat(user.path("email").asText()).isEqualTo("ana@example.com");
        assertThat(user.path("email_subscribe").asText()).isEqualTo("opted_in");
        JsonNode custom = user.path("custom_attributes");
        assertThat(custom.path("lead score").asInt()).isEqualTo(10);
        assertThat(custom.path("is_employee").asBoolean(true)).isFalse();
        assertThat(custom.path("tags")).hasSize(2);
        assertThat(custom.path("signed_up").asText()).isEqualTo("2026-02-03T04:05:06Z");
        assertThat(custom.path("company").path("size").asInt()).isEqualTo(50);
    }

    @Test
    void inc_add_remove_and_null_change_existing_values() {
        String u = uid();
        kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"lead score\":5,\"tags\":[\"a\",\"b\"],\"old\":\"x\"}]}".formatted(u));
        Http.Response r = kiln.track("""
                {"attributes":[{"external_id":"%1$s","lead score":{"inc":3},"tags":{"add":["c"],"remove":["a"]},"old":null},
                               {"external_id":"%1$s","lead score":{"inc":-1}}]}""".formatted(u));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("attributes_processed").asInt()).isEqualTo(2);
        JsonNode custom = kiln.export(u).path("custom_attributes");
        assertThat(custom.path("lead score").asInt()).isEqualTo(7);
        assertThat(custom.path("tags").toString()).isEqualTo("[\"b\",\"c\"]");
        assertThat(custom.has("old")).isFalse();
    }

    @Test
    void events_and_purchases_are_summarised_on_the_profile() {
        String u = uid();
        Http.Response r = kiln.track("""
                {"events":[{"external_id":"%1$s","name":"webinar_registered","time":"2026-01-01T00:00:00Z"},
                           {"external_id":"%1$s","name":"webinar_registered","time":"2026-01-05T00:00:00Z","properties":{"topic":"scoring"}},
                           {"external_id":"%1$s","name":"kiln.session_start","time":"2026-01-06T00:00:00Z"}],
                 "purchases":[{"external_id":"%1$s","product_id":"pro","currency":"USD","price":99,"quantity":2,"time":"2026-01-07T00:00:00Z"}]}"""
                .formatted(u));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("events_processed").asInt()).isEqualTo(3);
        assertThat(r.json().path("purchases_processed").asInt()).isEqualTo(1);
        JsonNode user = kiln.export(u);
        JsonNode webinar = user.path("custom_events").get(0);
        assertThat(webinar.path("name").asText()).isEqualTo("webinar_registered");
        assertThat(webinar.path("count").asInt()).isEqualTo(2);
        assertThat(webinar.path("first").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(webinar.path("last").asText()).isEqualTo("2026-01-05T00:00:00Z");
        assertThat(user.path("purchases").get(0).path("name").asText()).isEqualTo("pro");
        assertThat(user.path("purchases").get(0).path("count").asInt()).isEqualTo(2);
        assertThat(user.path("apps").get(0).path("sessions").asInt()).isEqualTo(1);
    }

    @Test
    void future_event_times_are_clamped_to_now() {
        String u = uid();
        Instant before = Instant.now();
        kiln.track("{\"events\":[{\"external_id\":\"%s\",\"name\":\"e\",\"time\":\"2999-01-01T00:00:00Z\"}]}".formatted(u));
        Instant last = Instant.parse(kiln.export(u).path("custom_events").get(0).path("last").asText());
        assertThat(last).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
    }

    @Test
    void update_existing_only_does_not_create_and_answers_400_when_nothing_applied() {
        String u = uid();
        Http.Response r = kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"x\":1,\"_update_existing_only\":true}]}".formatted(u));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).isEqualTo(TrackEndpoint.NOTHING_VALID);
        assertThat(r.json().path("errors").get(0).path("type").asText()).isEqualTo("rejected");
        assertThat(r.json().path("errors").get(0).path("reason").asText()).contains("no user with external_id");
        assertThat(kiln.export(u)).isNull();
    }

    @Test
    void a_user_alias_creates_a_profile_only_with_update_existing_only_false() {
        String name = uid();
        String alias = "{\"alias_name\":\"" + name + "\",\"alias_label\":\"crm\"}";
        Http.Response notCreated = kiln.track("{\"attributes\":[{\"user_alias\":" + alias + ",\"x\":1}]}");
        assertThat(notCreated.status()).isEqualTo(400);
        Http.Response created = kiln.track("{\"attributes\":[{\"user_alias\":" + alias + ",\"x\":1,\"_update_existing_only\":false}]}");
        assertThat(created.status()).isEqualTo(201);
        Http.Response export = kiln.post("/users/export/ids", "{\"user_aliases\":[" + alias + "]}");
        assertThat(export.json().path("users").get(0).path("custom_attributes").path("x").asInt()).isEqualTo(1);
        assertThat(export.json().path("users").get(0).has("external_id")).isFalse();
    }

    @Test
    void a_braze_id_updates_an_existing_user_but_never_creates_one() {
        String u = uid();
        kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"x\":1}]}".formatted(u));
        String brazeId = kiln.export(u).path("braze_id").asText();
        assertThat(kiln.track("{\"attributes\":[{\"braze_id\":\"%s\",\"x\":2}]}".formatted(brazeId)).status()).isEqualTo(201);
        assertThat(kiln.export(u).path("custom_attributes").path("x").asInt()).isEqualTo(2);
        Http.Response unknown = kiln.track("{\"attributes\":[{\"braze_id\":\"nope\",\"x\":2,\"_update_existing_only\":false}]}");
        assertThat(unknown.status()).isEqualTo(400);
    }

    @Test
    void an_email_identifies_a_user_and_sets_the_email() {
        String email = UUID.randomUUID() + "@example.com";
        assertThat(kiln.track("{\"attributes\":[{\"email\":\"%s\",\"lead score\":1}]}".formatted(email)).status()).isEqualTo(201);
        assertThat(kiln.track("{\"attributes\":[{\"email\":\"%s\",\"lead score\":{\"inc\":1}}]}".formatted(email)).status()).isEqualTo(201);
        Http.Response export = kiln.post("/users/export/ids", "{\"email_address\":\"%s\"}".formatted(email));
        assertThat(export.json().path("users")).hasSize(1);
        assertThat(export.json().path("users").get(0).path("email").asText()).isEqualTo(email);
        assertThat(export.json().path("users").get(0).path("custom_attributes").path("lead score").asInt()).isEqualTo(2);
    }

    @Test
    void invalid_objects_are_listed_in_errors_while_the_rest_is_applied() {
        String u = uid();
        Http.Response r = kiln.track("""
                {"attributes":[{"external_id":"%1$s","a":1},{"a":1},{"external_id":"%1$s","braze_id":"b"}],
                 "events":[{"external_id":"%1$s","name":"ok","time":"2026-01-01T00:00:00Z"},
                           {"external_id":"%1$s","name":"bad","time":"not a time"}],
                 "purchases":[{"external_id":"%1$s","product_id":"p","currency":"USD","price":"free","time":"2026-01-01"}]}""".formatted(u));
        assertThat(r.status()).isEqualTo(201);
        JsonNode body = r.json();
        assertThat(body.path("attributes_processed").asInt()).isEqualTo(1);
        assertThat(body.path("events_processed").asInt()).isEqualTo(1);
        assertThat(body.path("purchases_processed").asInt()).isEqualTo(0);
        assertThat(body.path("errors")).hasSize(4);
        assertThat(body.path("errors").get(0).toString())
                .isEqualTo("{\"type\":\"missing_identifier\",\"input_array\":\"attributes\",\"index\":1,"
                        + "\"reason\":\"one of external_id, user_alias, braze_id or email is required\"}");
        assertThat(body.path("errors").get(1).path("type").asText()).isEqualTo("multiple_identifiers");
        assertThat(body.path("errors").get(2).path("input_array").asText()).isEqualTo("events");
        assertThat(body.path("errors").get(2).path("index").asInt()).isEqualTo(1);
        assertThat(body.path("errors").get(3).path("input_array").asText()).isEqualTo("purchases");
        JsonNode user = kiln.export(u);
        assertThat(user.path("custom_events")).hasSize(1);
        assertThat(user.has("purchases")).isFalse();
    }

    @Test
    void seventy_six_objects_are_400_max_input_length_exceeded_and_change_nothing() {
        String u = uid();
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 76; i++)
            events.append(i == 0 ? "" : ",").append("{\"external_id\":\"").append(u).append("\",\"name\":\"e\",\"time\":\"2026-01-01\"}");
        Http.Response r = kiln.track("{\"attributes\":[{\"external_id\":\"" + u + "\",\"x\":1}],\"events\":[" + events + "]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).isEqualTo("Max Input Length Exceeded");
        assertThat(r.json().path("reason").asText()).isEqualTo("events has 76 objects; at most 75 are allowed per request");
        assertThat(kiln.export(u)).isNull();
    }

    @Test
    void seventy_five_objects_of_each_type_are_accepted() {
        String u = uid();
        StringBuilder a = new StringBuilder(), e = new StringBuilder(), p = new StringBuilder();
        for (int i = 0; i < 75; i++) {
            String sep = i == 0 ? "" : ",";
            a.append(sep).append("{\"external_id\":\"").append(u).append("\",\"lead score\":{\"inc\":1}}");
            e.append(sep).append("{\"external_id\":\"").append(u).append("\",\"name\":\"e\",\"time\":\"2026-01-01\"}");
            p.append(sep).append("{\"external_id\":\"").append(u).append("\",\"product_id\":\"p\",\"currency\":\"USD\",\"price\":1,\"time\":\"2026-01-01\"}");
        }
        Http.Response r = kiln.track("{\"attributes\":[" + a + "],\"events\":[" + e + "],\"purchases\":[" + p + "]}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("attributes_processed").asInt()).isEqualTo(75);
        JsonNode user = kiln.export(u);
        assertThat(user.path("custom_attributes").path("lead score").asInt()).isEqualTo(75);
        assertThat(user.path("custom_events").get(0).path("count").asInt()).isEqualTo(75);
        assertThat(user.path("purchases").get(0).path("count").asInt()).isEqualTo(75);
    }

    @Test
    void a_body_of_the_wrong_shape_is_400_and_submits_nothing() {
        String u = uid();
        for (String body : new String[] {
                "[]", "\"track\"", "42", "null",
                "{\"attributes\":{\"external_id\":\"" + u + "\"}}",
                "{\"attributes\":[{\"external_id\":\"" + u + "\"}],\"event\":[]}",
                "{\"attributes\":[{\"external_id\":\"" + u + "\"}],\"api_key\":\"k\"}",
                "{}", "{\"attributes\":[]}"}) {
            Http.Response r = kiln.track(body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.message()).as(body).isNotBlank();
        }
        assertThat(kiln.export(u)).isNull();
    }

    @Test
    void an_attribute_type_clash_is_refused_by_the_engine_and_listed() {
        String u = uid();
        kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"plan\":\"pro\"}]}".formatted(u));
        Http.Response r = kiln.track("{\"attributes\":[{\"external_id\":\"%s\",\"plan\":{\"inc\":1},\"other\":1}]}".formatted(u));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").get(0).path("reason").asText()).contains("cannot increment a string attribute");
        assertThat(kiln.export(u).path("custom_attributes").has("other")).as("the object is applied whole or not at all").isFalse();
    }
}
