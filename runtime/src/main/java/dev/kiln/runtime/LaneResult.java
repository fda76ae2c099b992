package dev.kiln.runtime;

import dev.kiln.engine.UserState;
import dev.kiln.store.EventLogRow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one lane changed in one epoch; merged by the coordinator into one commit. */
final class LaneResult {
    /** Copies of changed profiles, taken at the end of the apply phase (the lane keeps mutating its own). */
    final List<UserState> upserts = new ArrayList<>();
    final Set<String> deletes = new HashSet<>();
    /** Identity keys that no longer name anyone (deleted users). */
    final Set<String> identityRemovals = new HashSet<>();
    /** Identity keys claimed by users of this lane in this epoch. */
    final Map<String, String> identityPuts = new HashMap<>();
    /** New users whose every op was refused: never created, their claimed keys are released. */
    final Set<String> abandoned = new HashSet<>();
    final List<EventLogRow> events = new ArrayList<>();
    int ops;
}
