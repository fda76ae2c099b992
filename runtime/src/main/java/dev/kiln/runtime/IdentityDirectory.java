package dev.kiln.runtime;

import dev.kiln.store.Store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Identity key → internal user id, in front of the store's identity index. Used by the coordinator
 * thread only, so resolution and creation of new users need no locks and can never race. Entries
 * written by an epoch that is not yet committed are pinned (not evicted) so the next epoch sees them.
 */
final class IdentityDirectory {
    private static final String ABSENT = "";

    private final Store store;
    private final int capacity;
    /** key → user id, or {@link #ABSENT} for a known miss; access-ordered for LRU eviction. */
    private final LinkedHashMap<String, String> cache;
    /** key → epoch that wrote it (pinned until that epoch commits). */
    private final Map<String, Long> pinned = new HashMap<>();
    /** lower-cased email → user created by email in a not-yet-committed epoch. */
    private final Map<String, String> pendingEmails = new HashMap<>();
    private final Map<String, Long> pendingEmailEpochs = new HashMap<>();

    IdentityDirectory(Store store, int capacity) {
        this.store = store;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true);
    }

    /** Makes sure every key is in the cache (one store query for the misses). */
    void prefetch(Collection<String> keys) {
        List<String> missing = new ArrayList<>();
        for (String k : keys) if (!cache.containsKey(k)) missing.add(k);
        if (missing.isEmpty()) return;
        Map<String, String> found = store.resolve(missing);
        for (String k : missing) cache.put(k, found.getOrDefault(k, ABSENT));
        evict();
    }

    /** The user holding {@code key}, or null. */
    String get(String key) {
        String v = cache.get(key);
        if (v == null) {
            prefetch(List.of(key));
            v = cache.get(key);
        }
        return v == null || v.isEmpty() ? null : v;
    }

    void put(String key, String userId, long epoch) {
        cache.put(key, userId);
        pinned.put(key, epoch);
    }

    void remove(String key, long epoch) {
        cache.put(key, ABSENT);
        pinned.put(key, epoch);
    }

    String pendingEmail(String email) { return pendingEmails.get(email.toLowerCase(java.util.Locale.ROOT)); }

    void putPendingEmail(String email, String userId, long epoch) {
        String e = email.toLowerCase(java.util.Locale.ROOT);
        pendingEmails.put(e, userId);
        pendingEmailEpochs.put(e, epoch);
    }

    /** Unpins what epochs up to {@code epoch} wrote: they are in the store now. */
    void committed(long epoch) {
        pinned.values().removeIf(e -> e <= epoch);
        pendingEmailEpochs.entrySet().removeIf(e -> {
            if (e.getValue() <= epoch) { pendingEmails.remove(e.getKey()); return true; }
            return false;
        });
        evict();
    }

    /** After a failed commit nothing cached can be trusted. */
    void clear() {
        cache.clear();
        pinned.clear();
        pendingEmails.clear();
        pendingEmailEpochs.clear();
    }

    private void evict() {
        if (cache.size() <= capacity) return;
        var it = cache.entrySet().iterator();
        while (cache.size() > capacity && it.hasNext()) {
            var e = it.next();
            if (!pinned.containsKey(e.getKey())) it.remove();
        }
    }

    int size() { return cache.size(); }
}
