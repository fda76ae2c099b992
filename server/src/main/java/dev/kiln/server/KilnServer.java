package dev.kiln.server;

import dev.kiln.delivery.Connections;
import dev.kiln.delivery.Dispatcher;
import dev.kiln.delivery.OutboundPolicy;
import dev.kiln.delivery.Secrets;
import dev.kiln.runtime.CampaignRegistry;
import dev.kiln.runtime.CampaignScheduler;
import dev.kiln.runtime.CanvasRegistry;
import dev.kiln.server.http.CampaignRoutes;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.server.http.CanvasRoutes;
import dev.kiln.runtime.RuntimeConfig;
import dev.kiln.server.http.ApiServer;
import dev.kiln.server.http.Scopes;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.Store;
import dev.kiln.store.StoreConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kiln process: store, runtime, definitions, webhook delivery and HTTP API, started in that order and
 * stopped in reverse. {@link #close()} drains: the scheduler and the dispatcher stop (messages not
 * finished stay in the outbox and are sent after a restart), the API stops taking work, everything
 * submitted is committed, then the store closes. Used by {@code kiln serve}, by end-to-end tests and by the benchmarks.
 */
public final class KilnServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KilnServer.class);
    /** How often scheduled campaigns are checked, and how late a run may start after downtime. */
    static final java.time.Duration SCHEDULER_CHECK = java.time.Duration.ofSeconds(10);
    static final java.time.Duration SCHEDULER_GRACE = java.time.Duration.ofHours(24);
    /** How often CDI schedules ({@code every}) are checked. */
    static final java.time.Duration CDI_TICK = java.time.Duration.ofSeconds(5);

    private final ServerConfig config;
    private final Store store;
    private final KilnRuntime runtime;
    private final Definitions definitions;
    private final ApiServer api;
    private final CanvasRegistry canvases;
    private final CampaignRegistry campaigns;
    private final Dispatcher dispatcher;
    private final CampaignScheduler scheduler;
    private dev.kiln.server.cdi.CdiService cdi;
    private final dev.kiln.server.currents.Currents currents;
    private boolean closed;

    private KilnServer(ServerConfig config, Store store, KilnRuntime runtime, Definitions definitions, ApiServer api,
                       CanvasRegistry canvases, CampaignRegistry campaigns, Dispatcher dispatcher, CampaignScheduler scheduler,
                       dev.kiln.server.currents.Currents currents) {
        this.currents = currents;
        this.canvases = canvases;
        this.campaigns = campaigns;
        this.dispatcher = dispatcher;
        this.scheduler = scheduler;
        this.config = config;
        this.store = store;
        this.runtime = runtime;
        this.definitions = definitions;
        this.api = api;
    }

    /** Starts everything; throws with a clear message when the config or the definitions are invalid. */
    public static KilnServer start(ServerConfig config) {
        return start(config, dev.kiln.server.currents.CurrentsConfig.fromEnvironment());
    }

    /** {@link #start(ServerConfig)} with Currents settings (poll interval, maximum event log retention). */
    public static KilnServer start(ServerConfig config, dev.kiln.server.currents.CurrentsConfig currentsConfig) {
        log.info("starting Kiln: {}", config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Store store = dev.kiln.store.Stores.open(StoreConfig.of(config.jdbcUrl()));
        if (store instanceof dev.kiln.store.JournaledStore journaled) {
            io.micrometer.core.instrument.Gauge.builder("kiln.store.journal.pending.rows", journaled,
                    dev.kiln.store.JournaledStore::pendingRows)
                    .description("Rows acknowledged (journaled) and not yet written into the tables").register(registry);
            io.micrometer.core.instrument.Gauge.builder("kiln.store.journal.pending.bytes", journaled,
                    dev.kiln.store.JournaledStore::pendingBytes).baseUnit("bytes")
                    .description("Encoded size of the commits journaled and not yet written into the tables").register(registry);
        }
        KilnRuntime runtime = null;
        Definitions definitions = null;
        Dispatcher dispatcher = null;
        CampaignScheduler scheduler = null;
        dev.kiln.server.cdi.CdiService cdi = null;
        dev.kiln.server.currents.Currents currents = null;
        try {
            if (config.adminKey() != null && !config.adminKey().isBlank()) {
                store.apiKeys().upsert("admin", "KILN_ADMIN_KEY", ApiKeys.hash(config.adminKey()), Scopes.ALL, System.currentTimeMillis());
                log.info("KILN_ADMIN_KEY registered as key 'admin' with every scope");
            }
            definitions = Definitions.load(config.definitions(), config.watchInterval());
            runtime = KilnRuntime.start(RuntimeConfig.defaults().withLanes(config.lanes()), store, registry);
            CanvasRegistry canvases = new CanvasRegistry(store, runtime);
            canvases.definitionsLoaded(definitions.current(), definitions.canvasDocuments());
            CampaignRegistry campaigns = new CampaignRegistry(store, runtime);
            campaigns.definitionsLoaded(definitions.current(), definitions.campaignDocuments());
            OutboundPolicy policy = config.delivery().outboundPolicy();
            Connections connections = Connections.standard(definitions.current().connections().values(), new Secrets(), policy,
                    runtime.clock());
            definitions.onChange(d -> {
                canvases.definitionsLoaded(d.current(), d.canvasDocuments());
                campaigns.definitionsLoaded(d.current(), d.campaignDocuments());
                connections.replace(d.current().connections().values());
            });
            dispatcher = Dispatcher.start(config.delivery().withClock(runtime.clock()), runtime, connections, policy, registry);
            scheduler = new CampaignScheduler(runtime, SCHEDULER_CHECK, SCHEDULER_GRACE).start();
            // CDI: integrations from cdi/*.yaml, reloaded with the definitions; scheduled syncs; a failing sync is recorded, never fatal.
            cdi = new dev.kiln.server.cdi.CdiService(runtime, definitions.current().cdi()).startScheduler(CDI_TICK);
            dev.kiln.server.cdi.CdiService cdiService = cdi;
            definitions.onChange(d -> cdiService.integrations(d.current().cdi()));
            // Currents: one exporter per connector; the event log is kept until the slowest has passed it.
            // The http sink obeys the same outbound policy as webhooks.
            currents = dev.kiln.server.currents.Currents.start(store, definitions.current().currents().values(), registry, currentsConfig,
                    dev.kiln.delivery.SecretResolver.standard(new Secrets())::resolve, policy);
            if (!currents.isEmpty()) runtime.holdEventLog(currents::prunableThroughSeq, currentsConfig.maxRetention());
            dev.kiln.server.currents.Currents cur = currents;
            Definitions defs = definitions;
            KilnRuntime rt = runtime;
            ApiServer api = ApiServer.builder()
                    .port(config.port())
                    .runtime(runtime)
                    .keys(store.apiKeys())
                    .registry(registry)
                    .rateLimit(config.rateLimit(), config.rateWindow())
                    .extraRoutes(routing -> {
                        DefinitionRoutes.register(routing, defs, rt);
                        CanvasRoutes.register(routing, canvases, rt);
                        CampaignRoutes.register(routing, campaigns, rt, connections, policy);
                        dev.kiln.server.http.CdiRoutes.register(routing, cdiService);
                        dev.kiln.server.http.CurrentsRoutes.register(routing, cur);
                    })
                    .build();
            api.start();
            log.info("Kiln listening on http://localhost:{}", api.port());
            KilnServer server = new KilnServer(config, store, runtime, definitions, api, canvases, campaigns, dispatcher, scheduler, currents);
            server.cdi = cdi;
            return server;
        } catch (RuntimeException | Error e) {
            if (cdi != null) cdi.close();
            if (currents != null) currents.close();
            if (scheduler != null) scheduler.close();
            if (dispatcher != null) dispatcher.close();
            if (runtime != null) runtime.close();
            if (definitions != null) definitions.close();
            store.close();
            throw e;
        }
    }

    public int port() { return api.port(); }
    public KilnRuntime runtime() { return runtime; }
    public Store store() { return store; }
    public Definitions definitions() { return definitions; }
    public CanvasRegistry canvases() { return canvases; }
    public CampaignRegistry campaigns() { return campaigns; }
    public ServerConfig config() { return config; }
    public dev.kiln.server.cdi.CdiService cdi() { return cdi; }
    public dev.kiln.server.currents.Currents currents() { return currents; }

    /** Drains and stops: refuse new work, commit everything in flight, stop HTTP, close the store. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        log.info("draining: no new work accepted; committing what is in flight");
        if (cdi != null) cdi.close();
        scheduler.close();
        dispatcher.close();
        runtime.close();
        currents.close(); // after the drain: what was committed is exported, complete files renamed, cursors written
        api.stop();
        definitions.close();
        store.close();
        log.info("stopped");
    }
}
