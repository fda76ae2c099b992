package dev.kiln.server.simulate;

import dev.kiln.engine.Effect;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Transition;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import dev.kiln.engine.canvas.CanvasEngine;
import dev.kiln.engine.canvas.CanvasSet;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runtime's job done in memory for a backtest: users found or created by identifier as the API
 * would, every input passed through the same {@link CanvasEngine}, and the effects interpreted — timers
 * kept in a queue by due time and fired by a virtual clock, Canvas statistics counted. No store, no
 * threads, no wall clock, no randomness: the same ops in the same order give the same result.
 *
 * <p>The hot path of {@code kiln simulate}; kept in one place on purpose.
 */
final class Simulation {
    static final String USER_ID_PREFIX = "sim-";

    /** One profile and what the simulation keeps beside it. */
    static final class User {
        final int index;
        final UserState state;
        /**
         * Pending timers of this user, as ({@link #timerKey}, seq): one per Canvas it waits in; the first in
         * fields (the common case), the rest as pairs in {@code moreTimers}. Numbers rather than timer objects,
         * so setting a timer writes no reference into a long-lived user.
         */
        int timerCount;
        long timerKey, timerSeq;
        long[] moreTimers;

        long keyAt(int i) { return i == 0 ? timerKey : moreTimers[2 * i - 2]; }

        long seqAt(int i) { return i == 0 ? timerSeq : moreTimers[2 * i - 1]; }

        void put(int i, long key, long seq) {
            if (i == 0) {
                timerKey = key;
                timerSeq = seq;
                return;
            }
            if (moreTimers == null) moreTimers = new long[4];
            else if (2 * i > moreTimers.length) moreTimers = Arrays.copyOf(moreTimers, moreTimers.length * 2);
            moreTimers[2 * i - 2] = key;
            moreTimers[2 * i - 1] = seq;
        }
        /** Normalised email this user is indexed under, or null. */
        String emailKey;
        /** Threshold bookkeeping: {@link #SEEN}, {@link #FIRST_SATISFIED}, {@link #EVER_SATISFIED}. */
        byte crossing;

        User(int index, UserState state) {
            this.index = index;
            this.state = state;
        }
    }

    static final byte SEEN = 1, FIRST_SATISFIED = 2, EVER_SATISFIED = 4;

    private final CanvasEngine engine;
    private final CanvasSet canvases;
    private final MemoryEntryGate gate;
    private final Threshold threshold;

    private final List<User> users = new ArrayList<>();
    /** Concurrent so the parser thread can look users up ahead of time ({@link #lookAhead}); written here only. */
    private final Map<String, User> byExternalId = new ConcurrentHashMap<>();
    private final Map<UserAlias, User> byAlias = new HashMap<>();
    private final Map<String, List<User>> byEmail = new HashMap<>();
    private final TimerQueue timers = new TimerQueue();
    /** Canvas ids named by timers, by index: a timer's key is (index, token). */
    private final Map<String, Integer> canvasIndex = new HashMap<>();
    private final List<String> canvasIds = new ArrayList<>();
    private final Map<String, CanvasTally> tallies = new HashMap<>();
    private String lastCanvas;
    private CanvasTally lastTally;
    private long timerSeq;
    private long pendingTimers;
    private long timersFired;
    private long clock = Long.MIN_VALUE;

    Simulation(CanvasEngine engine, CanvasSet canvases, MemoryEntryGate gate, Threshold threshold) {
        this.engine = engine;
        this.canvases = canvases;
        this.gate = gate;
        this.threshold = threshold;
        for (String id : canvases.byId().keySet()) tallies.put(id, new CanvasTally());
    }

    /** The virtual clock: the time of the last line applied or timer fired. */
    long clock() { return clock; }

