package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One connector's exporter thread: reads the event log after its cursor ({@code currents:<id>} in the meta
 * table), hands each matching row to the connector's {@link SinkWriter}, and commits the cursor only after the
 * writer has confirmed every row before it. A crash or a sink failure therefore repeats events (at least once),
 * never skips one. A failing sink is retried with backoff from the cursor, with a fresh writer; ingest never
 * waits for it.
 */
final class CurrentsExporter {
    private static final Logger log = LoggerFactory.getLogger(CurrentsExporter.class);
    static final String META_PREFIX = "currents:";

    private final CurrentsConnector connector;
    private final Store store;
    private final CurrentsConfig config;
    private final SinkWriters.SinkContext context;
    private final Counter exported, errors;
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile long cursor;
    private volatile String lastError;
    private volatile long lastErrorAt;
    private volatile long lastRetryWait;
    private Thread thread;

    CurrentsExporter(CurrentsConnector connector, Store store, CurrentsConfig config, SinkWriters.SinkContext context) {
        this.connector = connector;
        this.store = store;
        this.config = config;
        this.context = context;
        MeterRegistry registry = context.registry();
        this.exported = Counter.builder("kiln.currents.exported.events").tag("connector", connector.id())
                .description("Events confirmed by the Currents sink").register(registry);
        this.errors = Counter.builder("kiln.currents.errors").tag("connector", connector.id())
                .description("Currents sink failures (each retried)").register(registry);
        Gauge.builder("kiln.currents.lag.events", this, CurrentsExporter::lagOrNaN).tag("connector", connector.id())
                .description("Event log rows not yet exported by this connector (last seq - cursor)").register(registry);
    }

    static String metaKey(String connectorId) { return META_PREFIX + connectorId; }

    CurrentsConnector connector() { return connector; }
    long cursor() { return cursor; }
    String lastError() { return lastError; }
    long lastErrorAt() { return lastErrorAt; }
    long exportedEvents() { return (long) exported.count(); }
    /** How long the exporter waited (or is waiting) after its last failure, ms; 0 before any. */
    long lastRetryWait() { return lastRetryWait; }

    /**
     * The wait before the next attempt after {@code failure}: the exporter's own {@code backoff}, or longer when
     * the sink asked for more ({@link SinkBackoff}), but never more than {@code retryMax}.
     */
    static long retryWait(long backoff, Exception failure, long retryMax) {
        long wait = backoff;
        if (failure instanceof SinkBackoff b) wait = Math.max(wait, b.retryAfterMillis());
        return Math.min(wait, retryMax);
    }

    long lag() { return Math.max(0, store.lastEventSeq() - cursor); }

    private double lagOrNaN() {
        try {
            return lag();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Reads the cursor and starts the thread. */
    CurrentsExporter start() {
        cursor = store.meta(metaKey(connector.id())).map(Long::parseLong).orElse(0L);
        thread = Thread.ofPlatform().name("kiln-currents-" + connector.id()).daemon().start(this::run);
        log.info("Currents {}: exporting {} to {} {} from seq {}", connector.id(), connector.events(), connector.sink().type(),
                SinkWriters.describe(connector.sink()), cursor);
        return this;
    }

    /** Confirms what is pending, commits the cursor and stops the thread. */
    void stop() {
        stopping = true;
        synchronized (wake) { wake.notifyAll(); }
        if (thread == null) return;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes a waiting exporter (new rows were committed). */
    void wake() {
        synchronized (wake) { wake.notifyAll(); }
    }

    // ---- the loop ----

    /**
     * While a full batch is written, the next one is read on another thread (a backlog uses both cores: the
     * event log query on one, mapping and the sink on the other). A prefetched batch is used only if it starts
     * where the current one ended; after a failure it is dropped.
     */
    private java.util.concurrent.CompletableFuture<List<EventLogRow>> prefetch;

    private List<EventLogRow> read(long after) {
        java.util.concurrent.CompletableFuture<List<EventLogRow>> f = prefetch;
        prefetch = null;
        List<EventLogRow> rows = null;
        if (f != null) {
            try {
                rows = f.join();
            } catch (RuntimeException e) {
                rows = null; // read again below, where a failure counts
            }
            if (rows != null && !rows.isEmpty() && rows.get(0).seq() <= after) rows = null;
        }
        if (rows == null) rows = store.readEventLog(after, config.batch());
        if (rows.size() == config.batch()) {
            long next = rows.get(rows.size() - 1).seq();
            prefetch = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.readEventLog(next, config.batch()),
                    Thread::startVirtualThread);
        }
        return rows;
    }

    private void run() {
        SinkWriter writer = null;
        long readPos = cursor;
        long backoff = 0;
        while (!stopping) {
            try {
                if (writer == null) writer = SinkWriters.create(connector, context);
                List<EventLogRow> rows = read(readPos);
                for (EventLogRow row : rows) {
                    if (connector.matches(row.type())) {
                        writer.write(row, System.currentTimeMillis());
                        readPos = row.seq();
                        if (writer.full()) confirm(writer, readPos);
                    } else {
                        readPos = row.seq();
                    }
                }
                if (writer.pending() == 0) {
                    if (readPos > cursor) commit(readPos);
                } else if (System.currentTimeMillis() >= writer.confirmBy()) {
                    confirm(writer, readPos);
                }
                backoff = 0;
                if (rows.size() < config.batch()) {
                    long waitMs = config.poll().toMillis();
                    if (writer.pending() > 0) waitMs = Math.max(1, Math.min(waitMs, writer.confirmBy() - System.currentTimeMillis()));
                    pause(waitMs);
                }
            } catch (Exception e) {
                fail(e, writer);
                writer = null;
                prefetch = null;
                readPos = cursor;
                backoff = backoff == 0 ? 1000 : Math.min(backoff * 2, config.retryMax().toMillis());
                long wait = retryWait(backoff, e, config.retryMax().toMillis());
                lastRetryWait = wait;
                pauseFully(wait);
            }
        }
        try {
            if (writer != null) {
                if (writer.pending() > 0) confirm(writer, readPos);
                else if (readPos > cursor) commit(readPos);
            }
        } catch (Exception e) {
            fail(e, writer);
            writer = null;
        }
        if (writer != null) writer.close();
        log.info("Currents {}: stopped at seq {}", connector.id(), cursor);
    }

    private void fail(Exception e, SinkWriter writer) {
        errors.increment();
        lastError = e.toString();
        lastErrorAt = System.currentTimeMillis();
        log.warn("Currents {}: sink failed, retrying from seq {}: {}", connector.id(), cursor, e.toString());
        if (writer != null) writer.close();
    }

    /** Has the writer confirm every pending row, then commits the cursor {@code through}. */
    private void confirm(SinkWriter writer, long through) throws Exception {
        int events = writer.confirm();
        commit(through);
        exported.increment(events);
    }

    private void commit(long through) {
        store.putMeta(metaKey(connector.id()), Long.toString(through));
        cursor = through;
    }

    /**
     * Waits {@code ms} whatever {@link #wake} says (a failing sink is not retried sooner because new rows were
     * committed); returns early only when stopping.
     */
    private void pauseFully(long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        synchronized (wake) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wake.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
        }
    }

    private void pause(long ms) {
        if (stopping) return;
        synchronized (wake) {
            try {
                if (!stopping) wake.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }
}
