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

/** An in-memory store for runtime and delivery tests (published in the test-jar), with a switch that makes the next commit fail. */
public final class FakeStore implements Store {
    final Map<String, UserState> users = new HashMap<>();
    final Map<String, String> identities = new HashMap<>();
    final List<EventLogRow> log = new ArrayList<>();
    public final AtomicBoolean failNextCommit = new AtomicBoolean();
    int commits;

    @Override public Dialect dialect() { return Dialect.SQLITE; }

    /** How often each profile was read from this store. */
    final Map<String, Integer> loads = new java.util.concurrent.ConcurrentHashMap<>();

    @Override public synchronized Map<String, UserState> loadUsers(Collection<String> ids) {
        for (String id : ids) loads.merge(id, 1, Integer::sum);
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

    /** While set and closed, commits wait for it (outside the store's lock, so reads go on): a slow disk. */
    volatile java.util.concurrent.CountDownLatch commitGate;
    /** Profiles written by each commit, in commit order. */
    final List<Integer> upsertsPerCommit = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Commits that have started (waiting at the gate or done). */
    final java.util.concurrent.atomic.AtomicInteger commitsStarted = new java.util.concurrent.atomic.AtomicInteger();

    @Override public void commit(CommitBatch b) {
        commitsStarted.incrementAndGet();
        java.util.concurrent.CountDownLatch gate = commitGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted at the commit gate");
            }
        }
        apply(b);
    }

    private synchronized void apply(CommitBatch b) {
        if (failNextCommit.getAndSet(false)) throw new StoreException("injected failure");
        commits++;
        upsertsPerCommit.add(b.upserts().size());
        for (String d : b.deletes()) {
            users.remove(d);
            identities.values().removeIf(d::equals);
        }
        for (var row : b.upserts()) users.put(row.userId(), row.decode());
        b.identityRemovals().forEach(identities::remove);
        identities.putAll(b.identityPuts());
        for (EventLogRow r : b.events()) log.add(r.withSeq(log.size() + 1));
        for (var t : b.timerDeletes()) {
            var cur = timers.get(t.userId() + "/" + t.canvasId());
            if (cur != null && cur.token() == t.token()) timers.remove(t.userId() + "/" + t.canvasId());
        }
        for (String d : b.deletes()) timers.keySet().removeIf(k -> k.startsWith(d + "/"));
        for (var t : b.timerPuts()) timers.put(t.userId() + "/" + t.canvasId(), t);
        for (var l : b.ledger()) ledgerRows.add(new dev.kiln.store.LedgerRow(ledgerRows.size() + 1, l.userId(), l.name(), l.time(), l.oldValue(), l.newValue(), l.delta(), l.source()));
        for (var s : b.stats()) stats.merge(List.of(s.canvasId(), s.metric(), s.key(), s.bucket()), s.delta(), Long::sum);
        for (var o : b.outboxPuts()) outbox.put(o.messageId(), o);
        b.outboxDeletes().forEach(outbox::remove);
        meta.putAll(b.metaPuts());
        for (var m : b.messageLog()) messages.add(new dev.kiln.store.MessageLogRow(messages.size() + 1, m.messageId(), m.userId(),
                m.externalId(), m.campaignId(), m.canvasId(), m.stepId(), m.time(), m.method(), m.url(), m.statusCode(), m.attempt(),
                m.outcome(), m.detail(), m.excerpt()));
    }

    @Override public synchronized void scanUsers(Consumer<UserState> c) { users.values().forEach(u -> c.accept(u.copy())); }
    @Override public synchronized long countUsers() { return users.size(); }
    @Override public synchronized List<EventLogRow> readEventLog(long after, int limit) {
        return log.stream().filter(r -> r.seq() > after).limit(limit).toList();
    }
    @Override public synchronized long pruneEventLog(long before) { return 0; }
    @Override public synchronized long pruneEventLog(long before, long throughSeq) { return 0; }
    @Override public synchronized long lastEventSeq() { return 0; }
    @Override public ApiKeyStore apiKeys() { throw new UnsupportedOperationException(); }
    final Map<String, dev.kiln.store.TimerRow> timers = new HashMap<>();
    // Read by test threads while the committer appends: a copy-on-write list never throws ConcurrentModificationException.
    final List<dev.kiln.store.LedgerRow> ledgerRows = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Map<List<Object>, Long> stats = new HashMap<>();
    @Override public synchronized List<dev.kiln.store.TimerRow> dueTimers(long now, long fromDue, int limit) {
        return timers.values().stream().filter(t -> t.dueAt() <= now && t.dueAt() >= fromDue).sorted(Comparator.comparingLong(dev.kiln.store.TimerRow::dueAt)).limit(limit).toList();
    }
    @Override public synchronized long countTimers() { return timers.size(); }
    @Override public synchronized List<dev.kiln.store.LedgerRow> ledger(String userId, String name, long beforeSeq, int limit) {
        return ledgerRows.stream().filter(l -> l.userId().equals(userId) && l.name().equals(name) && l.seq() < beforeSeq)
                .sorted(Comparator.comparingLong(dev.kiln.store.LedgerRow::seq).reversed()).limit(limit).toList();
    }
    @Override public long pruneLedger(long before) { return 0; }
    @Override public synchronized List<dev.kiln.store.StatDelta> canvasStats(String canvasId) {
        List<dev.kiln.store.StatDelta> out = new ArrayList<>();
        stats.forEach((k, v) -> { if (k.get(0).equals(canvasId)) out.add(new dev.kiln.store.StatDelta((String) k.get(0), (String) k.get(1), (String) k.get(2), (Long) k.get(3), v)); });
        return out;
    }
    @Override public List<dev.kiln.store.CanvasRow> canvasRows() { return List.of(); }
    @Override public void saveCanvasRow(dev.kiln.store.CanvasRow row) {}
    final Map<String, dev.kiln.store.OutboxRow> outbox = new java.util.TreeMap<>();
    final List<dev.kiln.store.MessageLogRow> messages = new ArrayList<>();
    @Override public List<dev.kiln.store.CanvasRow> campaignRows() { return List.of(); }
    @Override public void saveCampaignRow(dev.kiln.store.CanvasRow row) {}
    @Override public synchronized List<dev.kiln.store.OutboxRow> dueOutbox(long now, int limit) {
        return outbox.values().stream().filter(o -> o.dueAt() <= now).sorted(Comparator.comparingLong(dev.kiln.store.OutboxRow::dueAt)).limit(limit).toList();
    }
    @Override public synchronized Optional<dev.kiln.store.OutboxRow> outboxRow(String id) { return Optional.ofNullable(outbox.get(id)); }
    @Override public synchronized long countOutbox() { return outbox.size(); }
    @Override public synchronized List<dev.kiln.store.MessageLogRow> messageLog(dev.kiln.store.MessageLogQuery q) {
        return messages.stream().filter(m -> m.seq() < q.beforeSeq()
                        && (q.userId() == null || q.userId().equals(m.userId()))
                        && (q.campaignId() == null || q.campaignId().equals(m.campaignId()))
                        && (q.canvasId() == null || q.canvasId().equals(m.canvasId()))
                        && (q.outcome() == null || q.outcome().equals(m.outcome())))
                .sorted(Comparator.comparingLong(dev.kiln.store.MessageLogRow::seq).reversed()).limit(q.limit()).toList();
    }
    @Override public long pruneMessageLog(long before) { return 0; }
    public final Map<String, String> meta = new java.util.TreeMap<>();
    @Override public synchronized Optional<String> meta(String key) { return Optional.ofNullable(meta.get(key)); }
    @Override public synchronized Map<String, String> metaWithPrefix(String prefix) {
        Map<String, String> out = new java.util.TreeMap<>();
        meta.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k, v); });
        return out;
    }
    @Override public synchronized void putMeta(String key, String value) { meta.put(key, value); }
    @Override public void close() {}
}
