package dev.kiln.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Heap figures of this JVM, which holds the server and the load generator. {@link #afterForcedGc()} is
 * the exact figure (a full collection first); during a run forcing collections would disturb what is
 * measured, so {@link Sampler} reads, per period, the lowest heap left by a collection the JVM ran by
 * itself (from GC notifications): if that stays level over the run, the heap is flat.
 */
final class Heap {
    private static volatile long lastAfterGc = -1;
    /** Lowest heap left by a collection since the sampler last looked: the best live-set estimate without forcing one. */
    private static volatile long windowMinAfterGc = Long.MAX_VALUE;
    private static volatile long gcCount = 0;
    private static boolean listening;

    private Heap() {}

    static long maxBytes() { return Runtime.getRuntime().maxMemory(); }

    /** Heap used after two full collections, in bytes. */
    static long afterForcedGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long usedNow() { return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(); }

    /** Heap in use right after the most recent collection, or -1 before the first. */
    static long lastAfterGc() { return lastAfterGc; }

    static long gcCount() { return gcCount; }

    static synchronized void listen() {
        if (listening) return;
        listening = true;
        Set<String> heapPools = new HashSet<>();
        ManagementFactory.getMemoryPoolMXBeans().forEach(p -> { if (p.getType() == MemoryType.HEAP) heapPools.add(p.getName()); });
        NotificationListener l = (Notification n, Object handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = 0;
            for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet())
                if (heapPools.contains(e.getKey())) used += e.getValue().getUsed();
            lastAfterGc = used;
            if (used < windowMinAfterGc) windowMinAfterGc = used;
            gcCount++;
        };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            if (gc instanceof NotificationEmitter em) em.addNotificationListener(l, null, null);
    }

    static String mb(long bytes) { return bytes < 0 ? "n/a" : String.format("%.1f MB", bytes / 1048576.0); }

    /** One reading every {@code periodMillis} on a daemon thread until closed. */
    static final class Sampler implements AutoCloseable {
        /**
         * @param minAfterGc the lowest heap any collection left during the period (the last one's when none ran)
         */
        record Sample(double atSeconds, long minAfterGc, long afterLastGc, long usedNow) {}

        private final List<Sample> samples = new ArrayList<>();
        private final Thread thread;
        private final long t0 = System.nanoTime();
        private volatile boolean stop;

        Sampler(long periodMillis) {
            listen();
            windowMinAfterGc = Long.MAX_VALUE;
            thread = Thread.ofPlatform().daemon().name("bench-heap-sampler").start(() -> {
                while (!stop) {
                    try {
                        Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (stop) return;
                    synchronized (samples) {
                        long min = windowMinAfterGc;
                        windowMinAfterGc = Long.MAX_VALUE;
                        samples.add(new Sample((System.nanoTime() - t0) / 1e9, min == Long.MAX_VALUE ? lastAfterGc : min, lastAfterGc, usedNow()));
                    }
                }
            });
        }

        List<Sample> samples() {
            synchronized (samples) { return List.copyOf(samples); }
        }

        @Override public void close() {
            stop = true;
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
