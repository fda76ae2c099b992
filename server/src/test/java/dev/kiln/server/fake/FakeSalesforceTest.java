package dev.kiln.server.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fake Salesforce over real HTTP, with the JDK client, as Kiln's delivery will talk to it. */
class FakeSalesforceTest {
    static final String LEAD = "00Q5e00000AbCdE";
    static final String SECRET = "s3cret-Value_42";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    FakeSalesforce sf;

    @BeforeEach void start() {
        sf = FakeSalesforce.start(0).clientId("kiln-test").clientSecret(SECRET);
    }

    @AfterEach void stop() {
        sf.close();
    }

    @Test
    void token_then_patch_answers_204_and_both_requests_are_recorded() throws Exception {
        HttpResponse<String> token = token("kiln-test", SECRET);
        assertThat(token.statusCode()).isEqualTo(200);
        assertThat(token.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode t = JSON.readTree(token.body());
        assertThat(t.get("instance_url").asText()).isEqualTo(sf.baseUrl());
        assertThat(t.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(t.get("access_token").asText()).startsWith("00D").contains("!");
        assertThat(t.get("id").asText()).startsWith(sf.baseUrl() + "/id/00D");
        assertThat(t.get("issued_at").asText()).matches("\\d{13}");
        assertThat(t.get("signature").asText()).isEqualTo(hmac(SECRET, t.get("id").asText() + t.get("issued_at").asText()));

        HttpResponse<String> patch = patch(LEAD, bearer(t), "{\"lead_status\": \"MQL\"}");

        assertThat(patch.statusCode()).isEqualTo(204);
        assertThat(patch.body()).isEmpty();
        List<Recorded> patches = sf.patchesFor(LEAD);
        assertThat(patches).hasSize(1);
        Recorded r = patches.get(0);
        assertThat(r.method()).isEqualTo("PATCH");
        assertThat(r.path()).isEqualTo("/services/data/v60.0/sobjects/Lead/" + LEAD);
        assertThat(r.status()).isEqualTo(204);
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"lead_status\":\"MQL\"}"));
        assertThat(r.header("Authorization")).hasValue("Bearer " + t.get("access_token").asText());
        assertThat(r.header("content-type")).hasValue("application/json");
        assertThat(r.time()).isNotNull();
        assertThat(sf.requests()).extracting(Recorded::status).containsExactly(200, 204);
        assertThat(sf.patches()).hasSize(1);
        assertThat(sf.patchesFor("00Q000000000000")).isEmpty();
        assertThat(sf.tokensIssued()).isEqualTo(1);
        assertThat(sf.countsByStatus()).isEqualTo(Map.of(200, 1L, 204, 1L));
    }

