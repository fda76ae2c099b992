package dev.kiln.server.http;

import dev.kiln.server.ApiKeys;
import dev.kiln.store.ApiKeyStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** ApiKeyStore in memory, for tests of the HTTP layer alone. */
final class MemoryApiKeys implements ApiKeyStore {
    private final Map<String, ApiKey> byHash = new ConcurrentHashMap<>();

    /** Creates a key with these scopes and returns the secret. */
    String add(String id, String... scopes) {
        String secret = ApiKeys.newKey();
        create(id, id, ApiKeys.hash(secret), Set.of(scopes), 0);
        return secret;
    }

    @Override public ApiKey create(String id, String name, String keyHash, Set<String> scopes, long now) {
        ApiKey k = new ApiKey(id, name, Set.copyOf(scopes), now, null);
        byHash.put(keyHash, k);
        return k;
    }

    @Override public ApiKey upsert(String id, String name, String keyHash, Set<String> scopes, long now) {
        return create(id, name, keyHash, scopes, now);
    }

    @Override public Optional<ApiKey> findByHash(String keyHash) { return Optional.ofNullable(byHash.get(keyHash)); }

    @Override public List<ApiKey> list() { return new ArrayList<>(byHash.values()); }

    @Override public boolean revoke(String id, long now) {
        for (var e : byHash.entrySet()) {
            ApiKey k = e.getValue();
            if (k.id().equals(id) && k.active()) {
                e.setValue(new ApiKey(k.id(), k.name(), k.scopes(), k.createdAt(), now));
                return true;
            }
        }
        return false;
    }
}
