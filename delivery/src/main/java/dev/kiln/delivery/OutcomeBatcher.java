package dev.kiln.delivery;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Op;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Gathers outcome ops for a few milliseconds (up to {@code maxBatch}) and submits them to the runtime
 * together: one submission, one commit for many messages. Each op's callback learns whether its commit
 * happened ({@code true}) or failed ({@code false}: the message stays in the outbox and is tried again).
 */
final class OutcomeBatcher {
    private static final Logger log = LoggerFactory.getLogger(OutcomeBatcher.class);

    private record Pending(Op op, Consumer<Boolean> whenDone) {}

    private final KilnRuntime runtime;
    private final int maxBatch;
    private final long lingerNanos;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Runnable onCommitFailure;
    private volatile boolean stopping;

    OutcomeBatcher(KilnRuntime runtime, int maxBatch, Duration linger, Runnable onCommitFailure) {
        this.runtime = runtime;
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.onCommitFailure = onCommitFailure;
        this.thread = new Thread(this::loop, "kiln-delivery-outcomes");
        thread.setDaemon(true);
        thread.start();
    }

    void submit(Op op, Consumer<Boolean> whenDone) {
        queue.add(new Pending(op, whenDone));
    }

    private void loop() {
        while (true) {
            Pending first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = queue.poll();
            }
            if (first == null) {
                if (stopping) return;
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            batch.add(first);
            long deadline = System.nanoTime() + lingerNanos;
            while (batch.size() < maxBatch) {
                long left = deadline - System.nanoTime();
                Pending next;
                try {
                    next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                } catch (InterruptedException e) {
                    next = queue.poll();
                }
                if (next == null) break;
                batch.add(next);
            }
            send(batch);
        }
    }

    private void send(List<Pending> batch) {
        List<Op> ops = new ArrayList<>(batch.size());
        for (Pending p : batch) ops.add(p.op());
        try {
            runtime.submit(ops).whenComplete((outcomes, error) -> {
                if (error != null) {
                    log.warn("{} delivery outcomes were not committed ({}); the messages stay in the outbox and are tried again",
                            batch.size(), error.getClass().getSimpleName());
                    onCommitFailure.run();
                }
                for (Pending p : batch) {
                    try {
                        p.whenDone().accept(error == null);
                    } catch (RuntimeException e) {
                        log.error("delivery outcome callback failed", e);
                    }
                }
            });
        } catch (RuntimeException e) {
            log.warn("{} delivery outcomes could not be submitted ({})", batch.size(), e.getClass().getSimpleName());
            for (Pending p : batch) p.whenDone().accept(false);
        }
    }

    /** Submits what is queued, then stops the thread (waits at most {@code timeout}). */
    void close(Duration timeout) {
        stopping = true;
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
