package dev.kiln.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** API keys, stored as SHA-256 hashes of the key; the key itself is shown once, at creation. */
public interface ApiKeyStore {

    record ApiKey(String id, String name, Set<String> scopes, long createdAt, Long revokedAt) {
        public boolean active() { return revokedAt == null; }
    }

    /** Stores a key under its hash; {@code id} is a short public identifier. */
    ApiKey create(String id, String name, String keyHash, Set<String> scopes, long now);

    /** Creates or replaces the key with this hash (used for KILN_ADMIN_KEY at start). */
    ApiKey upsert(String id, String name, String keyHash, Set<String> scopes, long now);

    Optional<ApiKey> findByHash(String keyHash);

    List<ApiKey> list();

    /** Marks a key revoked; false when no active key has that id. */
    boolean revoke(String id, long now);
}
