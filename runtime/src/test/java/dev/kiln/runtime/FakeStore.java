package dev.kiln.runtime;

import dev.kiln.engine.UserState;
import dev.kiln.store.ApiKeyStore;
import dev.kiln.store.CommitBatch;
import dev.kiln.store.Dialect;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.Store;
import dev.kiln.store.StoreException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** An in-memory store for runtime tests, with a switch that makes the next commit fail. */
final class FakeStore implements Store {
    final Map<String, UserState> users = new HashMap<>();
    final Map<String, String> identities = new HashMap<>();
    final List<EventLogRow> log = new ArrayList<>();
    final AtomicBoolean failNextCommit = new AtomicBoolean();
    int commits;

    @Override public Dialect dialect() { return Dialect.SQLITE; }

    @Override public synchronized Map<String, UserState> loadUsers(Collection<String> ids) {
        Map<String, UserState> out = new HashMap<>();
        for (String id : ids) if (users.containsKey(id)) out.put(id, users.get(id).copy());
        return out;
    }

    @Override public synchronized Optional<UserState> loadUser(String id) {
        return Optional.ofNullable(users.get(id)).map(UserState::copy);
    }

    @Override public synchronized Map<String, String> resolve(Collection<String> keys) {
        Map<String, String> out = new HashMap<>();
        for (String k : keys) if (identities.containsKey(k)) out.put(k, identities.get(k));
        return out;
    }

    @Override public synchronized List<String> usersByEmail(String email) {
        return users.values().stream()
                .filter(u -> u.email().map(e -> e.equalsIgnoreCase(email)).orElse(false))
                .sorted(Comparator.comparingLong(UserState::updatedAt).reversed())
                .map(UserState::userId).toList();
    }

    @Override public synchronized void commit(CommitBatch b) {
        if (failNextCommit.getAndSet(false)) throw new StoreException("injected failure");
        commits++;
        for (String d : b.deletes()) {
            users.remove(d);
            identities.values().removeIf(d::equals);
        }
        for (UserState u : b.upserts()) users.put(u.userId(), u.copy());
        b.identityRemovals().forEach(identities::remove);
        identities.putAll(b.identityPuts());
        for (EventLogRow r : b.events()) log.add(r.withSeq(log.size() + 1));
    }

    @Override public synchronized void scanUsers(Consumer<UserState> c) { users.values().forEach(u -> c.accept(u.copy())); }
    @Override public synchronized long countUsers() { return users.size(); }
    @Override public synchronized List<EventLogRow> readEventLog(long after, int limit) {
        return log.stream().filter(r -> r.seq() > after).limit(limit).toList();
    }
    @Override public synchronized long pruneEventLog(long before) { return 0; }
    @Override public ApiKeyStore apiKeys() { throw new UnsupportedOperationException(); }
    @Override public void close() {}
}