    /**
     * Fires, in due order, every pending timer due at or before {@code t}, each at its due time; timers
     * those set in turn fire too when due by {@code t}. Then the clock stands at {@code t}.
     */
    void advanceTo(long t) {
        TimerQueue q = timers;
        while (q.poll(t)) {
            User u = users.get(q.user);
            if (!forget(u, q.key, q.seq)) continue; // cancelled or replaced: skipped when it comes up
            timersFired++;
            if (q.due > clock) clock = q.due;
            String canvasId = canvasIds.get((int) (q.key >>> 32));
            Input.TimerFired in = new Input.TimerFired("timer-" + q.seq, new Source(Source.Kind.TIMER, canvasId),
                    canvasId, (int) q.key);
            Transition tr = engine.process(u.state, in, clock, canvases, gate);
            if (!tr.isRejected()) interpret(u, tr.effects());
        }
        if (t > clock) clock = t;
    }

    /**
     * The user an object names by external id, if it exists already; null otherwise. Safe to call from
     * another thread: a user is published here only once created for good, and never removed (a
     * /users/track replay deletes no one), so a user found ahead of time is the one {@link #apply} would find.
     */
    User lookAhead(Op op) {
        return op instanceof Op.Apply a && a.who() instanceof Identifier.ExternalId e ? byExternalId.get(e.value()) : null;
    }

    /**
     * Applies one parsed object at the current clock; returns null, or why the runtime would refuse it.
     * {@code known}: the user {@link #lookAhead} found for it, or null.
     */
    String apply(Op op, User known) {
        if (!(op instanceof Op.Apply a)) return "not a /users/track operation";
        User u = known;
        boolean created = false;
        if (u == null) switch (a.who()) {
            case Identifier.ExternalId e -> {
                u = byExternalId.get(e.value());
                if (u == null && a.createIfMissing()) {
                    u = create();
                    u.state.externalId(e.value());
                    created = true;
                }
            }
            case Identifier.Alias al -> {
                u = byAlias.get(al.alias());
                if (u == null && a.createIfMissing()) {
                    u = create();
                    u.state.aliases().add(al.alias());
                    byAlias.put(al.alias(), u);
                    created = true;
                }
            }
            case Identifier.BrazeId b -> u = byBrazeId(b.value());
            case Identifier.Email m -> {
                u = byEmail(m.value());
                if (u == null && a.createIfMissing()) {
                    u = create();
                    u.state.standard().put("email", new Value.Str(m.value()));
                    indexEmail(u, m.value());
                    created = true;
                }
            }
        }
        if (u == null) return "no user with " + a.who().describe();
        Transition t = engine.process(u.state, a.input(), clock, canvases, gate);
        if (t.isRejected()) {
            if (created) abandon(u, a.who());
            return t.rejection();
        }
        if (created && a.who() instanceof Identifier.ExternalId e) byExternalId.put(e.value(), u);
        interpret(u, t.effects());
        return null;
    }

    private User create() {
        User u = new User(users.size(), new UserState(USER_ID_PREFIX + (users.size() + 1), clock));
        users.add(u);
        return u;
    }

    /** A user created for an object the engine refused is not kept (as the runtime); its id is reused. */
    private void abandon(User u, Identifier who) {
        users.remove(users.size() - 1);
        switch (who) {
            case Identifier.ExternalId e -> { } // published only after success
            case Identifier.Alias al -> byAlias.remove(al.alias());
            case Identifier.Email m -> unindexEmail(u);
            case Identifier.BrazeId b -> { }
        }
    }

