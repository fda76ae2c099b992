package dev.kiln.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A few threads sending {@link Ledger} batches back to back through one client (kept-alive
 * connections, as a real integration would), until {@link #stop()}.
 */
final class TrackLoad {
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong acked = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    private TrackLoad() {}

    static TrackLoad start(Ledger ledger, KilnClient client, int threads) {
        TrackLoad load = new TrackLoad();
        for (int i = 0; i < threads; i++) {
            load.threads.add(Thread.ofPlatform().name("track-load-" + i).daemon().start(() -> {
                while (!load.stopping.get()) {
                    if (ledger.send(client, ledger.nextBatch()).kind() == Ledger.Kind.ACKED) load.acked.incrementAndGet();
                    else pause(); // as a client would back off; keeps a refusing server from being flooded
                }
            }));
        }
        return load;
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Batches acknowledged with 201 by this load. */
    long acked() { return acked.get(); }

    /** Stops sending and waits for every thread's last request; fails if one hangs. */
    void stop() throws InterruptedException {
        stopping.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) throw new AssertionError(t.getName() + " is stuck in a request: " + List.of(t.getStackTrace()));
        }
    }
}
