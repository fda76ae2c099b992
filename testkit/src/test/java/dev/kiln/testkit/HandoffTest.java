package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.fake.FakeSalesforce;
import dev.kiln.server.fake.Recorded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kiln.testkit.SeedLeads.attrs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4 acceptance, end to end over real HTTP: a real Kiln process runs the seed's scoring Canvas and the
 * example handoff campaign ({@code examples/campaigns/salesforce-mql.yaml}, verbatim) against the fake
 * Salesforce of this repository, with the OAuth connection's secret in an environment variable.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HandoffTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir static Path data;
    private static FakeSalesforce salesforce;
    private static KilnProcess kiln;
    private static KilnClient client;
    private static SeedLeads seed;

    @BeforeAll
    static void start() throws IOException {
        salesforce = FakeSalesforce.start(0).acceptAnyLead(true).retryAfterSeconds(1);
        Path definitions = SeedLeads.definitions(data.resolve("definitions"), "1h");
        SalesforceHandoff.addTo(definitions, salesforce);
        kiln = KilnProcess.builder(data.resolve("server")).definitions(definitions)
                .env(SalesforceHandoff.SECRET_ENV, FakeSalesforce.DEFAULT_CLIENT_SECRET).start();
        client = kiln.client();
        seed = new SeedLeads(client);
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        ProcessLogs.keep(kiln, HandoffTest.class.getSimpleName());
        if (kiln != null) kiln.close();
        if (salesforce != null) salesforce.close();
    }

    private static List<Recorded> okPatches(String lead) { return SalesforceHandoff.okPatches(salesforce, lead); }

    private static List<JsonNode> log(String lead) { return SalesforceHandoff.messageLog(client, lead); }

    private static String leadStatus(String lead) { return SalesforceHandoff.leadStatus(client, lead); }

    @Test @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_lead_the_canvas_takes_past_100_is_handed_off_once_with_the_token_of_the_token_endpoint() {
        String lead = "00Q000000000001AAA";
        seed.lead(lead, 98);
        seed.event(lead, "demo_requested");                        // +5 by the Canvas: 103
        await().atMost(PATIENCE).until(() -> okPatches(lead).size() == 1);
        Recorded patch = okPatches(lead).get(0);
        assertThat(patch.body().replaceAll("\\s", "")).isEqualTo(SalesforceHandoff.MQL_BODY);
        assertThat(patch.header("authorization")).get().asString().startsWith("Bearer ");
        assertThat(salesforce.tokensIssued()).isPositive();
        assertThat(patch.header("idempotency-key")).isPresent();
        await().atMost(PATIENCE).until(() -> "MQL".equals(leadStatus(lead)));
        // Later score changes of an MQL lead send nothing: the audience excludes MQL, and it was received.
        seed.event(lead, "demo_requested");
        seed.event(lead, "webinar_registered");
        await().atMost(PATIENCE).until(() -> seed.score(lead) == 109);
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> salesforce.patchesFor(lead).size() == 1);
        assertThat(log(lead)).anySatisfy(m -> assertThat(m.path("outcome").asText()).isEqualTo("sent"));
    }

    @Test @Order(2)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_lead_below_the_threshold_is_aborted_with_the_reason_and_nothing_is_sent() {
        String lead = "00Q000000000002AAA";
        seed.lead(lead, 40);
        await().atMost(PATIENCE).until(() -> log(lead).stream().anyMatch(m -> m.path("outcome").asText().equals("aborted")));
        assertThat(log(lead)).allSatisfy(m -> {
            assertThat(m.path("outcome").asText()).isEqualTo("aborted");
            assertThat(m.path("abort_reason").asText()).isEqualTo("not at threshold");
        });
        assertThat(salesforce.patchesFor(lead)).isEmpty();
        assertThat(leadStatus(lead)).isNull();
    }

    @Test @Order(3)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void salesforce_down_for_a_while_then_up_gets_the_patch_once_after_recovery() {
        String lead = "00Q000000000003AAA";
        salesforce.failWith503(2);
        seed.lead(lead, 150);
        await().atMost(PATIENCE).until(() -> okPatches(lead).size() == 1);
        List<Recorded> all = salesforce.patchesFor(lead);
        assertThat(all).extracting(Recorded::status).containsExactly(503, 503, 204);
        assertThat(all).extracting(r -> r.header("idempotency-key").orElseThrow()).containsOnly(all.get(0).header("idempotency-key").get());
        await().atMost(PATIENCE).until(() -> log(lead).stream().anyMatch(m -> m.path("outcome").asText().equals("sent")));
        assertThat(log(lead)).extracting(m -> m.path("outcome").asText()).containsExactly("sent", "retry", "retry");
    }

    @Test @Order(4)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void an_unknown_lead_fails_once_without_retry_and_shows_in_the_log() {
        String lead = "00Q00000000000XAAA";
        salesforce.unknownLeads(lead);
        seed.lead(lead, 150);
        await().atMost(PATIENCE).until(() -> log(lead).stream().anyMatch(m -> m.path("outcome").asText().equals("failed")));
        JsonNode failed = log(lead).get(0);
        assertThat(failed.path("status_code").asInt()).isEqualTo(404);
        assertThat(failed.path("response_excerpt").asText()).contains("NOT_FOUND");
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> salesforce.patchesFor(lead).size() == 1);
        assertThat(leadStatus(lead)).isNull();
    }

    @Test @Order(5)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_stale_token_is_refreshed_once_then_the_patch_is_sent() {
        String lead = "00Q000000000005AAA";
        long tokensBefore = salesforce.tokensIssued();
        salesforce.expireTokens();
        seed.lead(lead, 150);
        await().atMost(PATIENCE).until(() -> okPatches(lead).size() == 1);
        assertThat(salesforce.patchesFor(lead)).extracting(Recorded::status).containsExactly(401, 204);
        assertThat(salesforce.tokensIssued()).isEqualTo(tokensBefore + 1);
    }

    @Test @Order(6)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void kill_9_with_sends_pending_then_restart_delivers_each_once_with_the_same_idempotency_key() {
        List<String> leads = new ArrayList<>();
        for (int i = 0; i < 20; i++) leads.add(String.format("00Q0000000001%02dAAA", i));
        salesforce.unavailable(true);
        List<java.util.Map<String, Object>> objects = new ArrayList<>();
        for (String l : leads) objects.add(attrs(l, "lead score", 150));
        seed.attributes(objects);
        // Some are refused (503, retried later), the rest wait in the outbox (the breaker pauses a failing host).
        await().atMost(PATIENCE).until(() -> leads.stream().filter(l -> !salesforce.patchesFor(l).isEmpty()).count() >= 5);
        kiln.kill9();
        salesforce.unavailable(false);
        kiln = kiln.restart();
        client.close();
        client = kiln.client();
        seed = new SeedLeads(client);
        await().atMost(Duration.ofSeconds(60)).until(() -> leads.stream().allMatch(l -> okPatches(l).size() == 1));
        for (String l : leads) {
            List<Recorded> all = salesforce.patchesFor(l);
            assertThat(all).extracting(r -> r.header("idempotency-key").orElseThrow()).as(l).containsOnly(all.get(0).header("idempotency-key").get());
        }
        await().during(Duration.ofSeconds(3)).atMost(PATIENCE).until(() -> leads.stream().allMatch(l -> okPatches(l).size() == 1));
        await().atMost(PATIENCE).until(() -> leads.stream().allMatch(l -> "MQL".equals(leadStatus(l))));
    }

    @Test @Order(7)
    void no_secret_or_token_reaches_the_server_log_or_the_message_log() throws IOException {
        String logText = Files.readString(kiln.logFile(), StandardCharsets.UTF_8);
        List<String> tokens = salesforce.requests().stream()
                .map(r -> r.header("authorization").orElse(""))
                .filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7)).distinct().toList();
        assertThat(tokens).isNotEmpty();
        String messages = client.get("/messages/log?limit=1000").body();
        String campaign = client.get("/campaigns/salesforce-mql").body();
        for (String secret : concat(List.of(FakeSalesforce.DEFAULT_CLIENT_SECRET), tokens)) {
            assertThat(logText).as("server log").doesNotContain(secret);
            assertThat(messages).as("message log").doesNotContain(secret);
            assertThat(campaign).as("campaign API").doesNotContain(secret);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
