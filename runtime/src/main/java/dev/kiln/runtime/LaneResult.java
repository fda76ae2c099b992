package dev.kiln.runtime;

import dev.kiln.engine.Effect;
import dev.kiln.store.LedgerRow;
import dev.kiln.store.TimerRow;
import dev.kiln.store.UserRow;
import dev.kiln.store.EventLogRow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What one lane changed in one epoch; merged by the coordinator into one commit. */
final class LaneResult {
    /** Changed profiles, encoded at the end of the apply phase (the lane keeps mutating its own). */
    final List<UserRow> upserts = new ArrayList<>();
    final Set<String> deletes = new HashSet<>();
    /** Identity keys that no longer name anyone (deleted users). */
    final Set<String> identityRemovals = new HashSet<>();
    /** Identity keys claimed by users of this lane in this epoch. */
    final Map<String, String> identityPuts = new HashMap<>();
    /** New users whose every op was refused: never created, their claimed keys are released. */
    final Set<String> abandoned = new HashSet<>();
    final List<EventLogRow> events = new ArrayList<>();
    final List<TimerRow> timerPuts = new ArrayList<>();
    final List<TimerRow> timerDeletes = new ArrayList<>();
    final List<LedgerRow> ledger = new ArrayList<>();
    /** Statistics deltas of the epoch, summed per counter (a handful of keys for thousands of effects). */
    final Map<StatKey, long[]> stats = new HashMap<>();
    private final StatKey probe = new StatKey();
    /** Canvas entries, exits and loop-guard hits, for the meters. */
    final List<Effect.CanvasStat> canvasEvents = new ArrayList<>();
    final List<dev.kiln.store.OutboxRow> outboxPuts = new ArrayList<>();
    final Set<String> outboxDeletes = new HashSet<>();
    final List<dev.kiln.store.MessageLogRow> messageLog = new ArrayList<>();
    int ops;

    /**
     * A statistics counter: Canvas, metric, key and bucket, the key joined with {@code sub} as {@code key/sub} (an action
     * group under its step). Mutable only as the lookup probe, so an effect whose counter the epoch already has
     * allocates nothing (a JFR profile of 300,000 timers firing: a key and a joined string per effect were 190 MB).
     */
    static final class StatKey {
        private String canvasId, metric, key, sub;
        private long bucket;
        private int hash;

        private StatKey set(String canvasId, String metric, String key, String sub, long bucket) {
            this.canvasId = canvasId;
            this.metric = metric;
            this.key = key;
            this.sub = sub;
            this.bucket = bucket;
            int h = canvasId.hashCode();
            h = 31 * h + metric.hashCode();
            h = 31 * h + key.hashCode();
            h = 31 * h + (sub == null ? 0 : sub.hashCode());
            hash = 31 * h + Long.hashCode(bucket); // written out: Objects.hash would box and allocate per effect
            return this;
        }

        String canvasId() { return canvasId; }
        String metric() { return metric; }
        String key() { return sub == null ? key : key + "/" + sub; }
        long bucket() { return bucket; }

        @Override public boolean equals(Object o) {
            return o instanceof StatKey k && bucket == k.bucket && canvasId.equals(k.canvasId) && metric.equals(k.metric)
                    && key.equals(k.key) && Objects.equals(sub, k.sub);
        }

        @Override public int hashCode() { return hash; }
    }

    void stat(String canvasId, String metric, String key, long bucket, long delta) {
        stat(canvasId, metric, key, null, bucket, delta);
    }

    void stat(String canvasId, String metric, String key, String sub, long bucket, long delta) {
        probe.set(canvasId, metric, key == null ? "" : key, sub, bucket);
        long[] sum = stats.get(probe);
        if (sum == null) stats.put(new StatKey().set(probe.canvasId, probe.metric, probe.key, sub, bucket), sum = new long[1]);
        sum[0] += delta;
    }
}
