package dev.kiln.server.http;

import dev.kiln.engine.UserState;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the endpoints need from the runtime; an interface so tests can provoke failures a real runtime rarely shows. */
interface Profiles {
    /** Completes after the ops are durably committed, one outcome per op; see {@link KilnRuntime#submit}. */
    CompletableFuture<List<Outcome>> submit(List<Op> ops);

    /** Committed profiles named by {@code id}, newest first. */
    List<UserState> findAll(Identifier id);

    Clock clock();

    boolean draining();

    static Profiles of(KilnRuntime runtime) {
        return new Profiles() {
            @Override public CompletableFuture<List<Outcome>> submit(List<Op> ops) { return runtime.submit(ops); }
            @Override public List<UserState> findAll(Identifier id) { return runtime.findAll(id); }
            @Override public Clock clock() { return runtime.clock(); }
            @Override public boolean draining() { return runtime.draining(); }
        };
    }
}