    private User byBrazeId(String id) {
        if (!id.startsWith(USER_ID_PREFIX)) return null;
        try {
            int n = Integer.parseInt(id, USER_ID_PREFIX.length(), id.length(), 10);
            return n >= 1 && n <= users.size() && id.equals(users.get(n - 1).state.userId()) ? users.get(n - 1) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The store's rule: of the profiles with this email, the most recently updated (then the lowest id). */
    private User byEmail(String email) {
        List<User> holders = byEmail.get(normalise(email));
        if (holders == null) return null;
        User best = null;
        for (User h : holders) {
            if (best == null || h.state.updatedAt() > best.state.updatedAt()
                    || (h.state.updatedAt() == best.state.updatedAt() && h.state.userId().compareTo(best.state.userId()) < 0))
                best = h;
        }
        return best;
    }

    private static String normalise(String email) { return email.trim().toLowerCase(Locale.ROOT); }

    private void indexEmail(User u, String email) {
        unindexEmail(u);
        if (email == null || email.isBlank()) return;
        u.emailKey = normalise(email);
        byEmail.computeIfAbsent(u.emailKey, k -> new ArrayList<>(1)).add(u);
    }

    private void unindexEmail(User u) {
        if (u.emailKey == null) return;
        List<User> holders = byEmail.get(u.emailKey);
        if (holders != null) {
            holders.remove(u);
            if (holders.isEmpty()) byEmail.remove(u.emailKey);
        }
        u.emailKey = null;
    }

    private void interpret(User u, List<Effect> effects) {
        for (int i = 0, n = effects.size(); i < n; i++) {
            switch (effects.get(i)) {
                case Effect.CanvasStat s -> tally(s.canvasId()).add(s);
                case Effect.SetTimer s -> setTimer(u, s);
                case Effect.CancelTimer c -> cancelTimer(u, c.canvasId(), c.token());
                case Effect.AttributeChanged c -> changed(u, c);
                case Effect.LogEvent l -> { }
                case Effect.UserDeleted d -> { } // /users/track never deletes
                case Effect.SendWebhook w -> { } // a backtest has no side effects: nothing is sent
            }
        }
    }

    private CanvasTally tally(String canvasId) {
        if (canvasId != null && canvasId.equals(lastCanvas)) return lastTally;
        CanvasTally t = tallies.get(canvasId);
        if (t == null) tallies.put(canvasId, t = new CanvasTally());
        lastCanvas = canvasId;
        lastTally = t;
        return t;
    }

    private void setTimer(User u, Effect.SetTimer s) {
        long key = timerKey(s.canvasId(), s.token());
        forget(u, key, -1); // the same (Canvas, token) is one timer, as the store's key
        long seq = timerSeq++;
        u.put(u.timerCount++, key, seq);
        timers.add(s.dueAt(), seq, u.index, key, clock);
        pendingTimers++;
    }

    private void cancelTimer(User u, String canvasId, int token) {
        forget(u, timerKey(canvasId, token), -1); // left in the queue, skipped when it comes up
    }

    /** (Canvas index, token) as one number. */
    private long timerKey(String canvasId, int token) {
        Integer index = canvasIndex.get(canvasId);
        if (index == null) {
            index = canvasIds.size();
            canvasIndex.put(canvasId, index);
            canvasIds.add(canvasId);
        }
        return ((long) index << 32) | (token & 0xFFFF_FFFFL);
    }

    /**
     * The user's pending timer {@code key} (with this {@code seq}, or any when -1) is no longer pending (fired
     * or cancelled); false when it was not pending.
     */
    private boolean forget(User u, long key, long seq) {
        for (int i = 0, n = u.timerCount; i < n; i++) {
            if (u.keyAt(i) != key || (seq != -1 && u.seqAt(i) != seq)) continue;
            if (i != n - 1) u.put(i, u.keyAt(n - 1), u.seqAt(n - 1)); // the last takes its place
            u.timerCount--;
            pendingTimers--;
            return true;
        }
        return false;
    }

    private void changed(User u, Effect.AttributeChanged c) {
        if (threshold != null && c.newValue() != null && c.name().equals(threshold.attribute())) {
            boolean sat = threshold.test(c.newValue());
            if ((u.crossing & SEEN) == 0) u.crossing = (byte) (SEEN | (sat ? FIRST_SATISFIED : 0));
            if (sat) u.crossing |= EVER_SATISFIED;
        }
        if (c.name().equals("email")) indexEmail(u, c.newValue() instanceof Value.Str s ? s.value() : null);
    }

    // ---- results ----------------------------------------------------------------------------------

    /** Users in creation order ({@code sim-1}, {@code sim-2}, …). */
    List<User> users() { return users; }

    long timersFired() { return timersFired; }

    long pendingTimers() { return pendingTimers; }

    /** Statistics by Canvas id. */
    Map<String, CanvasTally> tallies() { return tallies; }

    CanvasSet canvases() { return canvases; }

    MemoryEntryGate gate() { return gate; }
}
