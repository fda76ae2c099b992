package dev.kiln.delivery;

import dev.kiln.store.OutboxRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per destination host ({@code host:port}): a concurrency limit, and a circuit breaker. When at least
 * {@code minRequests} of a host's last {@code window} requests were answered and at least
 * {@code failureRatio} of them failed (5xx, network error, timeout), the host is paused for
 * {@code cooldown}: messages for it are parked here, in memory, without using an attempt. When the
 * cool-down is over, one request (the probe) goes through; its success closes the breaker and releases
 * the parked messages, its failure pauses the host again.
 *
 * <p>Parked messages are handed back to the dispatcher by {@link #ready}; they are still in the outbox, so a
 * restart loses nothing.
 */
final class HostGate {
    private static final Logger log = LoggerFactory.getLogger(HostGate.class);
    static final int MAX_IDLE_HOSTS = 10_000;

    private final int perHost;
    private final int window;
    private final int minRequests;
    private final double failureRatio;
    private final long cooldownMillis;
    private final Map<String, Host> hosts = new ConcurrentHashMap<>();
    private final AtomicInteger parked = new AtomicInteger();

    HostGate(int perHost, int window, int minRequests, double failureRatio, long cooldownMillis) {
        this.perHost = perHost;
        this.window = window;
        this.minRequests = minRequests;
        this.failureRatio = failureRatio;
        this.cooldownMillis = cooldownMillis;
    }

    static HostGate of(DeliveryConfig c) {
        return new HostGate(c.perHostConcurrency(), c.breakerWindow(), c.breakerMinRequests(), c.breakerFailureRatio(),
                c.breakerCooldown().toMillis());
    }

    /** Leave to send one request; must be given back with {@link #done}. */
    static final class Permit {
        final Host host;
        final boolean probe;

        Permit(Host host, boolean probe) {
            this.host = host;
            this.probe = probe;
        }
    }

    static final class Host {
        final String name;
        final Semaphore slots;
        final boolean[] ring;
        int ringPos;
        int ringCount;
        int ringFailures;
        boolean open;
        long openUntil;
        boolean probeOut;
        long candidateAt = -1;
        final ArrayDeque<OutboxRow> parked = new ArrayDeque<>();
        final ArrayDeque<OutboxRow> ready = new ArrayDeque<>();

        Host(String name, int perHost, int window) {
            this.name = name;
            this.slots = new Semaphore(perHost);
            this.ring = new boolean[window];
        }
    }

    /** Returned by {@link #enter} when the host is paused and no more rows may be parked. */
    static final Permit FULL = new Permit(null, false);

    /**
     * Asks to send {@code row} to {@code host}. Blocks while the host's concurrency limit is reached.
     *
     * @param parkedElsewhere rows the caller holds parked for other reasons (they count against {@code maxParked})
     * @return a permit; null when the host is paused and the row was parked here; {@link #FULL} when the host
     *         is paused and {@code maxParked} rows are parked already (the row is not kept)
     */
    Permit enter(String host, OutboxRow row, long now, int maxParked, int parkedElsewhere) throws InterruptedException {
        Host h = hosts.computeIfAbsent(host, k -> new Host(k, perHost, window));
        boolean probe = false;
        synchronized (h) {
            if (h.open) {
                if (now >= h.openUntil && !h.probeOut) {
                    h.probeOut = true;
                    probe = true;
                } else {
                    if (parked.get() + parkedElsewhere >= maxParked) return FULL;
                    h.parked.add(row);
                    parked.incrementAndGet();
                    return null;
                }
            }
        }
        try {
            h.slots.acquire();
        } catch (InterruptedException e) {
            if (probe) synchronized (h) { h.probeOut = false; }
            throw e;
        }
        return new Permit(h, probe);
    }

    /** The request ended; {@code failure}: a 5xx, network error or timeout. */
    void done(Permit p, boolean failure, long now) {
        Host h = p.host;
        h.slots.release();
        synchronized (h) {
            if (p.probe) {
                h.probeOut = false;
                if (failure) {
                    h.openUntil = now + cooldownMillis;
                    log.warn("host {} still failing: paused for another {} ms ({} messages parked)", h.name, cooldownMillis, h.parked.size());
                } else {
                    h.open = false;
                    clearRing(h);
                    h.ready.addAll(h.parked);
                    h.parked.clear();
                    log.info("host {} answers again: breaker closed, {} parked messages released", h.name, h.ready.size());
                }
                return;
            }
            if (h.open) return; // answers to requests sent before the breaker opened
            if (h.ringCount == window) {
                if (h.ring[h.ringPos]) h.ringFailures--;
            } else {
                h.ringCount++;
            }
            h.ring[h.ringPos] = failure;
            if (failure) h.ringFailures++;
            h.ringPos = (h.ringPos + 1) % window;
            if (h.ringCount >= minRequests && h.ringFailures >= failureRatio * h.ringCount) {
                h.open = true;
                h.openUntil = now + cooldownMillis;
                log.warn("host {}: {} of the last {} requests failed; breaker open, host paused for {} ms",
                        h.name, h.ringFailures, h.ringCount, cooldownMillis);
                clearRing(h);
            }
        }
    }

    private static void clearRing(Host h) {
        java.util.Arrays.fill(h.ring, false);
        h.ringPos = 0;
        h.ringCount = 0;
        h.ringFailures = 0;
    }

    /**
     * Parked rows to start again, at most {@code max}: all of a host whose breaker closed, and one of a host
     * whose cool-down is over (it becomes the probe, unless another message got there first).
     */
    List<OutboxRow> ready(long now, int max) {
        List<OutboxRow> out = new ArrayList<>();
        if (parked.get() == 0) {
            trim();
            return out;
        }
        for (Host h : hosts.values()) {
            if (out.size() >= max) break;
            synchronized (h) {
                while (!h.ready.isEmpty() && out.size() < max) {
                    out.add(h.ready.poll());
                    parked.decrementAndGet();
                }
                if (h.open && now >= h.openUntil && !h.probeOut && !h.parked.isEmpty() && out.size() < max
                        && (h.candidateAt < 0 || now - h.candidateAt >= cooldownMillis)) {
                    h.candidateAt = now;
                    out.add(h.parked.poll());
                    parked.decrementAndGet();
                }
            }
        }
        return out;
    }

    /** Forgets hosts that hold nothing, when there are many (templates may address one host per user). */
    private void trim() {
        if (hosts.size() <= MAX_IDLE_HOSTS) return;
        hosts.values().removeIf(h -> {
            synchronized (h) {
                return !h.open && h.parked.isEmpty() && h.ready.isEmpty() && h.slots.availablePermits() == perHost;
            }
        });
    }

    /** Messages parked for paused hosts (and released ones not yet restarted). */
    int parked() { return parked.get(); }

    /** Whether the breaker of {@code host} is open (tests, metrics). */
    boolean isOpen(String host) {
        Host h = hosts.get(host);
        if (h == null) return false;
        synchronized (h) { return h.open; }
    }

    /** Drops every parked row (close: they stay in the outbox). */
    int clear() {
        int n = 0;
        for (Host h : hosts.values())
            synchronized (h) {
                n += h.parked.size() + h.ready.size();
                h.parked.clear();
                h.ready.clear();
            }
        parked.set(0);
        return n;
    }
}
