package dev.kiln.delivery;

import dev.kiln.engine.Input;
import dev.kiln.engine.Input.MessageOutcome.Kind;
import dev.kiln.engine.Source;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Step;
import dev.kiln.liquid.RenderException;
import dev.kiln.liquid.TemplateException;
import dev.kiln.runtime.Delivery;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Op;
import dev.kiln.store.MessageLogRow;
import dev.kiln.store.OutboxRow;
import dev.kiln.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the outbox: reads due messages, renders each webhook, sends it, and feeds the outcome back to the
 * user's lane as one {@link Op.Apply} carrying a {@link Delivery} (the message-log row, and the rewritten row for
 * a retry or none when the message ended), so the outcome, its effects on the profile ({@code on_success}) and the
 * outbox change commit together.
 *
 * <p>Guarantees: at least once across crashes (a row stays in the outbox until its outcome commits); never again
 * after a recorded 2xx (that commit deletes the row). The {@code Idempotency-Key} header (the message id, unless
 * the template sets its own) lets a receiver drop the duplicate a crash between send and commit can cause.
 *
 * <p>Threads: one poller (platform thread) that wakes on every commit that wrote outbox rows and every
 * {@code pollInterval}; one virtual thread per message attempt; one thread that batches outcome submissions. One
 * dispatcher per store.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** Response bytes read from a webhook endpoint (the log keeps an excerpt only). */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;
    static final int EXCERPT_CHARS = 300;

    private final DeliveryConfig config;
    private final KilnRuntime runtime;
    private final Store store;
    private final Connections connections;
    private final OutboundPolicy policy;
    private final Secrets secrets;
    private final Clock clock;
    private final HttpClient http;
    private final HttpConnectedContent connectedContent;
    private final WebhookRenderer renderer;
    private final RetryPolicy retry;
    private final HostGate gate;
    private final RateLimits limits = new RateLimits();
    private final OutcomeBatcher outcomes;
    private final DeliveryMetrics metrics;

    private enum Phase { RUNNING, PARKED, COMMITTING }

    private static final class Active {
        volatile Phase phase;
        volatile Thread thread;

        Active(Phase phase) { this.phase = phase; }
    }

    /** Messages taken from the outbox and not yet released: running, parked, or waiting for their commit. */
    private final ConcurrentHashMap<String, Active> active = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    /** Message id → poll generation current when its outcome committed; see {@link #tick}. */
    private final ConcurrentHashMap<String, Long> finished = new ConcurrentHashMap<>();
    private final AtomicLong pollGeneration = new AtomicLong();
    /** Rows waiting for their campaign's rate limit, per campaign, in order. Poller thread only. */
    private final Map<String, ArrayDeque<OutboxRow>> rateWaiting = new HashMap<>();
    private final AtomicInteger rateWaitingCount = new AtomicInteger();
    private final Semaphore wakeups = new Semaphore(0);
    private final Thread poller;
    private volatile boolean closing;
    private long pollFailures;

    private Dispatcher(DeliveryConfig config, KilnRuntime runtime, Connections connections, OutboundPolicy policy,
                       MeterRegistry registry) {
        this.config = config;
        this.runtime = runtime;
        this.store = runtime.store();
        this.connections = connections;
        this.policy = policy;
        this.secrets = connections.secrets();
        this.clock = config.clock();
        this.http = Http.client(config.connectTimeout());
        this.connectedContent = new HttpConnectedContent(connections, policy, secrets, clock);
        this.renderer = new WebhookRenderer(connections, clock);
        this.retry = RetryPolicy.of(config);
        this.gate = HostGate.of(config);
        this.metrics = new DeliveryMetrics(registry, running::get, this::parked);
        this.outcomes = new OutcomeBatcher(runtime, config.submitBatch(), config.submitLinger(), metrics.commitFailures::increment);
        this.poller = new Thread(this::pollLoop, "kiln-delivery-poller");
        poller.setDaemon(true);
    }

    /**
     * Starts delivering {@code runtime}'s outbox. Close the dispatcher before the runtime: outcomes of messages
     * in flight are submitted to it while draining.
     */
    public static Dispatcher start(DeliveryConfig config, KilnRuntime runtime, Connections connections,
                                   OutboundPolicy policy, MeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(registry, "registry");
        Dispatcher d = new Dispatcher(config, runtime, connections, policy, registry);
        runtime.onOutbox(d::wake);
        d.poller.start();
        log.info("delivery started: {} {}", config, policy);
        return d;
    }

    /** Looks at the outbox now rather than at the next poll. Cheap; any thread. */
    public void wake() { wakeups.release(); }

    /** Messages being rendered, sent, or waiting for their outcome's commit. */
    public int inFlight() { return running.get(); }

    /** Messages held in memory for a paused host or a campaign's rate limit. */
    public int parked() { return gate.parked() + rateWaitingCount.get(); }

    /**
     * Stops taking messages, waits up to {@code drainTimeout} for those in flight to be sent and their outcomes
     * committed, then stops. Messages not finished (parked, or still in flight after the timeout) stay in the
     * outbox and are delivered after a restart.
     */
    @Override
    public void close() {
        if (closing) return;
        closing = true;
        runtime.onOutbox(null);
        wake();
        try {
            poller.join(Math.max(1000, config.pollInterval().toMillis() * 4));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (running.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = running.get();
        if (left > 0) {
            for (Active a : active.values()) {
                Thread t = a.thread;
                if (a.phase == Phase.RUNNING && t != null) t.interrupt();
            }
        }
        outcomes.close(config.drainTimeout());
        int dropped = gate.clear() + rateWaitingCount.getAndSet(0);
        rateWaiting.clear();
        log.info("delivery stopped: {} messages still in flight and {} parked stay in the outbox", left, dropped);
    }

    // ---- poller ------------------------------------------------------------------------------------

    /** Commits that write outbox rows can come by the hundred per second: reads are at least this far apart. */
    static final long MIN_POLL_GAP_MILLIS = 10;

    private void pollLoop() {
        while (!closing) {
            long started = System.nanoTime();
            long waitMillis = config.pollInterval().toMillis();
            try {
                waitMillis = Math.min(waitMillis, tick());
                pollFailures = 0;
            } catch (RuntimeException e) {
                // Once, then about once a minute while the store keeps failing.
                if (pollFailures++ % Math.max(1, 60_000 / Math.max(1, config.pollInterval().toMillis())) == 0)
                    log.warn("outbox poll failed ({} in a row); will retry: {}", pollFailures,
                            secrets.mask(e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
            try {
                if (wakeups.tryAcquire(Math.max(1, waitMillis), TimeUnit.MILLISECONDS)) {
                    long gap = MIN_POLL_GAP_MILLIS - (System.nanoTime() - started) / 1_000_000;
                    if (gap > 0 && !closing) Thread.sleep(gap);
                    wakeups.drainPermits();
                }
            } catch (InterruptedException e) {
                if (closing) return;
            }
        }
    }

    private int capacity() { return config.maxInFlight() - running.get(); }

    /**
     * One look at the outbox: restart parked rows that may go, then take new due rows. Returns how long until a
     * rate-limited row may go (the poller sleeps at most that long).
     *
     * <p>A row read by this poll may belong to a message whose outcome committed while the poll ran (the read
     * may predate the commit): every finish records the poll generation current at that moment, and a row is
     * skipped when its message finished at or after this poll's generation began.
     */
    private long tick() {
        long now = clock.millis();
        for (OutboxRow row : gate.ready(now, Math.max(0, capacity()))) {
            if (closing) return Long.MAX_VALUE;
            Active a = active.get(row.messageId());
            if (a == null) continue;
            a.phase = Phase.RUNNING;
            launch(row, a);
        }
        long nextToken = releaseRateLimited(now);
        if (capacity() <= 0 || closing) return nextToken;
        long generation = pollGeneration.incrementAndGet();
        finished.values().removeIf(g -> g < generation);
        int limit = config.batchSize() + active.size();
        List<OutboxRow> rows = store.dueOutbox(now, limit);
        // A full read means more rows are due: look again as soon as there is room (a finishing message wakes
        // the poller), instead of draining a backlog at one batch per poll interval.
        backlog = rows.size() >= limit;
        long oldest = -1;
        for (OutboxRow row : rows) {
            String id = row.messageId();
            if (active.containsKey(id)) continue;
            Long f = finished.get(id);
            if (f != null && f >= generation) continue;
            if (oldest < 0 || row.dueAt() < oldest) oldest = row.dueAt();
            if (capacity() <= 0 || closing) break;
            Integer perMinute = perMinute(row);
            if (perMinute != null) {
                ArrayDeque<OutboxRow> q = rateWaiting.get(row.campaignId());
                if ((q != null && !q.isEmpty()) || !limits.tryTake(row.campaignId(), perMinute, now)) {
                    if (parked() >= config.maxParked()) continue;
                    active.put(id, new Active(Phase.PARKED));
                    rateWaiting.computeIfAbsent(row.campaignId(), k -> new ArrayDeque<>()).add(row);
                    rateWaitingCount.incrementAndGet();
                    nextToken = Math.min(nextToken, Math.max(1, limits.millisUntilToken(row.campaignId(), perMinute, now)));
                    continue;
                }
            }
            Active a = new Active(Phase.RUNNING);
            active.put(id, a);
            launch(row, a);
        }
        metrics.lagMillis.set(oldest < 0 ? 0 : Math.max(0, now - oldest));
        if (backlog && capacity() > 0) nextToken = Math.min(nextToken, 1);
        return nextToken;
    }

    /** The last outbox read was full: more rows are due than one read takes. */
    private volatile boolean backlog;

    /** Starts rows whose campaign has tokens again; returns ms until the next token is due (or MAX_VALUE). */
    private long releaseRateLimited(long now) {
        long next = Long.MAX_VALUE;
        for (Iterator<Map.Entry<String, ArrayDeque<OutboxRow>>> it = rateWaiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<OutboxRow>> e = it.next();
            ArrayDeque<OutboxRow> q = e.getValue();
            Integer perMinute = q.isEmpty() ? null : perMinute(q.peek());
            while (!q.isEmpty() && capacity() > 0 && (perMinute == null || limits.tryTake(e.getKey(), perMinute, now))) {
                OutboxRow row = q.poll();
                rateWaitingCount.decrementAndGet();
                Active a = active.get(row.messageId());
                if (a == null) continue;
                a.phase = Phase.RUNNING;
                launch(row, a);
            }
            if (q.isEmpty()) it.remove();
            else if (perMinute != null) next = Math.min(next, Math.max(1, limits.millisUntilToken(e.getKey(), perMinute, now)));
        }
        return next;
    }

    private Integer perMinute(OutboxRow row) {
        if (row.campaignId() == null) return null;
        Campaign c = runtime.campaigns().get(row.campaignId());
        return c == null || c.perMinute() == null || c.perMinute() <= 0 ? null : c.perMinute();
    }

    private void launch(OutboxRow row, Active a) {
        running.incrementAndGet();
        Thread t = Thread.ofVirtual().name("kiln-delivery-" + row.messageId()).unstarted(() -> deliver(row, a));
        a.thread = t;
        t.start();
    }

    // ---- one message -------------------------------------------------------------------------------

    private void deliver(OutboxRow row, Active a) {
        Attempt result;
        try {
            result = attempt(row);
        } catch (InterruptedException e) {
            release(row, false);
            return;
        } catch (Error e) {
            release(row, false);
            throw e;
        } catch (RuntimeException e) {
            // A bug, not the endpoint's doing: count it as a transient failure so the message ends after
            // maxAttempts instead of being retried for ever.
            log.error("delivery of message {} failed unexpectedly", row.messageId(), e);
            long now = clock.millis();
            int attempt = row.attempts() + 1;
            result = new Attempt(retry.onTransient("internal error: " + e.getClass().getSimpleName(), attempt, row.createdAt(), now),
                    attempt, null, null, null, null, null);
        }
        if (result == FULL) {
            release(row, true); // not committed, but nothing to hurry for: the next poll looks again
            return;
        }
        if (result == PARKED) {
            // The gate may already have handed the row back to the poller, which relaunched it: then the
            // new thread owns the phase.
            if (a.thread == Thread.currentThread()) {
                a.phase = Phase.PARKED;
                a.thread = null;
            }
            running.decrementAndGet();
            return;
        }
        a.phase = Phase.COMMITTING;
        a.thread = null;
        Op op;
        try {
            op = op(row, result);
        } catch (RuntimeException e) {
            log.error("outcome of message {} could not be built; it stays in the outbox", row.messageId(), e);
            release(row, false);
            return;
        }
        outcomes.submit(op, committed -> release(row, committed));
    }

    /**
     * The message leaves the dispatcher's hands: its outcome committed, or it stays in the outbox for a later
     * poll ({@code committed} false: the poller is woken to look again at once).
     */
    private void release(OutboxRow row, boolean committed) {
        finished.put(row.messageId(), pollGeneration.get());
        active.remove(row.messageId());
        running.decrementAndGet();
        if (!committed || backlog) wake();
    }

    /** What one attempt came to (or {@link #PARKED}). */
    private record Attempt(RetryPolicy.Verdict verdict, int attempt, String method, String url, Integer status,
                           String excerpt, Snapshot snapshot) {}

    private static final Attempt PARKED = new Attempt(null, 0, null, null, null, null, null);
    /** The host is paused and the parking is full: the row is left in the outbox for a later poll. */
    private static final Attempt FULL = new Attempt(null, 0, null, null, null, null, null);

    /** The webhook a message renders, from the definitions in force now. */
    private record Definition(String slot, int version, Webhook webhook, boolean stopped) {}

    private Definition definition(OutboxRow row) {
        if (row.campaignId() != null) {
            Campaign c = runtime.campaigns().get(row.campaignId());
            if (c == null) return null;
            return new Definition("campaign:" + c.id(), c.version(), c.webhook(),
                    c.status() == Canvas.Status.STOPPED);
        }
        if (row.canvasId() == null) return null;
        Canvas cv = runtime.canvases().get(row.canvasId());
        if (cv == null || !(cv.step(row.stepId()) instanceof Step.WebhookStep w)) return null;
        return new Definition("canvas:" + cv.id() + ":" + w.id(), cv.version(), w.webhook(),
                cv.status() == Canvas.Status.STOPPED);
    }

    private Attempt attempt(OutboxRow row) throws InterruptedException {
        int attempt = row.attempts() + 1;
        Snapshot snapshot;
        try {
            snapshot = Snapshot.parse(row.snapshot());
        } catch (IllegalArgumentException e) {
            return end(Kind.FAILED, "snapshot unreadable", attempt, null, null);
        }
        Definition def = definition(row);
        if (def == null) return end(Kind.FAILED, "definition removed", attempt, null, snapshot);
        String method = def.webhook().method().toUpperCase(Locale.ROOT);
        if (def.stopped())
            return end(Kind.FAILED, (row.campaignId() != null ? "campaign" : "canvas") + " stopped", attempt, method, snapshot);
        WebhookRenderer.Compiled compiled;
        try {
            compiled = renderer.compiled(def.slot(), def.version(), def.webhook());
        } catch (TemplateException e) {
            return end(Kind.FAILED, "template error: " + e.getMessage(), attempt, method, snapshot);
        }
        boolean last = retry.lastAttempt(attempt, row.createdAt(), clock.millis());
        boolean reauthorized = false;
        while (true) {
            WebhookRenderer.Result rendered;
            long t0 = System.nanoTime();
            try {
                rendered = renderer.render(compiled, snapshot, connectedContent, last);
            } catch (RenderException | DeliveryException e) {
                boolean retryable = e instanceof RenderException r ? r.retryable() : ((DeliveryException) e).retryable();
                long now = clock.millis();
                RetryPolicy.Verdict v = retryable ? retry.onTransient(e.getMessage(), attempt, row.createdAt(), now)
                        : new RetryPolicy.Verdict(Kind.FAILED, 0, e.getMessage());
                return new Attempt(v, attempt, method, null, null, null, snapshot);
            } finally {
                metrics.render.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            }
            if (rendered instanceof WebhookRenderer.Result.Aborted ab)
                return end(Kind.ABORTED, ab.reason(), attempt, method, snapshot);
            WebhookRenderer.Result.Request request = (WebhookRenderer.Result.Request) rendered;
            URI uri;
            try {
                uri = new URI(request.url());
                if (uri.getHost() == null) throw new URISyntaxException(request.url(), "no host");
            } catch (URISyntaxException e) {
                return new Attempt(new RetryPolicy.Verdict(Kind.FAILED, 0, "the URL is not valid: " + secrets.maskUrl(request.url())),
                        attempt, request.method(), request.url(), null, null, snapshot);
            }
            try {
                policy.check(uri);
            } catch (OutboundDeniedException e) {
                return new Attempt(new RetryPolicy.Verdict(Kind.FAILED, 0, e.getMessage()), attempt, request.method(),
                        request.url(), null, null, snapshot);
            }
            HttpRequest httpRequest;
            try {
                httpRequest = build(uri, request, row.messageId());
            } catch (IllegalArgumentException e) {
                return new Attempt(new RetryPolicy.Verdict(Kind.FAILED, 0, "the request is not valid: " + secrets.mask(e.getMessage())),
                        attempt, request.method(), request.url(), null, null, snapshot);
            }
            HostGate.Permit permit = gate.enter(hostKey(uri), row, clock.millis(), config.maxParked(), rateWaitingCount.get());
            if (permit == null) return PARKED;
            if (permit == HostGate.FULL) return FULL;
            Http.Answer answer = null;
            Http.NetworkFailure failure = null;
            long s0 = System.nanoTime();
            try {
                metrics.requests.increment();
                answer = Http.exchange(http, httpRequest, MAX_RESPONSE_BYTES, config.requestTimeout());
            } catch (Http.NetworkFailure e) {
                failure = e;
            } finally {
                metrics.send.record(System.nanoTime() - s0, TimeUnit.NANOSECONDS);
                gate.done(permit, answer == null || answer.status() >= 500, clock.millis());
            }
            if (answer != null && answer.status() == 401 && !request.connections().isEmpty() && !reauthorized) {
                // The token may have been revoked or rotated before its expiry: fetch a new one, once.
                reauthorized = true;
                metrics.reauthorized.increment();
                for (String id : request.connections()) connections.invalidate(id);
                log.info("message {}: 401 from {}; connection token refreshed, sending again", row.messageId(), secrets.maskUrl(request.url()));
                continue;
            }
            long now = clock.millis();
            RetryPolicy.Verdict v = answer != null
                    ? retry.onResponse(answer.status(), answer.header("Retry-After"), attempt, row.createdAt(), now)
                    : retry.onTransient(failure.getMessage(), attempt, row.createdAt(), now);
            String excerpt = answer == null ? null : excerpt(answer.text());
            return new Attempt(v, attempt, request.method(), request.url(), answer == null ? null : answer.status(), excerpt, snapshot);
        }
    }

    private static Attempt end(Kind kind, String detail, int attempt, String method, Snapshot snapshot) {
        return new Attempt(new RetryPolicy.Verdict(kind, 0, detail), attempt, method, null, null, null, snapshot);
    }

    private HttpRequest build(URI uri, WebhookRenderer.Result.Request r, String messageId) {
        HttpRequest.Builder b = Http.request(uri).timeout(config.requestTimeout());
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            if (Http.restricted(h.getKey())) continue;
            b.setHeader(h.getKey(), h.getValue());
        }
        if (!WebhookRenderer.hasHeader(r.headers(), "Idempotency-Key")) b.setHeader("Idempotency-Key", messageId);
        if (!WebhookRenderer.hasHeader(r.headers(), "User-Agent")) b.setHeader("User-Agent", "Kiln-Webhook/1");
        b.method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(r.body()));
        return b.build();
    }

    static String hostKey(URI uri) {
        int port = uri.getPort();
        if (port < 0) port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    private String excerpt(String body) {
        if (body == null || body.isEmpty()) return null;
        String masked = secrets.mask(body);
        return masked.length() <= EXCERPT_CHARS ? masked : masked.substring(0, EXCERPT_CHARS) + "…";
    }

    /** The one op that records the attempt: the outcome input, the log row, and the outbox change. */
    private Op op(OutboxRow row, Attempt a) {
        RetryPolicy.Verdict v = a.verdict();
        long now = clock.millis();
        String detail = secrets.mask(v.detail());
        String url = a.url() == null ? null : secrets.maskUrl(a.url());
        Source source = row.campaignId() != null ? new Source(Source.Kind.CAMPAIGN, row.campaignId())
                : new Source(Source.Kind.CANVAS, row.canvasId() + ":" + row.stepId());
        Input.MessageOutcome outcome = new Input.MessageOutcome(row.messageId() + ".a" + a.attempt(), source, row.messageId(),
                row.campaignId(), row.canvasId(), row.stepId(), v.kind(), a.attempt(), a.status(), detail);
        String word = v.kind().name().toLowerCase(Locale.ROOT);
        String externalId = a.snapshot() == null ? null : a.snapshot().externalId();
        MessageLogRow logRow = new MessageLogRow(0, row.messageId(), row.userId(), externalId, row.campaignId(), row.canvasId(),
                row.stepId(), now, a.method(), url, a.status(), a.attempt(), word, detail, a.excerpt());
        OutboxRow next = v.kind() == Kind.RETRY
                ? new OutboxRow(row.messageId(), row.userId(), row.campaignId(), row.canvasId(), row.stepId(), row.version(),
                        row.createdAt(), v.dueAt(), a.attempt(), row.snapshot())
                : null;
        metrics.outcomes.get(v.kind()).increment();
        if (v.kind().terminal()) metrics.attempts.record(a.attempt());
        String where = url == null ? "" : url + " ";
        if (v.kind() == Kind.FAILED)
            log.info("message {} failed on attempt {}: {}{}", row.messageId(), a.attempt(), where, detail);
        else if (log.isDebugEnabled())
            log.debug("message {} {} on attempt {}: {}{}", row.messageId(), word, a.attempt(), where,
                    detail != null ? detail : a.status() != null ? "HTTP " + a.status() : "");
        return new Op.Apply(new Identifier.BrazeId(row.userId()), false, outcome, new Delivery(row.messageId(), logRow, next));
    }
}
