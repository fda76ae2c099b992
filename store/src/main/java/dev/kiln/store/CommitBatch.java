package dev.kiln.store;

import dev.kiln.engine.UserState;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one epoch changed, written in one transaction.
 *
 * @param upserts          profiles to insert or replace (the full state of each)
 * @param deletes          internal ids of profiles to delete (with their identity rows)
 * @param identityPuts     identity key → internal id to insert or replace
 * @param identityRemovals identity keys to delete
 * @param events           rows to append to the event log
 */
public record CommitBatch(List<UserState> upserts, Set<String> deletes, Map<String, String> identityPuts,
                          Set<String> identityRemovals, List<EventLogRow> events) {
    public CommitBatch {
        upserts = List.copyOf(upserts);
        deletes = Set.copyOf(deletes);
        identityPuts = Map.copyOf(identityPuts);
        identityRemovals = Set.copyOf(identityRemovals);
        events = List.copyOf(events);
    }

    public boolean isEmpty() {
        return upserts.isEmpty() && deletes.isEmpty() && identityPuts.isEmpty() && identityRemovals.isEmpty() && events.isEmpty();
    }
}
