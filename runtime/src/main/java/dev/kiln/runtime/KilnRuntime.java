package dev.kiln.runtime;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Input;
import dev.kiln.engine.Transition;
import dev.kiln.engine.UserState;
import dev.kiln.engine.canvas.CanvasEngine;
import dev.kiln.engine.canvas.CanvasSet;
import dev.kiln.store.CommitBatch;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.IdentityKeys;
import dev.kiln.store.Store;
import dev.kiln.store.UserRow;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The imperative shell around the pure engine.
 *
 * <p>Work arrives as submissions (lists of {@link Op}). A coordinator thread gathers waiting
 * submissions into an <em>epoch</em>, resolves identifiers (creating users where allowed), routes each
 * op to the lane that owns its user ({@code hash(userId) mod lanes}), lets the lanes apply their ops in
 * parallel through the engine, and hands the epoch's changes to a committer thread, which writes them
 * in one transaction and only then completes the submissions' futures. A submission therefore is
 * durable when its future completes, and is committed wholly or not at all. While epoch k commits,
 * epoch k+1 is applied (pipelining); if a commit fails, every later uncommitted epoch fails too and the
 * caches are rebuilt from the store.
 */
public final class KilnRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KilnRuntime.class);

    private final RuntimeConfig config;
    private final Store store;
    private final Clock clock;
    private final Engine engine;
    private final CanvasEngine canvasEngine;
    private volatile CanvasSet canvases = CanvasSet.EMPTY;
    private volatile dev.kiln.engine.campaign.CampaignSet campaigns = dev.kiln.engine.campaign.CampaignSet.EMPTY;
    private volatile Runnable outboxListener = () -> { };
    private final Lane[] lanes;
    private final IdentityDirectory directory;
    private final RuntimeMetrics metrics;
    private final java.util.concurrent.LinkedBlockingDeque<Submission> inbound = new java.util.concurrent.LinkedBlockingDeque<>();
    private final AtomicInteger queuedOps = new AtomicInteger();
    private final BlockingQueue<EpochCommit> toCommit;
    private final ExecutorService laneThreads;
    private final Thread coordinator;
    private final Thread committer;

    private volatile boolean draining;
    private volatile long committedEpoch = 0;
    private volatile long failedGeneration = -1;
    private volatile long lastPrune = 0;
    private long generation = 0;
    private long epochCounter = 0;
    private long handledCommitted = 0;
    private final Map<Long, Set<String>> pendingDeletes = new HashMap<>();
    private final Object commitIdle = new Object();
    private int inFlightCommits = 0;

    private KilnRuntime(RuntimeConfig config, Store store, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.clock = config.clock();
        this.engine = new Engine(config.engine());
        this.canvasEngine = new CanvasEngine(engine, config.loopGuard());
        this.directory = new IdentityDirectory(store, config.identityCacheSize());
        this.lanes = new Lane[config.lanes()];
        int perLane = Math.max(1, config.userCacheSize() / config.lanes());
        EntryLimiter gate = new EntryLimiter(store);
        for (int i = 0; i < lanes.length; i++)
            lanes[i] = new Lane(i, store, canvasEngine, () -> canvases, () -> campaigns, gate, perLane, () -> committedEpoch);
        this.metrics = new RuntimeMetrics(registry, config.lanes(), queuedOps::get);
        this.toCommit = new ArrayBlockingQueue<>(config.pipelineDepth());
        this.laneThreads = Executors.newFixedThreadPool(config.lanes(), r -> {
            Thread t = new Thread(r, "kiln-lane");
            t.setDaemon(true);
            return t;
        });
        this.coordinator = new Thread(this::coordinate, "kiln-coordinator");
        this.committer = new Thread(this::commitLoop, "kiln-committer");
    }

    /** Starts the runtime's threads. */
    public static KilnRuntime start(RuntimeConfig config, Store store, MeterRegistry registry) {
        KilnRuntime rt = new KilnRuntime(config, store, registry);
        log.info("runtime started: {}", config);
        rt.coordinator.start();
        rt.committer.start();
        return rt;
    }

    /**
     * Submits ops to be applied together. The future completes after the commit that holds them, with
     * one outcome per op in order; it fails with {@link DrainingException} when shutting down, or
     * {@link CommitFailedException} when the store refused the commit (then nothing was applied).
     */
    public CompletableFuture<List<Outcome>> submit(List<Op> ops) {
        CompletableFuture<List<Outcome>> f = new CompletableFuture<>();
        if (ops.isEmpty()) {
            f.complete(List.of());
            return f;
        }
        // Checked and queued under the lock close() takes to set `draining`, so nothing slips in after
        // the coordinator's last look at the queue.
        synchronized (inbound) {
            if (draining) {
                f.completeExceptionally(new DrainingException());
                return f;
            }
            queuedOps.addAndGet(ops.size());
            inbound.add(new Submission(List.copyOf(ops), f, System.nanoTime()));
        }
        return f;
    }

    /** The committed profile named by {@code id}; for an email, the most recently updated one. */
    public Optional<UserState> find(Identifier id) {
        List<UserState> all = findAll(id);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Every committed profile named by {@code id} (an email may name several, newest first). */
    public List<UserState> findAll(Identifier id) {
        return switch (id) {
            case Identifier.ExternalId e -> byKey(IdentityKeys.externalId(e.value()));
            case Identifier.Alias a -> byKey(IdentityKeys.alias(a.alias()));
            case Identifier.BrazeId b -> store.loadUser(b.value()).map(List::of).orElse(List.of());
            case Identifier.Email m -> {
                List<String> ids = store.usersByEmail(m.value());
                Map<String, UserState> users = store.loadUsers(ids);
                List<UserState> out = new ArrayList<>();
                for (String uid : ids) if (users.containsKey(uid)) out.add(users.get(uid));
                yield out;
            }
        };
    }

    private List<UserState> byKey(String key) {
        String uid = store.resolve(List.of(key)).get(key);
        if (uid == null) return List.of();
        return store.loadUser(uid).map(List::of).orElse(List.of());
    }

    /** Streams every committed profile (exact segment counts). */
    public void scan(Consumer<UserState> consumer) { store.scanUsers(consumer); }

    /** The Canvases lanes run with from the next epoch on (swapped atomically). */
    public void canvases(CanvasSet set) { this.canvases = set; }

    /** Replaces the campaigns the engine runs with (active, stopped and draft ones alike). */
    public void campaigns(dev.kiln.engine.campaign.CampaignSet set) { this.campaigns = set; }

    public dev.kiln.engine.campaign.CampaignSet campaigns() { return campaigns; }

    /** Called on the committer thread after every commit that wrote outbox messages (keep it quick). */
    public void onOutbox(Runnable listener) { this.outboxListener = listener == null ? () -> { } : listener; }

    public CanvasSet canvases() { return canvases; }

    /** Committed statistics of one Canvas. */
    public CanvasStats canvasStats(String canvasId) { return CanvasStats.of(store.canvasStats(canvasId)); }

    /** The score ledger of one user's attribute, newest first, rows with {@code seq < beforeSeq}. */
    public List<dev.kiln.store.LedgerRow> ledger(String userId, String attribute, long beforeSeq, int limit) {
        return store.ledger(userId, attribute, beforeSeq, limit);
    }

    public Clock clock() { return clock; }
    public Store store() { return store; }
    public Engine engine() { return engine; }
    public boolean draining() { return draining; }
    public RuntimeConfig config() { return config; }

    /**
     * Drains: refuses new submissions, applies and commits everything already submitted, then stops the
     * threads. Does not close the store (its owner does).
     */
    @Override
    public void close() {
        if (draining && !coordinator.isAlive()) return;
        synchronized (inbound) { draining = true; }
        // No interrupts: the coordinator sees `draining`, applies what is queued, hands every epoch to the
        // committer (waiting for room) and then a stop marker, which ends the committer.
        join(coordinator);
        join(committer);
        laneThreads.shutdownNow();
        // Helidon may keep a stopped server's routing (and so this runtime) reachable: drop the caches.
        for (Lane lane : lanes) lane.clear();
        directory.clear();
        log.info("runtime drained: last committed epoch {}", committedEpoch);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- coordinator ------------------------------------------------------------------------------

    private void coordinate() {
        while (true) {
            List<Submission> epoch = takeEpoch();
            if (epoch == null) break;
            try {
                runEpoch(epoch);
            } catch (RuntimeException e) {
                log.error("epoch failed before commit; its submissions are refused and caches rebuilt", e);
                for (Submission s : epoch) s.future().completeExceptionally(new CommitFailedException("epoch failed: " + e.getMessage(), e));
                resetAfterFailure();
            }
        }
        // Drained: let the committer finish what is queued, then stop.
        putUninterruptibly(new EpochCommit(-1, -1, null, List.of(), List.of(), Set.of(), 0));
    }

    /** Blocks for the next epoch's submissions; null when draining and nothing is left. */
    private List<Submission> takeEpoch() {
        awaitPipelineRoom();
        Submission first;
        try {
            // With a timer backlog the next batch is due now: waiting here for a request would idle every thread.
            first = draining || timerBacklog ? inbound.poll() : inbound.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            first = inbound.poll();
        }
        afterCommits();
        // Due timers join this epoch (the next one formed), so the epoch recorded in `firingByEpoch` is exact.
        Submission timers = draining ? null : dueTimers(first != null);
        if (first == null && timers == null) {
            if (draining) return null;
            return List.of();
        }
        List<Submission> epoch = new ArrayList<>();
        int ops = 0;
        if (timers != null) {
            epoch.add(timers);
            ops += timers.ops().size();
        }
        if (first == null) {
            queuedOps.addAndGet(-ops);
            return epoch;
        }
        if (first.exclusive() && timers != null) {
            // A merge runs in an epoch of its own: it goes back to the head of the queue.
            inbound.addFirst(first);
            queuedOps.addAndGet(-ops);
            return epoch;
        }
        epoch.add(first);
        ops += first.ops().size();
        if (!first.exclusive()) {
            Submission next;
            // Submissions with a merge run alone, so cross-user changes never interleave with others.
            while (ops < config.maxOpsPerEpoch() && (next = inbound.peek()) != null && !next.exclusive()) {
                inbound.poll();
                epoch.add(next);
                ops += next.ops().size();
            }
        }
        queuedOps.addAndGet(-ops);
        return epoch;
    }

    /**
     * Waits until fewer than {@code pipelineDepth} epochs are applied but uncommitted, so the next epoch is
     * formed as late as possible: what arrives while the committer is busy joins one epoch (one transaction,
     * one WAL sync) instead of being cut into more small epochs that queue for it anyway. Under full load
     * epochs grow; when the committer keeps up nothing waits here. Measured on the scoring benchmark
     * (issue 3): without the wait the bounded queue plus the epoch in hand let four epochs share the
     * requests in flight (~480 ops per commit, ~4.5 pages written per event); see docs/architecture.md,
     * "Commit cost".
     */
    private void awaitPipelineRoom() {
        synchronized (commitIdle) {
            while (inFlightCommits >= config.pipelineDepth()) {
                try {
                    commitIdle.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Timers taken into epochs not yet committed; skipped by the poller until their epoch commits (or fails). */
    private final Set<FiringTimer> firing = new HashSet<>();

    /** The same keys by the epoch that took them, oldest first: a commit drops its epochs' keys only. */
    private final java.util.ArrayDeque<Map.Entry<Long, List<FiringTimer>>> firingByEpoch = new java.util.ArrayDeque<>();

    /**
     * A timer row taken into an epoch: its user and Canvas, and the token of the wait it ends. Equality written out with
     * the hash kept: a record's (through method handles) and the walk over every firing key at each commit were a third
     * of the coordinator's samples in a JFR profile of 1,000,000 timers.
     */
    private static final class FiringTimer {
        private final String userId, canvasId;
        private final int token, hash;

        FiringTimer(dev.kiln.store.TimerRow t) {
            userId = t.userId();
            canvasId = t.canvasId();
            token = t.token();
            hash = (userId.hashCode() * 31 + canvasId.hashCode()) * 31 + token;
        }

        @Override public boolean equals(Object o) {
            return o instanceof FiringTimer f && token == f.token && userId.equals(f.userId) && canvasId.equals(f.canvasId);
        }

        @Override public int hashCode() { return hash; }
    }

    private long nextTimerPoll = 0;

    /**
     * The last poll took a full batch with more due behind it: the coordinator then forms the next epoch without
     * waiting for a request. Measured with the scoring bench's timers phase (300,000 due at once, under JFR): the
     * coordinator spent 3.0 of 10.5 s in that 50 ms wait, one per epoch of 10,000 timers.
     */
    private boolean timerBacklog;

    /**
     * The latest due time among the timers in {@link #firing}, and how many were taken at it: the next poll reads from
     * there on, since every earlier due row is firing already (polls take rows in due order, and a wait is always set
     * in the future). Without it each poll of a backlog read the firing rows again: with two epochs in flight, three
     * rows for each one taken (the coordinator's reads were most of its allocation in a JFR profile of 300,000 timers).
     */
    private long firingMaxDue = Long.MIN_VALUE;
    private int firingAtMaxDue;

    /**
     * Due timers in an epoch with no request waiting take up to this many times the timer batch: a backlog (a restart
     * after downtime) then fires in fewer, bigger epochs. Measured with the scoring bench's timers phase (100,000 due at
     * once, 1 run each): 18,888 timers/s at 2,000 per epoch, 23,424 at 10,000, the CPU then saturated. Requests that
     * arrive while such an epoch runs wait for it (about half a second at 10,000); with requests waiting, epochs keep
     * the plain batch.
     */
    static final int IDLE_TIMER_BATCH_FACTOR = 5;

    /** Due timers as one internal submission (nobody waits on its future; a failed one is polled again). */
    private Submission dueTimers(boolean requestsWaiting) {
        long now = clock.millis();
        if (now < nextTimerPoll) return null;
        nextTimerPoll = now + config.timerPollInterval().toMillis();
        timerBacklog = false;
        if (canvases.isEmpty() && firing.isEmpty()) return null;
        List<dev.kiln.store.TimerRow> due;
        // Rows already firing in uncommitted epochs are skipped: read from the last one's due time, past those taken
        // at it, so a backlog is fired in pipelined epochs of at most timerBatch instead of one batch per commit.
        int batch = requestsWaiting ? config.timerBatch() : config.timerBatch() * IDLE_TIMER_BATCH_FACTOR;
        if (firing.isEmpty()) {
            firingMaxDue = Long.MIN_VALUE;
            firingAtMaxDue = 0;
        }
        int limit = batch + firingAtMaxDue;
        try {
            due = store.dueTimers(now, firingMaxDue, limit);
        } catch (RuntimeException e) {
            log.warn("could not read due timers; will retry", e);
            return null;
        }
        // A full read means more are due: look again at the next epoch rather than after the interval.
        if (due.size() >= limit) nextTimerPoll = 0;
        List<Op> ops = new ArrayList<>();
        List<FiringTimer> taken = new ArrayList<>();
        for (dev.kiln.store.TimerRow t : due) {
            if (ops.size() >= batch) break;
            FiringTimer key = new FiringTimer(t);
            if (!firing.add(key)) continue;
            taken.add(key);
            if (t.dueAt() > firingMaxDue) {
                firingMaxDue = t.dueAt();
                firingAtMaxDue = 0;
            }
            if (t.dueAt() == firingMaxDue) firingAtMaxDue++;
            ops.add(new Op.Apply(new Identifier.BrazeId(t.userId()), false, new Input.TimerFired(
                    "timer." + t.userId() + "." + t.canvasId() + "." + t.token(), new dev.kiln.engine.Source(dev.kiln.engine.Source.Kind.TIMER,
                    t.canvasId()), t.canvasId(), t.token())));
        }
        if (ops.isEmpty()) return null;
        firingByEpoch.add(Map.entry(epochCounter + 1, taken));
        timerBacklog = due.size() >= limit;
        metrics.timersFired.increment(ops.size());
        queuedOps.addAndGet(ops.size());
        return new Submission(ops, new CompletableFuture<>(), System.nanoTime());
    }

    /** Housekeeping between epochs, on the coordinator thread while lanes are idle. */
    private void afterCommits() {
        long committed = committedEpoch;
        if (committed > handledCommitted) {
            directory.committed(committed);
            for (var it = pendingDeletes.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey() <= committed) {
                    for (Lane lane : lanes) lane.forgetTombstones(e.getValue());
                    it.remove();
                }
            }
            handledCommitted = committed;
            while (!firingByEpoch.isEmpty() && firingByEpoch.peekFirst().getKey() <= committed) {
                var taken = firingByEpoch.pollFirst();
                for (FiringTimer k : taken.getValue()) firing.remove(k); // not removeAll: with a list it may scan the list per key
            }
        }
        if (failedGeneration == generation) resetAfterFailure();
    }

    private void resetAfterFailure() {
        synchronized (commitIdle) {
            while (inFlightCommits > 0 || !toCommit.isEmpty()) {
                try {
                    commitIdle.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (Lane lane : lanes) lane.clear();
        directory.clear();
        firing.clear();
        firingByEpoch.clear();
        pendingDeletes.clear();
        generation++;
        log.warn("caches rebuilt from the store after a failed commit (generation {})", generation);
    }

    private void runEpoch(List<Submission> submissions) {
        if (submissions.isEmpty()) return;
        long epoch = ++epochCounter;
        long now = clock.millis();
        List<Outcome[]> outcomes = new ArrayList<>(submissions.size());
        List<List<Work>> perLane = new ArrayList<>();
        for (int i = 0; i < lanes.length; i++) perLane.add(new ArrayList<>());
        Map<String, String> claimed = new HashMap<>();   // identity key -> new user id, this epoch
        Map<String, String> metaPuts = new LinkedHashMap<>(); // Op.Meta writes, committed with the epoch
        Set<String> newEmails = new HashSet<>();
        List<Runnable> exclusive = new ArrayList<>();
        LaneResult exclusiveResult = new LaneResult();
        int opCount = 0;

        prefetchIdentities(submissions);
        for (Submission s : submissions) {
            Outcome[] out = new Outcome[s.ops().size()];
            outcomes.add(out);
            for (int i = 0; i < s.ops().size(); i++) {
                opCount++;
                Op op = s.ops().get(i);
                switch (op) {
                    case Op.Apply a -> route(a, out, i, epoch, perLane, claimed, newEmails);
                    case Op.Merge m -> {
                        int slot = i;
                        exclusive.add(() -> merge(m, out, slot, epoch, now, exclusiveResult));
                    }
                    case Op.Meta meta -> {
                        metaPuts.put(meta.key(), meta.value());
                        out[i] = Outcome.ok(null);
                    }
                }
            }
        }

        long t0 = System.nanoTime();
        List<LaneResult> results = applyInLanes(epoch, perLane, now);
        for (Runnable r : exclusive) r.run();
        results.add(exclusiveResult);
        metrics.applyTime.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);

        List<UserRow> upserts = new ArrayList<>();
        Set<String> deletes = new HashSet<>();
        Map<String, String> identityPuts = new LinkedHashMap<>(claimed);
        Set<String> identityRemovals = new HashSet<>();
        List<EventLogRow> events = new ArrayList<>();
        List<dev.kiln.store.TimerRow> timerPuts = new ArrayList<>();
        List<dev.kiln.store.TimerRow> timerDeletes = new ArrayList<>();
        List<dev.kiln.store.LedgerRow> ledger = new ArrayList<>();
        List<dev.kiln.store.StatDelta> stats = new ArrayList<>();
        List<dev.kiln.store.OutboxRow> outboxPuts = new ArrayList<>();
        Set<String> outboxDeletes = new HashSet<>();
        List<dev.kiln.store.MessageLogRow> messageLog = new ArrayList<>();
        for (LaneResult r : results) {
            outboxPuts.addAll(r.outboxPuts);
            outboxDeletes.addAll(r.outboxDeletes);
            messageLog.addAll(r.messageLog);
            timerPuts.addAll(r.timerPuts);
            timerDeletes.addAll(r.timerDeletes);
            ledger.addAll(r.ledger);
            r.stats.forEach((k, v) -> { if (v[0] != 0) stats.add(new dev.kiln.store.StatDelta(k.canvasId(), k.metric(), k.key(), k.bucket(), v[0])); });
            for (var ce : r.canvasEvents) metrics.canvas(ce);
            upserts.addAll(r.upserts);
            deletes.addAll(r.deletes);
            events.addAll(r.events);
            identityPuts.putAll(r.identityPuts);
            for (String key : r.identityPuts.keySet()) directory.put(key, r.identityPuts.get(key), epoch);
            for (String key : r.identityRemovals) {
                identityPuts.remove(key);
                identityRemovals.add(key);
                directory.remove(key, epoch);
            }
            for (String abandoned : r.abandoned) {
                claimed.forEach((k, v) -> { if (v.equals(abandoned)) directory.remove(k, epoch); });
                identityPuts.values().removeIf(v -> v.equals(abandoned));
            }
        }
        upserts.removeIf(u -> deletes.contains(u.userId()));
        for (Outcome[] out : outcomes)
            for (Outcome o : out) {
                if (o.ok()) metrics.opsOk.increment();
                else metrics.opsRejected.increment();
            }
        if (!deletes.isEmpty()) pendingDeletes.put(epoch, deletes);
        CommitBatch batch = new CommitBatch(upserts, deletes, identityPuts, identityRemovals, events, timerPuts, timerDeletes, ledger, stats,
                outboxPuts, outboxDeletes, messageLog, metaPuts);
        EpochCommit commit = new EpochCommit(epoch, generation, batch, submissions, outcomes, deletes, opCount);
        synchronized (commitIdle) { inFlightCommits++; }
        putUninterruptibly(commit);
    }

    /** The epoch is applied, so it must reach the committer; waits for room in the pipeline. */
    private void putUninterruptibly(EpochCommit commit) {
        boolean interrupted = false;
        while (true) {
            try {
                toCommit.put(commit);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void prefetchIdentities(List<Submission> submissions) {
        Set<String> keys = new HashSet<>();
        for (Submission s : submissions)
            for (Op op : s.ops()) {
                switch (op) {
                    case Op.Apply a -> {
                        switch (a.who()) {
                            case Identifier.ExternalId e -> keys.add(IdentityKeys.externalId(e.value()));
                            case Identifier.Alias al -> keys.add(IdentityKeys.alias(al.alias()));
                            default -> { }
                        }
                        if (a.input() instanceof Input.AddAlias add) keys.add(IdentityKeys.alias(add.alias()));
                    }
                    case Op.Merge m -> {
                        keys.add(IdentityKeys.alias(m.alias()));
                        keys.add(IdentityKeys.externalId(m.externalId()));
                    }
                    case Op.Meta meta -> { }
                }
            }
        directory.prefetch(keys);
    }

    /** Resolves the op's user (creating one where allowed) and appends it to its lane's work. */
    private void route(Op.Apply a, Outcome[] out, int slot, long epoch, List<List<Work>> perLane,
                       Map<String, String> claimed, Set<String> newEmails) {
        String userId;
        boolean isNew = false;
        String newExternal = null;
        dev.kiln.engine.UserAlias newAlias = null;
        String newEmail = null;
        switch (a.who()) {
            case Identifier.ExternalId e -> {
                String key = IdentityKeys.externalId(e.value());
                userId = directory.get(key);
                if (userId == null && a.createIfMissing()) {
                    userId = UserIds.next();
                    isNew = true;
                    newExternal = e.value();
                    claimed.put(key, userId);
                    directory.put(key, userId, epoch);
                }
            }
            case Identifier.Alias al -> {
                String key = IdentityKeys.alias(al.alias());
                userId = directory.get(key);
                if (userId == null && a.createIfMissing()) {
                    userId = UserIds.next();
                    isNew = true;
                    newAlias = al.alias();
                    claimed.put(key, userId);
                    directory.put(key, userId, epoch);
                }
            }
            case Identifier.BrazeId b -> userId = b.value();
            case Identifier.Email m -> {
                String email = m.value();
                userId = directory.pendingEmail(email);
                if (userId == null) {
                    List<String> ids = store.usersByEmail(email);
                    userId = ids.isEmpty() ? null : ids.get(0);
                }
                if (userId == null && a.createIfMissing()) {
                    userId = UserIds.next();
                    isNew = true;
                    newEmail = email;
                    directory.putPendingEmail(email, userId, epoch);
                    newEmails.add(email);
                }
            }
        }
        if (userId == null) {
            out[slot] = Outcome.error("no user with " + a.who().describe());
            return;
        }
        if (a.input() instanceof Input.AddAlias add) {
            String key = IdentityKeys.alias(add.alias());
            String holder = directory.get(key);
            if (holder != null && !holder.equals(userId)) {
                out[slot] = Outcome.error("alias " + add.alias().label() + "/" + add.alias().name() + " belongs to another user");
                return;
            }
        }
        perLane.get(UserIds.lane(userId, lanes.length))
                .add(new Work(userId, isNew, newExternal, newAlias, newEmail, a.input(), out, slot, a.delivery()));
    }

    private List<LaneResult> applyInLanes(long epoch, List<List<Work>> perLane, long now) {
        List<Future<LaneResult>> futures = new ArrayList<>();
        for (int i = 0; i < lanes.length; i++) {
            List<Work> works = perLane.get(i);
            metrics.laneDepth[i].set(works.size());
            if (works.isEmpty()) continue;
            Lane lane = lanes[i];
            futures.add(laneThreads.submit(() -> lane.apply(epoch, works, now)));
        }
        List<LaneResult> results = new ArrayList<>();
        for (Future<LaneResult> f : futures) {
            try {
                results.add(f.get());
            } catch (InterruptedException e) {
                // Draining: the lanes are finishing this epoch; wait for them uninterruptibly.
                Thread.currentThread().interrupt();
                results.add(getUninterruptibly(f));
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("lane failed: " + e.getCause(), e.getCause());
            }
        }
        for (AtomicInteger d : metrics.laneDepth) d.set(0);
        return results;
    }

    private static <T> T getUninterruptibly(Future<T> f) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("lane failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** /users/identify, run by the coordinator while the lanes are idle. */
    private void merge(Op.Merge m, Outcome[] out, int slot, long epoch, long now, LaneResult result) {
        String aliasKey = IdentityKeys.alias(m.alias());
        String extKey = IdentityKeys.externalId(m.externalId());
        String aliasUser = directory.get(aliasKey);
        if (aliasUser == null) {
            out[slot] = Outcome.error("no user with user_alias " + m.alias().label() + "/" + m.alias().name());
            return;
        }
        Lane aliasLane = lanes[UserIds.lane(aliasUser, lanes.length)];
        UserState from = aliasLane.get(aliasUser);
        if (from == null) {
            out[slot] = Outcome.error("no user with user_alias " + m.alias().label() + "/" + m.alias().name());
            return;
        }
        String target = directory.get(extKey);
        if (target != null && target.equals(aliasUser)) {
            out[slot] = Outcome.ok(target);
            return;
        }
        if (from.externalId() != null) {
            out[slot] = Outcome.error("user_alias " + m.alias().label() + "/" + m.alias().name()
                    + " belongs to a user with external_id " + from.externalId() + "; only alias-only users can be identified");
            return;
        }
        if (target == null) {
            // No profile has the external id yet: the alias-only profile simply gets it.
            engine.apply(from, new Input.Identify(m.id(), m.source(), m.externalId(), null), now);
            aliasLane.touched(aliasUser, epoch);
            result.upserts.add(UserRow.of(from));
            result.identityPuts.put(extKey, aliasUser);
            out[slot] = Outcome.ok(aliasUser);
            return;
        }
        Lane targetLane = lanes[UserIds.lane(target, lanes.length)];
        UserState into = targetLane.get(target);
        if (into == null) {
            out[slot] = Outcome.error("no user with external_id " + m.externalId());
            return;
        }
        Transition t = engine.apply(into, new Input.MergeFrom(m.id(), m.source(), from), now);
        targetLane.touched(target, epoch);
        for (var effect : t.effects())
            if (effect instanceof dev.kiln.engine.Effect.LogEvent l)
                result.events.add(new EventLogRow(0, l.id(), target, into.externalId(), l.type(), l.time(),
                        "{\"name\":" + quote(l.data().get("name")) + ",\"merged_from\":\"" + aliasUser + "\"}", now));
        result.upserts.add(UserRow.of(into));
        for (var a : from.aliases()) result.identityPuts.put(IdentityKeys.alias(a), target);
        aliasLane.tombstone(aliasUser);
        result.deletes.add(aliasUser);
        out[slot] = Outcome.ok(target);
    }

    private static String quote(Object o) {
        return "\"" + String.valueOf(o).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---- committer --------------------------------------------------------------------------------

    private void commitLoop() {
        while (true) {
            EpochCommit c;
            try {
                c = toCommit.take();
            } catch (InterruptedException e) {
                continue; // only the stop marker ends the committer
            }
            if (c.epoch() < 0) break;
            try {
                commitOne(c);
            } finally {
                synchronized (commitIdle) {
                    inFlightCommits--;
                    commitIdle.notifyAll();
                }
            }
        }
    }

    private void commitOne(EpochCommit c) {
        if (c.generation() <= failedGeneration) {
            fail(c, new CommitFailedException("an earlier commit failed; resubmit", null));
            return;
        }
        long t0 = System.nanoTime();
        try {
            if (!c.batch().isEmpty()) store.commit(c.batch());
        } catch (RuntimeException e) {
            log.error("commit of epoch {} failed ({} ops); it and later uncommitted epochs are refused", c.epoch(), c.ops(), e);
            metrics.commitFailures.increment();
            failedGeneration = c.generation();
            fail(c, new CommitFailedException("commit failed: " + e.getMessage(), e));
            return;
        }
        long t1 = System.nanoTime();
        metrics.commitTime.record(t1 - t0, TimeUnit.NANOSECONDS);
        metrics.commitOps.record(c.ops());
        metrics.commitEvents.record(c.batch().events().size());
        committedEpoch = c.epoch();
        for (int i = 0; i < c.submissions().size(); i++) {
            Submission s = c.submissions().get(i);
            metrics.submitToCommit.record(t1 - s.submittedNanos(), TimeUnit.NANOSECONDS);
            s.future().complete(List.of(c.outcomes().get(i)));
        }
        if (!c.batch().outboxPuts().isEmpty()) {
            try {
                outboxListener.run();
            } catch (RuntimeException e) {
                log.warn("outbox listener failed", e);
            }
        }
        pruneNowAndThen();
    }

    private void fail(EpochCommit c, RuntimeException e) {
        for (Submission s : c.submissions()) s.future().completeExceptionally(e);
    }

    /** Through which seq the event log may be pruned (Currents cursors), and the retention that overrides it. */
    private volatile java.util.function.LongSupplier eventLogHold = () -> Long.MAX_VALUE;
    private volatile java.time.Duration eventLogMaxRetention;

    /**
     * Holds the event log for readers that have not passed it yet (Currents connectors): pruning by time
     * removes rows only through {@code prunableThroughSeq} (the slowest connector's cursor), except that rows
     * older than {@code maxRetention} are pruned regardless (with a warning), so a dead sink cannot fill the disk.
     */
    public void holdEventLog(java.util.function.LongSupplier prunableThroughSeq, java.time.Duration maxRetention) {
        if (maxRetention.compareTo(config.eventLogRetention()) < 0)
            throw new IllegalArgumentException("the maximum event log retention (" + maxRetention
                    + ") must be at least the event log retention (" + config.eventLogRetention() + ")");
        this.eventLogMaxRetention = maxRetention;
        this.eventLogHold = prunableThroughSeq;
    }

    /**
     * Prunes the event log as of {@code now}: rows past the retention that every holder has passed, and rows
     * past the maximum retention. Returns how many. Safe on any thread (the store serialises writes).
     */
    public long pruneEventLog(long now) {
        long through = eventLogHold.getAsLong();
        long n = store.pruneEventLog(now - config.eventLogRetention().toMillis(), through);
        if (n > 0) log.info("pruned {} event log rows older than {}", n, config.eventLogRetention());
        java.time.Duration max = eventLogMaxRetention;
        if (max != null && through != Long.MAX_VALUE) {
            long forced = store.pruneEventLog(now - max.toMillis(), Long.MAX_VALUE);
            if (forced > 0) log.warn("pruned {} event log rows older than the maximum retention {} that a Currents connector"
                    + " had not exported yet", forced, max);
            n += forced;
        }
        return n;
    }

    /** Prunes the event log about every ten minutes, on the committer thread (the single writer). */
    private void pruneNowAndThen() {
        long now = clock.millis();
        if (now - lastPrune < 600_000) return;
        lastPrune = now;
        try {
            pruneEventLog(now);
            long l = store.pruneLedger(now - config.ledgerRetention().toMillis());
            if (l > 0) log.info("pruned {} score ledger rows older than {}", l, config.ledgerRetention());
        } catch (RuntimeException e) {
            log.warn("event log prune failed; will retry", e);
        }
    }
}
