package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import io.micrometer.core.instrument.MeterRegistry;

/** Creates the {@link SinkWriter} for a connector's sink. */
final class SinkWriters {
    private SinkWriters() {}

    /**
     * The writer for {@code connector}'s sink. Called on the exporter thread when it starts and again after a
     * failure closed the previous writer.
     */
    static SinkWriter create(CurrentsConnector connector, SinkContext context) {
        return switch (connector.sink()) {
            case CurrentsConnector.Files f -> new FilesSinkWriter(connector.id(), f, context);
            case CurrentsConnector.Jdbc j -> new JdbcSinkWriter(connector.id(), j, context);
            case CurrentsConnector.Http h -> new HttpSinkWriter(connector.id(), h, context);
        };
    }

    /** A description of a sink that needs no writer (for status before the writer exists). */
    static java.util.Map<String, Object> describe(CurrentsConnector.Sink sink) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", sink.type());
        switch (sink) {
            case CurrentsConnector.Files f -> {
                m.put("path", f.path());
                m.put("format", f.format());
                m.put("roll_seconds", f.rollSeconds());
                m.put("roll_events", f.rollEvents());
            }
            case CurrentsConnector.Jdbc j -> {
                m.put("jdbc_url", j.jdbcUrl());
                m.put("table", j.table());
                m.put("batch_events", j.batchEvents());
                m.put("flush_ms", j.flushMillis());
            }
            case CurrentsConnector.Http h -> {
                m.put("url", h.url());
                m.put("headers", h.headers().keySet().stream().sorted(String.CASE_INSENSITIVE_ORDER).toList()); // names only
                m.put("authorization", h.authorization() == null ? null : h.authorization().toString()); // where from, never the value
                m.put("batch_events", h.batchEvents());
                m.put("flush_ms", h.flushMillis());
                m.put("timeout_ms", h.timeoutMillis());
            }
        }
        return m;
    }

    /**
     * What a writer may use besides its sink settings.
     *
     * @param registry where to register sink-specific meters (tag them {@code connector=<id>})
     * @param secrets  reads a {@code { env }} / {@code { file }} secret reference; never log what it returns
     * @param outbound where network sinks (http) may connect: the server's {@code --outbound-allow/--outbound-deny}
     *                 policy (link-local and cloud metadata addresses are always refused)
     */
    record SinkContext(MeterRegistry registry, java.util.function.Function<dev.kiln.definitions.Connection.SecretRef, String> secrets,
                       dev.kiln.delivery.OutboundPolicy outbound) {
        SinkContext {
            java.util.Objects.requireNonNull(registry, "registry");
            java.util.Objects.requireNonNull(secrets, "secrets");
            java.util.Objects.requireNonNull(outbound, "outbound");
        }

        /** With the default outbound policy (link-local and cloud metadata addresses denied). */
        SinkContext(MeterRegistry registry, java.util.function.Function<dev.kiln.definitions.Connection.SecretRef, String> secrets) {
            this(registry, secrets, dev.kiln.delivery.OutboundPolicy.defaults());
        }
    }
}
