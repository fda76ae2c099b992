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
    final Map<StatKey, Long> stats = new HashMap<>();
    /** Canvas entries, exits and loop-guard hits, for the meters. */
    final List<Effect.CanvasStat> canvasEvents = new ArrayList<>();
    final List<dev.kiln.store.OutboxRow> outboxPuts = new ArrayList<>();
    final Set<String> outboxDeletes = new HashSet<>();
    final List<dev.kiln.store.MessageLogRow> messageLog = new ArrayList<>();
    int ops;

    record StatKey(String canvasId, String metric, String key, long bucket) {}

    void stat(String canvasId, String metric, String key, long bucket, long delta) {
        stats.merge(new StatKey(canvasId, metric, key == null ? "" : key, bucket), delta, Long::sum);
    }
}
