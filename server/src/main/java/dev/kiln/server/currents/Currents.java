package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.Store;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configured Currents connector, one exporter thread each (see {@code docs/currents.md}). Connectors are
 * read from the definitions at start; a changed {@code currents/} folder takes effect on restart.
 */
public final class Currents implements AutoCloseable {
    private final List<CurrentsExporter> exporters;
    private final CurrentsConfig config;
    private final Store store;

    private Currents(List<CurrentsExporter> exporters, CurrentsConfig config, Store store) {
        this.exporters = exporters;
        this.config = config;
        this.store = store;
    }

    /** Starts with secrets read from the process environment and files. */
    public static Currents start(Store store, Collection<CurrentsConnector> connectors, MeterRegistry registry, CurrentsConfig config) {
        return start(store, connectors, registry, config,
                dev.kiln.delivery.SecretResolver.standard(new dev.kiln.delivery.Secrets())::resolve);
    }

    /** @param secrets reads the {@code { env }} / {@code { file }} secrets of jdbc and http sinks */
    public static Currents start(Store store, Collection<CurrentsConnector> connectors, MeterRegistry registry, CurrentsConfig config,
                                 java.util.function.Function<dev.kiln.definitions.Connection.SecretRef, String> secrets) {
        return start(store, connectors, registry, config, secrets, dev.kiln.delivery.OutboundPolicy.defaults());
    }

    /**
     * @param secrets  reads the {@code { env }} / {@code { file }} secrets of jdbc and http sinks
     * @param outbound where the http sink may send requests (the server's outbound policy)
     */
    public static Currents start(Store store, Collection<CurrentsConnector> connectors, MeterRegistry registry, CurrentsConfig config,
                                 java.util.function.Function<dev.kiln.definitions.Connection.SecretRef, String> secrets,
                                 dev.kiln.delivery.OutboundPolicy outbound) {
        SinkWriters.SinkContext context = new SinkWriters.SinkContext(registry, secrets, outbound);
        List<CurrentsExporter> exporters = new ArrayList<>();
        for (CurrentsConnector c : connectors) exporters.add(new CurrentsExporter(c, store, config, context));
        Currents currents = new Currents(List.copyOf(exporters), config, store);
        exporters.forEach(CurrentsExporter::start);
        return currents;
    }

    public CurrentsConfig config() { return config; }

    public boolean isEmpty() { return exporters.isEmpty(); }

    /**
     * The highest seq every connector has exported (the slowest cursor): the event log may be pruned through
     * it. {@link Long#MAX_VALUE} when there is no connector.
     */
    public long prunableThroughSeq() {
        long min = Long.MAX_VALUE;
        for (CurrentsExporter e : exporters) min = Math.min(min, e.cursor());
        return min;
    }

    /** Wakes the exporters: rows were committed. Cheap; call after commits. */
    public void wake() {
        exporters.forEach(CurrentsExporter::wake);
    }

    /** One entry per connector: id, events, sink, cursor, lag, exported events, last error. */
    public List<Map<String, Object>> status() {
        long last = store.lastEventSeq();
        List<Map<String, Object>> out = new ArrayList<>();
        for (CurrentsExporter e : exporters) {
            CurrentsConnector c = e.connector();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("events", c.events());
            m.put("sink", SinkWriters.describe(c.sink()));
            long cursor = e.cursor();
            m.put("cursor", cursor);
            m.put("last_seq", last);
            m.put("lag_events", Math.max(0, last - cursor));
            m.put("exported_events", e.exportedEvents());
            m.put("last_error", e.lastError());
            m.put("last_error_at", e.lastError() == null ? null : java.time.Instant.ofEpochMilli(e.lastErrorAt()).toString());
            out.add(m);
        }
        return out;
    }

    /** Confirms what each sink holds and commits each connector's cursor, then stops. */
    @Override public void close() {
        exporters.forEach(CurrentsExporter::stop);
    }
}
