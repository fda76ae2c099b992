package dev.kiln.liquid;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Confines Liqp node trees to one render at a time. Works with platform and virtual threads alike (a ThreadLocal
 * would build a tree per virtual thread); grows to the peak number of concurrent renders and keeps at most
 * {@code maxIdle} between bursts.
 */
final class InstancePool<T> {
    private final ConcurrentLinkedQueue<T> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicInteger created = new AtomicInteger();
    private final int maxIdle;
    private final Supplier<T> factory;

    InstancePool(int maxIdle, Supplier<T> factory) {
        this.maxIdle = maxIdle;
        this.factory = factory;
    }

    T borrow() {
        T t = idle.poll();
        if (t != null) {
            idleCount.decrementAndGet();
            return t;
        }
        created.incrementAndGet();
        return factory.get();
    }

    void release(T t) {
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.offer(t);
        } else {
            idleCount.decrementAndGet();
        }
    }

    /** Instances built so far (a test sees the pool grow under concurrency). */
    int created() {
        return created.get();
    }
}
