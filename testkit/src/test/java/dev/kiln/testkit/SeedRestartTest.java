package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.kiln.testkit.SeedLeads.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3 acceptance, second bullet: the server stops (SIGTERM, or {@code kill -9}) while 20 leads wait
 * in the seed Canvas's Action Paths (window cut to 3 s) and stays down past the window's end. After the
 * restart each lead's Everyone Else fires once, at once (score 5 → 4: one decay row, not one per missed
 * window, not two), and the loop goes on (4 → 3 a window later). No step runs twice: the decay rows of
 * each lead form one chain, each at least a window after the change before it, and the Canvas's stats
 * agree with the ledgers (one entry per decay plus the first, one completed exit and one Everyone Else
 * per decay, every lead on step {@code score}).
 */
class SeedRestartTest {
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int LEADS = 20;
    private static final int START_SCORE = 5;

    @TempDir Path data;
    private KilnProcess started;

    @AfterEach
    void keepServerLog(org.junit.jupiter.api.TestInfo info) {
        ProcessLogs.keep(started, getClass().getSimpleName() + "-" + info.getTestMethod().map(m -> m.getName()).orElse("test"));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void after_sigterm_mid_window_everyone_else_fires_once_on_restart_and_the_loop_goes_on() throws Exception {
        restartMidWindow(false);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void after_kill_9_mid_window_everyone_else_fires_once_on_restart_and_the_loop_goes_on() throws Exception {
        restartMidWindow(true);
    }

    private void restartMidWindow(boolean kill9) throws Exception {
        String how = kill9 ? "kill -9" : "SIGTERM";
        Path definitions = SeedLeads.definitions(data.resolve("definitions"), "3s");
        List<String> leads = IntStream.range(0, LEADS).mapToObj(i -> (kill9 ? "k9-" : "term-") + i).toList();
        try (KilnProcess kiln = started = KilnProcess.builder(data.resolve("server")).definitions(definitions).start()) {
            Instant entered;
            try (KilnClient client = kiln.client()) {
                SeedLeads seed = new SeedLeads(client);
                seed.attributes(leads.stream().map(id -> SeedLeads.attrs(id, SeedLeads.SCORE, START_SCORE)).toList());
                entered = SeedLeads.time(seed.ledger(leads.getLast()).getLast()); // the users/track row: entry time
                JsonNode stats = seed.stats();
                assertThat(SeedLeads.onScore(stats)).as("all leads wait in Action Paths: %s", stats).isEqualTo(LEADS);
                assertThat(seed.scores(leads).values()).as("no decay yet").containsOnly(START_SCORE);
                // Mid-window, by construction: a test that got here too late says so rather than testing nothing.
                assertThat(Instant.now()).as("still inside the first window when stopping (entered %s)", entered)
                        .isBefore(entered.plus(WINDOW).minusMillis(500));
            }

            if (kill9) {
                kiln.kill9();
            } else {
                assertThat(kiln.sigterm()).as("a drained server exits 0; log:\n%s", kiln.logTail(30)).isZero();
            }
            // Stay down past the window's end (pacing only; the restart takes a while more).
            long left = Duration.between(Instant.now(), entered.plus(WINDOW).plusMillis(500)).toMillis();
            if (left > 0) Thread.sleep(left);
            Instant restarting = Instant.now();
            kiln.restart();
            Instant healthy = Instant.now();

            try (KilnClient client = kiln.client()) {
                SeedLeads seed = new SeedLeads(client);
                String context = how + " mid-window, restarted at " + restarting;

                awaitScores(kiln, seed, leads, START_SCORE - 1, context + ": the overdue Everyone Else fires on start");
                Map<String, List<JsonNode>> first = ledgers(seed, leads);
                for (String lead : leads) {
                    List<JsonNode> rows = first.get(lead);
                    // On a loaded machine reading every ledger may take longer than a window, so a lead read last
                    // may already show the next window's decay: the oldest two rows are the missed window's one
                    // decay, and any later row must be a decay a whole window after the one before it.
                    assertThat(rows).as("%s: %s's ledger %s", context, lead, describe(rows)).hasSizeGreaterThanOrEqualTo(2);
                    assertThat(describe(rows.subList(rows.size() - 2, rows.size())))
                            .as("%s: %s's oldest ledger rows once its score is 4 (one decay for the missed window, not two)%s",
                            context, lead, logTail(kiln)).containsExactly(
                            "canvas lead-scoring decay/Everyone Else 5→4",
                            "users/track null→5");
                    assertDecayChain(context, lead, rows, START_SCORE - (rows.size() - 1), kiln);
                    JsonNode missed = rows.get(rows.size() - 2);
                    assertThat(SeedLeads.time(missed)).as("%s: %s's decay comes after the restart, not before the stop", context, lead)
                            .isAfterOrEqualTo(restarting.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
                    // Overdue: it fires on start, not a whole new window after it.
                    assertThat(SeedLeads.time(missed)).as("%s: %s's overdue decay fires on start (server healthy at %s), not a window later",
                            context, lead, healthy).isBefore(healthy.plus(WINDOW));
                }

                awaitScores(kiln, seed, leads, START_SCORE - 2, context + ": the loop goes on, a window after the restart's decay");
                Map<String, List<JsonNode>> later = ledgers(seed, leads);
                Map<String, Integer> scores = seed.scores(leads);
                for (String lead : leads) assertDecayChain(context, lead, later.get(lead), scores.get(lead), kiln);

                assertStatsAgreeWithLedgers(kiln, seed, leads, context);
            }
        }
    }

    /** The decays of one lead: one chain 5→4→3…, one row per window, each a window after the change before it. */
    private static void assertDecayChain(String context, String lead, List<JsonNode> newestFirst, Integer score, KilnProcess kiln) {
        String what = context + ": " + lead + "'s ledger " + describe(newestFirst) + logTail(kiln);
        assertThat(newestFirst.getLast().path("source").path("type").asText()).as(what).isEqualTo("users/track");
        List<JsonNode> decays = newestFirst.subList(0, newestFirst.size() - 1);
        assertThat(decays).as(what).allSatisfy(r -> assertThat(describe(r)).startsWith("canvas lead-scoring decay/Everyone Else "));
        assertThat(decays).as("one decay row per fired window: " + what).hasSize(START_SCORE - score);
        List<String> expected = new ArrayList<>();
        for (int s = score; s < START_SCORE; s++) expected.add("canvas lead-scoring decay/Everyone Else " + (s + 1) + "→" + s);
        expected.add("users/track null→" + START_SCORE);
        assertThat(describe(newestFirst)).as(what).containsExactlyElementsOf(expected);
        for (int i = 0; i + 1 < newestFirst.size(); i++)
            assertThat(SeedLeads.time(newestFirst.get(i))).as("each decay at least a window (%s) after the change before it: %s", WINDOW, what)
                    .isAfterOrEqualTo(SeedLeads.time(newestFirst.get(i + 1)).plus(WINDOW));
    }

    /**
     * A quiet moment's stats against the ledgers: every decay re-entered its lead (entries = leads + decays),
     * each decay is one Everyone Else and one completed exit, every lead waits on {@code score}.
     */
    private static void assertStatsAgreeWithLedgers(KilnProcess kiln, SeedLeads seed, List<String> leads, String context) {
        Map<String, Object> last = new LinkedHashMap<>();
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                long before = decays(ledgers(seed, leads));
                JsonNode stats = seed.stats();
                long after = decays(ledgers(seed, leads));
                last.put("decays", before + ".." + after);
                last.put("stats", stats);
                assertThat(after).as("no decay while reading").isEqualTo(before);
                assertThat(SeedLeads.entries(stats)).as("entries = leads + decays").isEqualTo(LEADS + after);
                assertThat(SeedLeads.everyoneElse(stats)).as("Everyone Else = decays").isEqualTo(after);
                assertThat(SeedLeads.exits(stats, "completed")).as("completed exits = decays").isEqualTo(after);
                assertThat(stats.path("exits").size()).as("no other exit reason: %s", stats.path("exits")).isEqualTo(1);
                assertThat(SeedLeads.onScore(stats)).as("every lead waits on step score").isEqualTo(LEADS);
                assertThat(stats.path("on_step").size()).as("no lead on another step: %s", stats.path("on_step")).isEqualTo(1);
                assertThat(stats.path("loop_guard_hits").asLong()).isZero();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(context + ": stats disagree with the ledgers; last look " + last + logTail(kiln), e);
        }
    }

    private static long decays(Map<String, List<JsonNode>> ledgers) {
        return ledgers.values().stream().flatMap(List::stream).filter(r -> "decay".equals(SeedLeads.step(r))).count();
    }

    private static Map<String, List<JsonNode>> ledgers(SeedLeads seed, List<String> leads) {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        for (String lead : leads) out.put(lead, seed.ledger(lead));
        return out;
    }

    private static void awaitScores(KilnProcess kiln, SeedLeads seed, List<String> leads, int expected, String what) {
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                    .until(() -> seed.scores(leads).values().stream().allMatch(s -> s != null && s == expected));
        } catch (ConditionTimeoutException e) {
            Map<String, Integer> scores = seed.scores(leads);
            String lead = scores.entrySet().stream().filter(en -> en.getValue() == null || en.getValue() != expected)
                    .map(Map.Entry::getKey).findFirst().orElse(leads.getFirst());
            throw new AssertionError(what + ": expected every lead at " + expected + " within " + PATIENCE + ", scores " + scores
                    + "; " + lead + "'s ledger " + describe(seed.ledger(lead)) + "; stats " + seed.stats() + logTail(kiln), e);
        }
    }

    private static String logTail(KilnProcess kiln) { return "; server log ends with:\n" + kiln.logTail(40); }
}
