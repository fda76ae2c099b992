package dev.kiln.server.http;

import dev.kiln.engine.UserState;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A runtime stand-in whose answers a test chooses: to provoke failures a real runtime rarely shows. */
final class FakeProfiles implements Profiles {
    final List<List<Op>> submissions = new CopyOnWriteArrayList<>();
    final Map<Identifier, List<UserState>> users = new ConcurrentHashMap<>();
    final MutableClock clock = new MutableClock(1_800_000_000_000L);
    volatile boolean draining;
    volatile Function<List<Op>, CompletableFuture<List<Outcome>>> answer = FakeProfiles::allOk;

    static CompletableFuture<List<Outcome>> allOk(List<Op> ops) {
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) out.add(Outcome.ok("u" + i));
        return CompletableFuture.completedFuture(out);
    }

    @Override public CompletableFuture<List<Outcome>> submit(List<Op> ops) {
        submissions.add(List.copyOf(ops));
        return answer.apply(ops);
    }

    @Override public List<UserState> findAll(Identifier id) { return users.getOrDefault(id, List.of()); }

    @Override public Clock clock() { return clock; }

    @Override public boolean draining() { return draining; }
}
