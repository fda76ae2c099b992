package dev.kiln.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** {@link ApiKeyStore} on the {@code api_keys} table; scopes are stored sorted and comma-separated. */
final class JdbcApiKeys implements ApiKeyStore {

    interface Reader {
        <T> T read(String what, JdbcStore.Query<T> query);
    }

    private static final String COLUMNS = "id, name, scopes, created_at, revoked_at";

    private final Writer writer;
    private final Reader reader;

    JdbcApiKeys(Writer writer, Reader reader) {
        this.writer = writer;
        this.reader = reader;
    }

    @Override public ApiKey create(String id, String name, String keyHash, Set<String> scopes, long now) {
        String stored = scopes(scopes);
        requireText("id", id);
        requireText("keyHash", keyHash);
        return writer.inTransaction("creating API key " + id, w -> {
            PreparedStatement find = w.statement("SELECT id, key_hash FROM api_keys WHERE id = ? OR key_hash = ?");
            find.setString(1, id);
            find.setString(2, keyHash);
            try (ResultSet rs = find.executeQuery()) {
                if (rs.next()) {
                    throw new StoreException(rs.getString(1).equals(id)
                            ? "an API key with id " + id + " already exists"
                            : "an API key with the same key hash already exists (id " + rs.getString(1) + ")");
                }
            }
            insert(w, id, name, keyHash, stored, now);
            return new ApiKey(id, name, Set.copyOf(scopes), now, null);
        });
    }

    @Override public ApiKey upsert(String id, String name, String keyHash, Set<String> scopes, long now) {
        String stored = scopes(scopes);
        requireText("id", id);
        requireText("keyHash", keyHash);
        // Replacing the row with this id too: when KILN_ADMIN_KEY changes, the old admin key must stop working.
        return writer.inTransaction("upserting API key " + id, w -> {
            PreparedStatement delete = w.statement("DELETE FROM api_keys WHERE id = ? OR key_hash = ?");
            delete.setString(1, id);
            delete.setString(2, keyHash);
            delete.executeUpdate();
            insert(w, id, name, keyHash, stored, now);
            return new ApiKey(id, name, Set.copyOf(scopes), now, null);
        });
    }

    private static void insert(Writer w, String id, String name, String keyHash, String scopes, long now) throws SQLException {
        PreparedStatement ps = w.statement(
                "INSERT INTO api_keys (id, name, key_hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)");
        ps.setString(1, id);
        ps.setString(2, name == null ? "" : name);
        ps.setString(3, keyHash);
        ps.setString(4, scopes);
        ps.setLong(5, now);
        ps.executeUpdate();
    }

    @Override public Optional<ApiKey> findByHash(String keyHash) {
        return reader.read("finding an API key", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ?")) {
                ps.setString(1, keyHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override public List<ApiKey> list() {
        return reader.read("listing API keys", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                List<ApiKey> keys = new ArrayList<>();
                while (rs.next()) keys.add(row(rs));
                return keys;
            }
        });
    }

    @Override public boolean revoke(String id, long now) {
        return writer.inTransaction("revoking API key " + id, w -> {
            PreparedStatement ps = w.statement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
            ps.setLong(1, now);
            ps.setString(2, id);
            return ps.executeUpdate() > 0;
        });
    }

    private static ApiKey row(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(5);
        Long revokedAt = rs.wasNull() ? null : revoked;
        String scopes = rs.getString(3);
        Set<String> set = scopes.isEmpty() ? Set.of() : Set.of(scopes.split(","));
        return new ApiKey(rs.getString(1), rs.getString(2), set, rs.getLong(4), revokedAt);
    }

    private static String scopes(Set<String> scopes) {
        for (String s : scopes) {
            if (s == null || s.isEmpty() || s.contains(",") || !s.strip().equals(s))
                throw new IllegalArgumentException("scopes: each scope must be non-empty, without commas or"
                        + " surrounding spaces: '" + s + "'");
        }
        return String.join(",", new TreeSet<>(scopes));
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " is required");
    }

}
