package dev.kiln.server.currents;

import dev.kiln.store.EventLogRow;

import java.util.Map;

/**
 * One Currents connector's sink, driven by its exporter thread alone (never concurrently). The exporter reads
 * the event log after the connector's cursor, hands every matching row to {@link #write}, and calls
 * {@link #confirm} when the writer is {@link #full} or its {@link #confirmBy} time has come; only after
 * {@code confirm} returns does the cursor move past the rows written. If anything throws, the exporter calls
 * {@link #discard}, waits (backoff) and reads again from the cursor: rows may reach the sink twice, never
 * zero times. Sinks must therefore be idempotent by event {@code id} or tolerate repeats (files: readers
 * deduplicate by {@code id}).
 */
interface SinkWriter extends AutoCloseable {
    /** Takes one matching row at {@code nowMillis}; may write it through or buffer it. Nothing is confirmed yet. */
    void write(EventLogRow row, long nowMillis) throws Exception;

    /** Rows taken since the last {@link #confirm} or {@link #discard}. */
    int pending();

    /** Whether the pending rows should be confirmed now (a size limit is reached). */
    boolean full();

    /**
     * When (epoch ms) the pending rows must be confirmed even if no more arrive; {@link Long#MAX_VALUE} when
     * nothing is pending.
     */
    long confirmBy();

    /**
     * Makes every pending row durable in the sink (file fsynced and renamed, transaction committed, 2xx
     * received). When it returns normally the rows are the sink's; on an exception none of them count.
     *
     * @return how many rows were confirmed
     */
    int confirm() throws Exception;

    /** Forgets the pending rows after a failure (removing partial output where there is any). Never throws. */
    void discard();

    /** What {@code GET /currents} shows of this sink: its settings, never a secret. */
    Map<String, Object> describe();

    /** Discards anything pending and releases connections and clients. Never throws. */
    @Override void close();
}
