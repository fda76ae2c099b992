package dev.kiln.delivery;

import dev.kiln.definitions.Connection;
import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.CampaignSet;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.filter.Filter;
import dev.kiln.runtime.FakeStore;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;
import dev.kiln.runtime.RuntimeConfig;
import dev.kiln.store.MessageLogQuery;
import dev.kiln.store.MessageLogRow;
import dev.kiln.store.OutboxRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockWebServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link KilnRuntime} over the in-memory {@link FakeStore}, a settable clock, a mock HTTP server
 * ({@link Routes}) and, once started, a {@link Dispatcher}.
 */
final class Harness implements AutoCloseable {
    static final String CLIENT_SECRET = "cl1ent-s3cret-9f8e7d";

    final FakeStore store = new FakeStore();
    final TestClock clock = new TestClock();
    final KilnRuntime runtime = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock), store, new SimpleMeterRegistry());
    final MockWebServer server = new MockWebServer();
    final Routes routes = new Routes();
    final Secrets secrets = new Secrets();
    final Map<String, String> env = new HashMap<>(Map.of("CRM_SECRET", CLIENT_SECRET));
    final Connections connections;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Dispatcher dispatcher;
    private int seq;

    Harness() {
        server.setDispatcher(routes);
        try {
            server.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        connections = new Connections(secrets, SecretResolver.of(env::get, secrets), OutboundPolicy.defaults(), clock);
        connections.replace(List.of(new Connection("crm", Connection.Type.OAUTH2_CLIENT_CREDENTIALS, url("/token"), "kiln",
                Connection.SecretRef.env("CRM_SECRET"), null, null, null, null, null)));
    }

    String url(String path) { return server.url(path).toString(); }

    /** Test settings: a quick poll, a fixed jitter seed, the harness clock. */
    static DeliveryConfig config() {
        return DeliveryConfig.defaults().withPollInterval(Duration.ofMillis(20)).withJitterSeed(42L)
                .withBackoffBase(Duration.ofSeconds(1)).withDrainTimeout(Duration.ofSeconds(5));
    }

    Harness start(DeliveryConfig config) {
        dispatcher = Dispatcher.start(config.withClock(clock), runtime, connections, OutboundPolicy.defaults(), meters);
        return this;
    }

    static Campaign campaign(String id, Webhook webhook, List<AttributeOp> onSuccess, Integer perMinute) {
        return new Campaign(id, id, List.of(), 1, Canvas.Status.ACTIVE, List.of(), true, null, Filter.EVERYONE, List.of(),
                new Entry.Reentry(true, 0), perMinute, webhook, onSuccess);
    }

    void campaigns(Campaign... campaigns) { runtime.campaigns(CampaignSet.of(List.of(campaigns))); }

    /** Creates (or updates) a lead with a score; returns its internal id. */
    String lead(String externalId, double score) {
        return submit(new Op.Apply(new Identifier.ExternalId(externalId), true, new Input.UpdateAttributes("in" + (seq++),
                Source.track("t"), List.of(new AttributeOp.Set("lead score", new Value.Num(score)))))).userId();
    }

    /** API-triggers a campaign for a lead. */
    void trigger(String externalId, String campaignId) {
        submit(new Op.Apply(new Identifier.ExternalId(externalId), false,
                new Input.TriggerCampaign("trig" + (seq++), Source.api("test"), campaignId, Map.of())));
    }

    Outcome submit(Op op) {
        try {
            Outcome o = runtime.submit(List.of(op)).get(10, TimeUnit.SECONDS).get(0);
            if (!o.ok()) throw new AssertionError("op refused: " + o.error());
            return o;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The message log, oldest first. */
    List<MessageLogRow> log() {
        List<MessageLogRow> l = new ArrayList<>(store.messageLog(MessageLogQuery.latest(1000)));
        Collections.reverse(l);
        return l;
    }

    List<OutboxRow> outbox() { return store.dueOutbox(Long.MAX_VALUE, 1000); }

    Map<String, Value> profile(String externalId) {
        return runtime.find(new Identifier.ExternalId(externalId)).orElseThrow().custom();
    }

    double counter(String name, String outcome) {
        var c = meters.find(name).tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Override public void close() {
        if (dispatcher != null) dispatcher.close();
        runtime.close();
        server.close();
    }
}
