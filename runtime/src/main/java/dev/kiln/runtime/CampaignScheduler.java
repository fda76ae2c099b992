package dev.kiln.runtime;

import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.campaign.Campaign;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs scheduled campaigns: when a run comes due (once at {@code at}, or every {@code every} after it),
 * every profile is offered the campaign through a {@link Input.TriggerCampaign} carrying the run's time;
 * the engine checks the audience and re-eligibility, skips profiles created after the run's time, and
 * remembers the run in each profile so a run repeated after a restart sends nothing twice. A run more
 * than {@code missedGrace} late (the server was down) is skipped and logged. The campaign's rate limit
 * spreads the sends (delivery enforces it).
 */
public final class CampaignScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CampaignScheduler.class);
    static final int BATCH = 500;

    private final KilnRuntime runtime;
    private final Duration checkEvery;
    private final Duration missedGrace;
    private final Set<String> done = new HashSet<>();
    private final Thread thread;
    private volatile boolean closed;

    public CampaignScheduler(KilnRuntime runtime, Duration checkEvery, Duration missedGrace) {
        this.runtime = runtime;
        this.checkEvery = checkEvery;
        this.missedGrace = missedGrace;
        this.thread = Thread.ofPlatform().daemon().name("kiln-campaign-scheduler").unstarted(this::loop);
    }

    public CampaignScheduler start() {
        thread.start();
        return this;
    }

    /** The latest run at or before {@code now}, or -1 when none is due yet. */
    static long latestRun(Campaign.Schedule s, long now) {
        if (now < s.startAt()) return -1;
        if (s.everyMillis() == null || s.everyMillis() <= 0) return s.startAt();
        return s.startAt() + (now - s.startAt()) / s.everyMillis() * s.everyMillis();
    }

    private void loop() {
        while (!closed) {
            try {
                checkOnce();
            } catch (RuntimeException e) {
                if (!closed) log.warn("scheduled campaigns: check failed; retrying at the next check", e);
            }
            try {
                Thread.sleep(checkEvery.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Starts every run that is due and not yet done by this process; returns how many ran. */
    int checkOnce() {
        long now = runtime.clock().millis();
        int ran = 0;
        for (Campaign c : runtime.campaigns().byId().values()) {
            if (!c.active() || c.schedule() == null) continue;
            long run = latestRun(c.schedule(), now);
            if (run < 0 || !done.add(c.id() + "@" + run)) continue;
            if (now - run > missedGrace.toMillis()) {
                log.warn("campaign {}: the scheduled run of {} was missed by {} s (more than {}); skipped",
                        c.id(), java.time.Instant.ofEpochMilli(run), (now - run) / 1000, missedGrace);
                continue;
            }
            run(c, run);
            ran++;
        }
        return ran;
    }

    private void run(Campaign c, long runAt) {
        log.info("campaign {}: scheduled run {} starting", c.id(), java.time.Instant.ofEpochMilli(runAt));
        Source source = new Source(Source.Kind.CAMPAIGN, c.id() + ":schedule");
        List<Op> batch = new ArrayList<>(BATCH);
        long[] offered = {0};
        runtime.scan(u -> {
            if (closed) return;
            batch.add(new Op.Apply(new Identifier.BrazeId(u.userId()), false,
                    new Input.TriggerCampaign("sched:" + c.id() + ":" + runAt + ":" + u.userId(), source, c.id(), Map.of(), runAt)));
            if (batch.size() >= BATCH) {
                offered[0] += flush(batch);
            }
        });
        offered[0] += flush(batch);
        log.info("campaign {}: scheduled run {} offered to {} profiles", c.id(), java.time.Instant.ofEpochMilli(runAt), offered[0]);
    }

    private int flush(List<Op> batch) {
        if (batch.isEmpty()) return 0;
        int n = batch.size();
        runtime.submit(List.copyOf(batch)).join();
        batch.clear();
        return n;
    }

    @Override public void close() {
        closed = true;
        thread.interrupt();
    }
}