    @Test
    void wrong_client_secret_or_id_is_400_invalid_client_and_the_secret_is_not_recorded() throws Exception {
        HttpResponse<String> wrongSecret = token("kiln-test", "not-the-secret");
        HttpResponse<String> wrongId = token("someone-else", SECRET);

        for (HttpResponse<String> r : List.of(wrongSecret, wrongId)) {
            assertThat(r.statusCode()).isEqualTo(400);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("error").asText()).isEqualTo("invalid_client");
            assertThat(body.get("error_description").asText()).isNotBlank();
        }
        assertThat(sf.tokensIssued()).isZero();
        assertThat(sf.requests()).allSatisfy(rec -> {
            assertThat(rec.body()).contains("client_secret=" + Recorded.REDACTED).doesNotContain(SECRET).doesNotContain("not-the-secret");
        });
        assertThat(get("/_fake/requests?limit=10").body()).doesNotContain(SECRET);
        assertThat(get("/_fake/config").body()).doesNotContain(SECRET).contains("kiln-test");
    }

    @Test
    void another_grant_type_is_400_unsupported_grant_type() throws Exception {
        HttpResponse<String> r = post("/services/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=password&client_id=kiln-test&client_secret=" + SECRET);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void client_credentials_in_a_basic_authorization_header_are_accepted_and_not_recorded() throws Exception {
        String basic = Base64.getEncoder().encodeToString(("kiln-test:" + SECRET).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(sf.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sf.requests().get(0).header("authorization")).hasValue("Basic " + Recorded.REDACTED);
    }

    @Test
    void a_stale_token_after_expireTokens_is_401_invalid_session_id_and_a_new_token_works() throws Exception {
        String old = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        assertThat(patch(LEAD, old, "{}").statusCode()).isEqualTo(204);

        sf.expireTokens();

        HttpResponse<String> stale = patch(LEAD, old, "{\"lead_status\": \"MQL\"}");
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(stale.body())).isEqualTo(JSON.readTree(
                "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"));
        String fresh = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        assertThat(fresh).isNotEqualTo(old);
        assertThat(patch(LEAD, fresh, "{\"lead_status\": \"MQL\"}").statusCode()).isEqualTo(204);
        assertThat(sf.patchesFor(LEAD)).extracting(Recorded::status).containsExactly(204, 401, 204);
    }

    @Test
    void a_missing_or_made_up_token_is_401() throws Exception {
        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create(sf.leadUrl(LEAD)))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(patch(LEAD, "00DKILNFAKE0001!AQ000000000000.0.1", "{}").statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).get(0).get("errorCode").asText()).isEqualTo("INVALID_SESSION_ID");
    }

    @Test
    void unknown_lead_ids_are_404_with_salesforce_error_array() throws Exception {
        String token = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        sf.unknownLeads("00Q5e00000Gone1");

        HttpResponse<String> declared = patch("00Q5e00000Gone1", token, "{}");
        HttpResponse<String> notIdShaped = patch("lead-1", token, "{}");

        for (HttpResponse<String> r : List.of(declared, notIdShaped)) {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(
                    "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested resource does not exist\"}]"));
        }
        assertThat(patch(LEAD + "AAA", token, "{}").statusCode()).as("18-character id").isEqualTo(204);

        sf.knownLeads("00Q5e00000Known");
        assertThat(patch("00Q5e00000Known", token, "{}").statusCode()).isEqualTo(204);
        assertThat(patch(LEAD, token, "{}").statusCode()).isEqualTo(404);

        sf.acceptAnyLead(true);
        assertThat(patch("lead-1", token, "{}").statusCode()).isEqualTo(204);
        assertThat(patch("00Q5e00000Gone1", token, "{}").statusCode()).as("unknown wins").isEqualTo(404);
    }

    @Test
    void answers_503_on_demand_then_recovers() throws Exception {
        String token = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        sf.failWith503(2).retryAfterSeconds(7);

        HttpResponse<String> first = patch(LEAD, token, "{}");
        HttpResponse<String> second = patch(LEAD, token, "{}");
        HttpResponse<String> third = patch(LEAD, token, "{}");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.headers().firstValue("retry-after")).hasValue("7");
        assertThat(JSON.readTree(first.body()).get(0).get("errorCode").asText()).isEqualTo("SERVER_UNAVAILABLE");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(204);
        assertThat(third.headers().firstValue("retry-after")).isEmpty();

        sf.unavailable(true);
        assertThat(patch(LEAD, token, "{}").statusCode()).isEqualTo(503);
        HttpResponse<String> tokenWhileDown = token("kiln-test", SECRET);
        assertThat(tokenWhileDown.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(tokenWhileDown.body()).get("error").asText()).isEqualTo("temporarily_unavailable");

        sf.unavailable(false);
        assertThat(patch(LEAD, token, "{}").statusCode()).isEqualTo(204);
        assertThat(sf.patchesFor(LEAD)).extracting(Recorded::status).containsExactly(503, 503, 204, 503, 204);
    }

    @Test
    void a_body_that_is_not_a_json_object_is_400_json_parser_error() throws Exception {
        String token = bearer(JSON.readTree(token("kiln-test", SECRET).body()));

        for (String body : List.of("{\"lead_status\": \"MQL\"", "not json", "[{\"lead_status\": \"MQL\"}]", "", "{} {}")) {
            HttpResponse<String> r = patch(LEAD, token, body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            JsonNode error = JSON.readTree(r.body());
            assertThat(error.isArray()).isTrue();
            assertThat(error.get(0).get("errorCode").asText()).isEqualTo("JSON_PARSER_ERROR");
            assertThat(error.get(0).get("message").asText()).isNotBlank();
        }
        assertThat(sf.patchesFor(LEAD)).hasSize(5).allSatisfy(r -> assertThat(r.status()).isEqualTo(400));
    }

    @Test
    void a_content_type_other_than_json_is_415() throws Exception {
        String token = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(sf.leadUrl(LEAD)))
                .header("Content-Type", "text/plain").header("Authorization", "Bearer " + token)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(r.body()).get(0).get("errorCode").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void other_paths_are_404_and_recorded() throws Exception {
        HttpResponse<String> r = post("/services/data/v60.0/sobjects/Contact/003000000000001", "application/json", "{}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get(0).get("errorCode").asText()).isEqualTo("NOT_FOUND");
        assertThat(sf.requests()).singleElement().satisfies(rec -> {
            assertThat(rec.path()).isEqualTo("/services/data/v60.0/sobjects/Contact/003000000000001");
            assertThat(rec.status()).isEqualTo(404);
        });
    }

    @Test
    void a_person_with_curl_can_watch_and_change_the_fake() throws Exception {
        String token = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        patch(LEAD, token, "{\"lead_status\": \"MQL\"}");

        HttpResponse<String> down = post("/_fake/config", "application/json", "{\"unavailable\": true}");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(down.body()).get("unavailable").asBoolean()).isTrue();
        assertThat(patch(LEAD, token, "{}").statusCode()).isEqualTo(503);
        post("/_fake/config", "application/json", "{\"unavailable\": false, \"expire_tokens\": true, \"fail_with_503\": 0}");
        assertThat(patch(LEAD, token, "{}").statusCode()).isEqualTo(401);

        JsonNode view = JSON.readTree(get("/_fake/requests?lead=" + LEAD).body());
        assertThat(view.get("total").asLong()).isEqualTo(4);
        assertThat(view.get("requests")).extracting(n -> n.get("status").asInt()).containsExactly(204, 503, 401);
        assertThat(view.get("requests").get(0).get("body").asText()).isEqualTo("{\"lead_status\": \"MQL\"}");
        assertThat(view.get("requests").get(0).get("headers").get("authorization").asText()).isEqualTo("Bearer " + token);
        assertThat(JSON.readTree(get("/_fake/requests?limit=1").body()).get("requests")).hasSize(1);

        HttpResponse<String> typo = post("/_fake/config", "application/json", "{\"unavailble\": true}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("unknown setting 'unavailble'").contains("unavailable");
        HttpResponse<String> wrongType = post("/_fake/config", "application/json", "{\"fail_with_503\": \"two\"}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        HttpResponse<String> leads = post("/_fake/config", "application/json",
                "{\"known_leads\": [\"00Q5e00000Known\", \"00Q5e00000Known\"], \"unknown_leads\": []}");
        assertThat(leads.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(leads.body()).get("known_leads")).extracting(JsonNode::asText).containsExactly("00Q5e00000Known");

        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(sf.baseUrl() + "/_fake/requests")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(sf.requests()).isEmpty();
    }

    @Test
    void many_requests_on_one_client_are_answered_without_closing_the_connection() throws Exception {
        String token = bearer(JSON.readTree(token("kiln-test", SECRET).body()));
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> r = patch(LEAD, token, "{\"n\": " + i + "}");
            assertThat(r.statusCode()).isEqualTo(204);
            assertThat(r.headers().firstValue("connection")).isNotEqualTo(java.util.Optional.of("close"));
        }
        assertThat(sf.requestCount()).isEqualTo(201);
    }

    @Test
    void the_request_log_is_bounded_and_counts_what_it_dropped() throws Exception {
        sf.recordLimit(3);
        for (int i = 0; i < 5; i++) post("/nowhere/" + i, "application/json", "{}");
        assertThat(sf.requests()).extracting(Recorded::path).containsExactly("/nowhere/2", "/nowhere/3", "/nowhere/4");
        assertThat(sf.requestCount()).isEqualTo(5);
        assertThat(JSON.readTree(get("/_fake/requests").body()).get("dropped").asLong()).isEqualTo(2);
    }

    // ---- helpers ----

    HttpResponse<String> token(String clientId, String secret) throws Exception {
        return post("/services/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret);
    }

    HttpResponse<String> patch(String leadId, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sf.baseUrl() + "/services/data/v60.0/sobjects/Lead/" + leadId))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sf.baseUrl() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sf.baseUrl() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static String bearer(JsonNode tokenResponse) {
        return tokenResponse.get("access_token").asText();
    }

    static String hmac(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }
}
