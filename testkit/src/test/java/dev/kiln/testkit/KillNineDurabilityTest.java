package dev.kiln.testkit;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 2 acceptance: {@code kill -9} of a real server process while clients send batches, then a
 * restart on the same data. Every batch that got a 201 is fully present (attributes, event counters,
 * event log rows); a batch without an answer is wholly present or wholly absent; nothing is applied
 * twice. Three kill/restart cycles on the same data, each checked from the SQLite file while the
 * server is dead and through the export API after the restart.
 */
class KillNineDurabilityTest {
    private static final int CYCLES = 3;
    private static final int THREADS = 4;
    /** Load runs until this many 201s (so there is something to lose), then for a random while longer. */
    private static final int MIN_ACKED_PER_CYCLE = 20;

    @TempDir Path data;
    private KilnProcess started;

    @AfterEach
    void keepServerLog() { ProcessLogs.keep(started, getClass().getSimpleName()); }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void batches_acknowledged_before_kill_9_survive_restart_and_none_is_applied_twice() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Ledger ledger = new Ledger(seed);
        Set<Integer> presentBefore = Set.of();
        // The rate limit is raised so that every answer is about durability, not throttling.
        try (KilnProcess kiln = started = KilnProcess.builder(data).args("--rate-limit", "1000000/1s").start()) {
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                try (KilnClient client = kiln.client()) {
                    TrackLoad load = TrackLoad.start(ledger, client.withTimeout(Duration.ofSeconds(20)), THREADS);
                    long loadStart = System.nanoTime();
                    awaitAcked(kiln, ledger, load, seed);
                    long loadMillis = 1_000 + random.nextInt(1_000);
                    long left = loadMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStart);
                    if (left > 0) Thread.sleep(left); // load duration only; nothing is asserted about time
                    kiln.kill9();
                    load.stop();
                }
                String context = "cycle " + cycle + ", seed " + seed + ", outcomes so far " + ledger.counts()
                        + "; server log " + kiln.logFile() + " ends with:\n" + kiln.logTail(30);

                DurabilityCheck.Verdict fromLog = DurabilityCheck.fromEventLog(ledger, kiln.databaseFile());
                kiln.restart();
                DurabilityCheck.Verdict fromExport;
                try (KilnClient client = kiln.client()) {
                    fromExport = DurabilityCheck.fromExport(ledger, client);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + " after restart (seed " + seed + "); server log ends with:\n" + kiln.logTail(60), e);
                }

                List<String> violations = new ArrayList<>(fromLog.violations());
                violations.addAll(fromExport.violations());
                violations.addAll(DurabilityCheck.compare(fromLog, fromExport, presentBefore));
                ledger.outcomes().values().stream()
                        .filter(o -> o.kind() == Ledger.Kind.TIMEOUT || (o.kind() == Ledger.Kind.STATUS && o.status() != 503))
                        .forEach(o -> violations.add("batch " + o.batch() + " got " + o.kind() + " " + o.status() + " " + o.detail()));
                assertThat(violations).as(context).isEmpty();
                assertThat(fromExport.present()).as("acknowledged batches must be present; " + context)
                        .hasSizeGreaterThanOrEqualTo((int) ledger.acked());
                System.out.printf("cycle %d (seed %d): outcomes %s, %d batches present%n", cycle, seed, ledger.counts(), fromExport.present().size());
                presentBefore = fromExport.present();
            }
        }
    }

    private static void awaitAcked(KilnProcess kiln, Ledger ledger, TrackLoad load, long seed) {
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acked() >= MIN_ACKED_PER_CYCLE);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("fewer than " + MIN_ACKED_PER_CYCLE + " batches acknowledged (seed " + seed + ", outcomes "
                    + ledger.counts() + ", last " + ledger.outcomes().lastEntry() + "); server log ends with:\n" + kiln.logTail(40), e);
        }
    }
}
