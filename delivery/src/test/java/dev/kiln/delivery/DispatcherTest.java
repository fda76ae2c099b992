package dev.kiln.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.CanvasSet;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.filter.Filter;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;
import dev.kiln.store.MessageLogRow;
import dev.kiln.store.OutboxRow;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DispatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<AttributeOp> MARK_MQL = List.of(new AttributeOp.Set("lead_status", new Value.Str("MQL")));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Harness h = new Harness();

    @AfterEach void close() { h.close(); }

    /** The seed's webhook against the mock Salesforce, authorised by the {@code crm} connection. */
    private Webhook seedWebhook() {
        return Seed.webhook(h.url("/sf/"), "Bearer {{connections.crm.access_token}}");
    }

    private static MockResponse token(String value) {
        return Routes.json(200, "{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\"}");
    }

    private void awaitOutboxEmpty() {
        await().atMost(WAIT).until(() -> h.outbox().isEmpty() && h.dispatcher.inFlight() == 0);
    }

    @Test void a_campaign_message_is_sent_once_with_its_idempotency_key_and_on_success_applies() throws Exception {
        h.routes.on("/token", token("tok-A1")).on("/sf/", Routes.status(204));
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 120);
        h.trigger("00Q1", "mql");
        String messageId = h.outbox().get(0).messageId();
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.routes.count("/sf/")).isEqualTo(1);
        RecordedRequest r = h.routes.requests("/sf/").get(0);
        assertThat(r.getMethod()).isEqualTo("PATCH");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/sf/services/data/v60.0/sobjects/Lead/00Q1");
        assertThat(r.getHeaders().get("Idempotency-Key")).isEqualTo(messageId);
        assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer tok-A1");
        assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json");
        assertThat(JSON.readTree(Routes.body(r))).isEqualTo(JSON.readTree("{\"lead_status\":\"MQL\"}"));

        List<MessageLogRow> log = h.log();
        assertThat(log).hasSize(1);
        MessageLogRow sent = log.get(0);
        assertThat(sent.outcome()).isEqualTo("sent");
        assertThat(sent.statusCode()).isEqualTo(204);
        assertThat(sent.attempt()).isEqualTo(1);
        assertThat(sent.method()).isEqualTo("PATCH");
        assertThat(sent.externalId()).isEqualTo("00Q1");
        assertThat(sent.campaignId()).isEqualTo("mql");
        assertThat(sent.url()).endsWith("/sf/services/data/v60.0/sobjects/Lead/00Q1");
        assertThat(h.profile("00Q1")).containsEntry("lead_status", new Value.Str("MQL"));
        assertThat(h.store.readEventLog(0, 100)).extracting(e -> e.type()).contains("users.messages.webhook.Send");

        // Nothing is sent again, however many polls follow.
        h.dispatcher.wake();
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> h.routes.count("/sf/") == 1);
        assertThat(h.counter("kiln.delivery.outcomes", "sent")).isEqualTo(1);
    }

    @Test void a_backlog_larger_than_one_read_drains_without_waiting_for_the_poll_interval() {
        h.routes.on("/token", token("tok-B")).on("/sf/", Routes.status(204));
        h.campaigns(Harness.campaign("mql", seedWebhook(), List.of(), null));
        for (int i = 0; i < 40; i++) {
            h.lead("00QB" + i, 120);
            h.trigger("00QB" + i, "mql");
        }
        assertThat(h.outbox()).hasSize(40);
        // One read takes 5 rows and the next scheduled poll is an hour away: only re-reading on a full read
        // (and on every finish while a backlog remains) can send all 40.
        h.start(Harness.config().withPollInterval(Duration.ofHours(1)).withBatchSize(5));
        awaitOutboxEmpty();
        assertThat(h.routes.count("/sf/")).isEqualTo(40);
    }

    @Test void a_503_is_retried_and_then_sent() {
        h.routes.on("/token", token("tok-A1")).on("/sf/", Routes.status(503), Routes.status(204));
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 150);
        h.trigger("00Q1", "mql");
        h.start(Harness.config());

        await().atMost(WAIT).until(() -> h.log().size() == 1);
        MessageLogRow retry = h.log().get(0);
        assertThat(retry.outcome()).isEqualTo("retry");
        assertThat(retry.statusCode()).isEqualTo(503);
        assertThat(retry.detail()).isEqualTo("HTTP 503");
        OutboxRow row = h.outbox().get(0);
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.dueAt()).isBetween(h.clock.millis() + 500, h.clock.millis() + 1000);
        assertThat(h.profile("00Q1")).doesNotContainKey("lead_status");

        h.clock.advance(Duration.ofSeconds(2));
        h.dispatcher.wake();
        awaitOutboxEmpty();
        assertThat(h.log()).extracting(MessageLogRow::outcome, MessageLogRow::attempt, MessageLogRow::statusCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("retry", 1, 503), org.assertj.core.groups.Tuple.tuple("sent", 2, 204));
        List<RecordedRequest> sends = h.routes.requests("/sf/");
        assertThat(sends).hasSize(2);
        assertThat(sends.get(1).getHeaders().get("Idempotency-Key")).isEqualTo(sends.get(0).getHeaders().get("Idempotency-Key"));
        assertThat(h.profile("00Q1")).containsEntry("lead_status", new Value.Str("MQL"));
    }

    @Test void a_404_fails_without_retry() {
        h.routes.on("/token", token("tok-A1")).on("/sf/", Routes.json(404, "[{\"errorCode\":\"NOT_FOUND\"}]"));
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 150);
        h.trigger("00Q1", "mql");
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.log()).singleElement().satisfies(l -> {
            assertThat(l.outcome()).isEqualTo("failed");
            assertThat(l.statusCode()).isEqualTo(404);
            assertThat(l.detail()).isEqualTo("HTTP 404");
            assertThat(l.excerpt()).isEqualTo("[{\"errorCode\":\"NOT_FOUND\"}]");
        });
        h.clock.advance(Duration.ofHours(1));
        h.dispatcher.wake();
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> h.routes.count("/sf/") == 1);
        assertThat(h.profile("00Q1")).doesNotContainKey("lead_status");
        assertThat(h.store.readEventLog(0, 100)).extracting(e -> e.type()).contains("users.messages.webhook.Failure");
    }

    @Test void a_401_refreshes_the_connection_token_once_and_sends_again() {
        h.routes.on("/token", token("tok-old"), token("tok-new")).on("/sf/", Routes.status(401), Routes.status(204));
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 150);
        h.trigger("00Q1", "mql");
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.routes.count("/token")).isEqualTo(2);
        List<RecordedRequest> sends = h.routes.requests("/sf/");
        assertThat(sends).extracting(r -> r.getHeaders().get("Authorization")).containsExactly("Bearer tok-old", "Bearer tok-new");
        assertThat(h.log()).singleElement().satisfies(l -> {
            assertThat(l.outcome()).isEqualTo("sent");
            assertThat(l.attempt()).isEqualTo(1);
        });
    }

    @Test void a_401_twice_fails() {
        h.routes.on("/token", token("tok-old"), token("tok-new")).on("/sf/", Routes.status(401));
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 150);
        h.trigger("00Q1", "mql");
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.routes.count("/sf/")).isEqualTo(2);
        assertThat(h.log()).singleElement().satisfies(l -> assertThat(l.outcome()).isEqualTo("failed"));
    }

    @Test void an_aborted_message_is_logged_and_nothing_is_sent() {
        h.routes.on("/token", token("tok-A1")).on("/sf/", Routes.status(204));
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 99);
        h.trigger("00Q1", "mql");
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.routes.count("/")).isZero(); // not even the token endpoint: the body aborts first
        assertThat(h.log()).singleElement().satisfies(l -> {
            assertThat(l.outcome()).isEqualTo("aborted");
            assertThat(l.detail()).isEqualTo("not at threshold");
            assertThat(l.statusCode()).isNull();
        });
        assertThat(h.store.readEventLog(0, 100)).extracting(e -> e.type()).contains("users.messages.webhook.Abort");
    }

    @Test void a_network_error_is_retried() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        h.campaigns(Harness.campaign("dead", new Webhook("http://127.0.0.1:" + deadPort + "/hook", "POST", Map.of(), "{}", null), List.of(), null));
        h.lead("00Q1", 1);
        h.trigger("00Q1", "dead");
        h.start(Harness.config());

        await().atMost(WAIT).until(() -> h.log().size() == 1);
        assertThat(h.log().get(0).outcome()).isEqualTo("retry");
        assertThat(h.log().get(0).detail()).isEqualTo("connection refused");
        assertThat(h.outbox()).singleElement().satisfies(r -> assertThat(r.attempts()).isEqualTo(1));
    }

    @Test void a_message_whose_campaign_is_gone_fails_as_definition_removed() {
        h.campaigns(Harness.campaign("mql", seedWebhook(), MARK_MQL, null));
        h.lead("00Q1", 150);
        h.trigger("00Q1", "mql");
        h.campaigns();
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.routes.count("/")).isZero();
        assertThat(h.log()).singleElement().satisfies(l -> {
            assertThat(l.outcome()).isEqualTo("failed");
            assertThat(l.detail()).isEqualTo("definition removed");
        });
    }

    @Test void a_message_to_a_denied_host_fails() {
        h.campaigns(Harness.campaign("meta", new Webhook("http://169.254.169.254/latest/meta-data/", "GET", Map.of(), null, null), List.of(), null));
        h.lead("00Q1", 1);
        h.trigger("00Q1", "meta");
        h.start(Harness.config());

        awaitOutboxEmpty();
        assertThat(h.log()).singleElement().satisfies(l -> {
            assertThat(l.outcome()).isEqualTo("failed");
            assertThat(l.detail()).contains("outbound policy", "169.254.0.0/16");
        });
    }

    @Test void a_canvas_webhook_step_is_delivered_with_its_entry_properties() throws Exception {
        h.routes.on("/hook", Routes.status(200));
        Map<String, String> pairs = Map.of("source", "{{canvas_entry_properties.${source}}}", "id", "{{${user_id}}}");
        Canvas canvas = new Canvas("nurture", "Nurture", List.of(), 3, Canvas.Status.ACTIVE,
                new Entry(List.of(), true, Filter.EVERYONE, List.of(), new Entry.Reentry(true, 0), Entry.Limits.NONE, Entry.SendTo.ALL_USERS),
                "notify", Map.of("notify", new Step.WebhookStep("notify", new Webhook(h.url("/hook"), "POST", Map.of(), null, pairs), null)),
                List.of());
        h.runtime.canvases(CanvasSet.of(List.of(canvas)));
        h.lead("00Q1", 1);
        h.submit(new Op.Apply(new Identifier.ExternalId("00Q1"), false,
                new Input.EnterCanvas("enter-1", Source.api("test"), "nurture", Map.of("source", "webinar"))));
        h.start(Harness.config());

        awaitOutboxEmpty();
        RecordedRequest r = h.routes.requests("/hook").get(0);
        assertThat(JSON.readTree(Routes.body(r))).isEqualTo(JSON.readTree("{\"source\":\"webinar\",\"id\":\"00Q1\"}"));
        assertThat(h.log()).singleElement().satisfies(l -> {
            assertThat(l.outcome()).isEqualTo("sent");
            assertThat(l.canvasId()).isEqualTo("nurture");
            assertThat(l.stepId()).isEqualTo("notify");
        });
    }

    @Test void the_breaker_parks_messages_for_a_failing_host_without_using_attempts() {
        h.routes.on("/hook", Routes.status(503));
        Webhook hook = new Webhook(h.url("/hook/") + "{{${user_id}}}", "POST", Map.of(), "{}", null);
        h.campaigns(Harness.campaign("c", hook, List.of(), null));
        DeliveryConfig config = Harness.config().withBreakerMinRequests(2).withBreakerWindow(2)
                .withBreakerCooldown(Duration.ofSeconds(30)).withBackoffBase(Duration.ofSeconds(10));
        h.lead("u1", 1);
        h.lead("u2", 1);
        h.trigger("u1", "c");
        h.trigger("u2", "c");
        h.start(config);
        await().atMost(WAIT).until(() -> h.log().size() == 2); // both 503: the breaker opens

        h.lead("u3", 1);
        h.trigger("u3", "c");
        await().atMost(WAIT).until(() -> h.dispatcher.parked() == 1);
        assertThat(h.routes.count("/hook")).isEqualTo(2);
        assertThat(h.log()).extracting(MessageLogRow::externalId).containsExactlyInAnyOrder("u1", "u2");
        assertThat(h.outbox()).filteredOn(r -> r.snapshot().contains("\"u3\"")).singleElement()
                .satisfies(r -> assertThat(r.attempts()).isZero());

        h.routes.on("/hook", Routes.status(204));
        h.clock.advance(Duration.ofSeconds(31)); // cool-down over, and the two retries are due
        h.dispatcher.wake();
        awaitOutboxEmpty();
        assertThat(h.dispatcher.parked()).isZero();
        assertThat(h.log()).filteredOn(l -> l.externalId().equals("u3")).singleElement()
                .satisfies(l -> {
                    assertThat(l.outcome()).isEqualTo("sent");
                    assertThat(l.attempt()).isEqualTo(1);
                });
        assertThat(h.log()).filteredOn(l -> l.outcome().equals("sent")).hasSize(3);
    }

    @Test void a_campaign_rate_limit_makes_messages_wait_not_fail() {
        h.routes.on("/hook", Routes.status(204));
        Webhook hook = new Webhook(h.url("/hook/") + "{{${user_id}}}", "POST", Map.of(), "{}", null);
        h.campaigns(Harness.campaign("slow", hook, List.of(), 1)); // one message a minute
        for (String u : List.of("u1", "u2", "u3")) {
            h.lead(u, 1);
            h.trigger(u, "slow");
        }
        h.start(Harness.config());

        await().atMost(WAIT).until(() -> h.log().size() == 1 && h.dispatcher.parked() == 2);
        h.clock.advance(Duration.ofSeconds(61));
        await().atMost(WAIT).until(() -> h.log().size() == 2);
        assertThat(h.dispatcher.parked()).isEqualTo(1);
        h.clock.advance(Duration.ofSeconds(61));
        awaitOutboxEmpty();
        assertThat(h.log()).extracting(MessageLogRow::outcome).containsOnly("sent");
    }

    @Test void a_failed_outcome_commit_leaves_the_message_to_be_sent_again() {
        h.routes.on("/hook", Routes.status(204));
        h.campaigns(Harness.campaign("c", new Webhook(h.url("/hook"), "POST", Map.of(), "{}", null), List.of(), null));
        h.lead("u1", 1);
        h.trigger("u1", "c");
        h.store.failNextCommit.set(true);
        h.start(Harness.config());

        awaitOutboxEmpty();
        List<RecordedRequest> sends = h.routes.requests("/hook");
        assertThat(sends).hasSize(2); // at least once: the first outcome was lost with its commit
        assertThat(sends.get(0).getHeaders().get("Idempotency-Key")).isEqualTo(sends.get(1).getHeaders().get("Idempotency-Key"));
        assertThat(h.log()).singleElement().satisfies(l -> assertThat(l.outcome()).isEqualTo("sent"));
    }

    @Test void close_leaves_unfinished_messages_in_the_outbox_for_the_next_start() {
        h.routes.on("/hook", Routes.status(503));
        h.campaigns(Harness.campaign("c", new Webhook(h.url("/hook/") + "{{${user_id}}}", "POST", Map.of(), "{}", null), List.of(), null));
        DeliveryConfig config = Harness.config().withBreakerMinRequests(1).withBreakerWindow(1);
        h.lead("u1", 1);
        h.trigger("u1", "c");
        h.start(config);
        await().atMost(WAIT).until(() -> h.log().size() == 1);
        h.lead("u2", 1);
        h.trigger("u2", "c");
        await().atMost(WAIT).until(() -> h.dispatcher.parked() == 1);
        h.dispatcher.close();
        assertThat(h.outbox()).hasSize(2);

        h.routes.on("/hook", Routes.status(204));
        h.clock.advance(Duration.ofMinutes(1));
        h.start(config);
        awaitOutboxEmpty();
        assertThat(h.log()).extracting(MessageLogRow::outcome).containsExactlyInAnyOrder("retry", "sent", "sent");
    }
}
