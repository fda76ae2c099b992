package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static dev.kiln.testkit.SeedLeads.attrs;
import static dev.kiln.testkit.SeedLeads.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3 acceptance, first bullet: the seed's scoring Canvas ({@code examples/canvases/lead-scoring.yaml},
 * its window cut from a day to 2 s) on a real server process over real HTTP. Leads enter when their
 * {@code lead score} changes or an email is added, wait in Action Paths, and each action moves the score as
 * the Canvas says (+1 session start or webinar, +5 demo, −1 unsubscribe); doing nothing takes −1 per
 * window down to 0; employees and customers never move; the Canvas loops; the ledger explains each point.
 *
 * <p>One server for the class; every test uses its own leads. Waits are Awaitility with generous limits:
 * nothing here asserts how long anything took, only that a decay never comes sooner than its window.
 */
class SeedScoringTest {
    private static final Duration WINDOW = Duration.ofSeconds(2);
    /** How long any one expected change may take to show, far beyond the 2 s window. */
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @TempDir static Path data;
    private static KilnProcess kiln;
    private static KilnClient client;
    private static SeedLeads seed;

    @BeforeAll
    static void startServer() {
        Path definitions = SeedLeads.definitions(data.resolve("definitions"), "2s");
        kiln = KilnProcess.builder(data.resolve("server")).definitions(definitions).start();
        client = kiln.client();
        seed = new SeedLeads(client);
    }

    @AfterAll
    static void stopServer() {
        if (client != null) client.close();
        ProcessLogs.keep(kiln, SeedScoringTest.class.getSimpleName());
        if (kiln != null) kiln.close();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void demo_session_webinar_and_unsubscribe_move_a_waiting_lead_by_plus_5_plus_1_plus_1_minus_1() {
        String lead = "actions-1";
        seed.lead(lead, 10);
        expectScore(lead, 10, "a lead created with a score");
        // Each action finds the lead waiting again: the update changes the score, the lead exits and
        // re-enters at once (a follow-up, not an outside input, so the per-second rule does not hold it).
        seed.event(lead, "demo_requested");
        expectScore(lead, 15, "demo_requested: plus five");
        seed.event(lead, "kiln.session_start");
        expectScore(lead, 16, "kiln.session_start: plus one");
        seed.event(lead, "webinar_registered");
        expectScore(lead, 17, "webinar_registered: plus one");
        seed.event(lead, "newsletter_unsubscribed");
        expectScore(lead, 16, "newsletter_unsubscribed: minus one");
        seed.event(lead, "demo_requested");
        expectScore(lead, 21, "a second demo_requested right after: plus five again");
        seed.event(lead, "some_other_event");
        expectScore(lead, 21, "an event no action group watches");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void an_added_email_enters_a_lead_without_a_score_and_its_first_session_counts_from_zero() {
        String lead = "email-1";
        seed.attributes(attrs(lead, "email", "email-1@example.com"));
        assertThat(seed.score(lead)).as("no score yet").isNull();
        seed.event(lead, "kiln.session_start");
        expectScore(lead, 1, "entered on email_added; a session start gives +1 from an absent score");
        seed.event(lead, "demo_requested");
        expectScore(lead, 6, "and it loops on from there");

        List<JsonNode> ledger = seed.ledger(lead);
        assertThat(describe(ledger)).as("ledger of %s, newest first", lead).containsExactly(
                "canvas lead-scoring add_5/plus five 1→6",
                "canvas lead-scoring add_1/plus one null→1");
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void employees_and_customers_never_move_whatever_they_do() {
        String employee = "employee-1", customer = "customer-1", emailEmployee = "employee-2", control = "control-1";
        seed.attributes(
                attrs(employee, "is_employee", true, "lead score", 5),
                attrs(customer, "lead_status", "Customer", "lead score", 5),
                attrs(emailEmployee, "is_employee", true, "email", "employee-2@example.com"),
                attrs(control, "lead score", 5));
        for (String name : List.of("kiln.session_start", "webinar_registered", "demo_requested", "newsletter_unsubscribed"))
            for (String user : List.of(employee, customer, emailEmployee, control)) seed.event(user, name);

        expectScore(control, 11, "the control lead got the same events: 5 +1 +1 +5 −1");
        // More than two windows: no action path and no decay for those outside the audience.
        await().during(WINDOW.multipliedBy(5).dividedBy(2)).atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(seed.score(employee)).as("employee's score").isEqualTo(5);
            assertThat(seed.score(customer)).as("customer's score").isEqualTo(5);
            assertThat(seed.score(emailEmployee)).as("score of an employee whose email was added").isNull();
        });
        assertThat(describe(seed.ledger(employee))).as("employee's ledger").containsExactly("users/track null→5");
        assertThat(describe(seed.ledger(customer))).as("customer's ledger").containsExactly("users/track null→5");
        assertThat(seed.ledger(emailEmployee)).as("ledger of an employee whose email was added").isEmpty();
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void without_actions_everyone_else_takes_one_point_per_window_down_to_the_floor_0_and_then_stops() {
        String lead = "idle-1";
        seed.lead(lead, 2);
        expectScoreSoon(lead, 1, "first Everyone Else decay");
        expectScoreSoon(lead, 0, "second decay: the lead re-entered and waited again");
        // At 0 the next window's decay changes nothing (floor 0): no change, no re-entry, nothing more.
        int rows = seed.ledger(lead).size();
        await().during(WINDOW.multipliedBy(5).dividedBy(2)).atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(seed.score(lead)).as("score at the floor").isEqualTo(0);
            assertThat(seed.ledger(lead)).as("ledger rows once at the floor").hasSize(rows);
        });

        List<JsonNode> ledger = seed.ledger(lead);
        assertThat(describe(ledger)).as("ledger of %s, newest first", lead).containsExactly(
                "canvas lead-scoring decay/Everyone Else 1→0",
                "canvas lead-scoring decay/Everyone Else 2→1",
                "users/track null→2");
        assertSpacedByWindow(ledger);
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void the_canvas_loops_entries_grow_and_waiting_leads_sit_on_step_score() {
        List<String> leads = List.of("loop-1", "loop-2", "loop-3");
        JsonNode before = seed.stats();
        seed.attributes(leads.stream().map(id -> attrs(id, "lead score", 20)).toList());
        JsonNode entered = seed.stats();
        assertThat(SeedLeads.entries(entered)).as("entries after 3 leads got a score; before: %s, now: %s", before, entered)
                .isGreaterThanOrEqualTo(SeedLeads.entries(before) + 3);
        assertThat(SeedLeads.onScore(entered)).as("leads waiting on step score: %s", entered).isGreaterThanOrEqualTo(3);

        // Two decays each: the second needs the re-entry that the first one's change caused.
        await().atMost(PATIENCE.multipliedBy(2)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(seed.scores(leads).values()).as("scores of %s", leads).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(18)));
        JsonNode after = seed.stats();
        String context = "stats before " + before + ", after two windows " + after;
        assertThat(SeedLeads.entries(after)).as(context).isGreaterThanOrEqualTo(SeedLeads.entries(entered) + 6);
        assertThat(SeedLeads.everyoneElse(after)).as(context).isGreaterThanOrEqualTo(SeedLeads.everyoneElse(before) + 6);
        assertThat(SeedLeads.exits(after, "completed")).as(context).isGreaterThanOrEqualTo(SeedLeads.exits(before, "completed") + 6);
        assertThat(SeedLeads.onScore(after)).as(context).isGreaterThanOrEqualTo(3);
        assertThat(after.path("loop_guard_hits").asLong()).as(context).isZero();
        assertThat(after.path("exits").path("loop_guard").asLong()).as(context).isZero();
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void the_ledger_explains_each_point_newest_first_with_source_step_action_group_and_delta() {
        String lead = "ledger-1";
        seed.lead(lead, 4);
        seed.event(lead, "demo_requested");
        seed.event(lead, "kiln.session_start");
        seed.event(lead, "webinar_registered");
        seed.event(lead, "newsletter_unsubscribed");
        expectScore(lead, 10, "4 +5 +1 +1 −1");
        expectScoreSoon(lead, 9, "Everyone Else after a window without actions");

        List<JsonNode> ledger = seed.ledger(lead);
        Integer score = seed.score(lead);
        assertThat(describe(ledger)).as("ledger of %s, newest first", lead).containsExactly(
                "canvas lead-scoring decay/Everyone Else 10→9",
                "canvas lead-scoring subtract_1/minus one 11→10",
                "canvas lead-scoring add_1/plus one 10→11",
                "canvas lead-scoring add_1/plus one 9→10",
                "canvas lead-scoring add_5/plus five 4→9",
                "users/track null→4");
        assertThat(ledger.stream().mapToDouble(SeedLeads::delta).sum()).as("deltas of %s sum to the score %s", ledger, score)
                .isEqualTo(score.doubleValue());
        assertThat(ledger.stream().map(r -> r.path("delta").isNull() ? null : r.path("delta").asInt()).toList())
                .as("deltas, newest first").containsExactly(-1, -1, 1, 1, 5, null);
        for (int i = 0; i < ledger.size(); i++) {
            JsonNode row = ledger.get(i);
            if (i + 1 < ledger.size()) {
                assertThat(row.path("old_value")).as("row %d's old value is the next older row's new value: %s", i, ledger)
                        .isEqualTo(ledger.get(i + 1).path("new_value"));
                assertThat(SeedLeads.time(row)).as("newest first: %s", ledger).isAfterOrEqualTo(SeedLeads.time(ledger.get(i + 1)));
            }
            JsonNode source = row.path("source");
            if (source.path("type").asText().equals("canvas")) {
                assertThat(source.path("canvas_id").asText()).isEqualTo("lead-scoring");
                assertThat(source.path("version").asInt()).as("Canvas version in %s", row).isEqualTo(1);
            } else {
                assertThat(source.path("type").asText()).isEqualTo("users/track");
                assertThat(source.path("request_id").asText()).as("users/track request id in %s", row).isNotBlank();
            }
        }
        assertThat(SeedLeads.time(ledger.get(0))).as("the decay comes a window after the last action: %s", ledger)
                .isAfterOrEqualTo(SeedLeads.time(ledger.get(1)).plus(WINDOW));
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The score right after the 201: the Canvas's reaction commits with the request that caused it. */
    private static void expectScore(String lead, int expected, String what) {
        Integer actual = seed.score(lead);
        if (actual == null || actual != expected)
            throw new AssertionError(what + ": expected " + lead + "'s lead score " + expected + " right after the request, was " + actual
                    + "; ledger " + describe(seed.ledger(lead)) + "; server log ends with:\n" + kiln.logTail(30));
    }

    /** The score a timer will bring. */
    private static void expectScoreSoon(String lead, int expected, String what) {
        Supplier<String> context = () -> what + ": " + lead + "'s ledger " + describe(seed.ledger(lead)) + "; server log ends with:\n" + kiln.logTail(30);
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> Integer.valueOf(expected).equals(seed.score(lead)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("expected lead score " + expected + " within " + PATIENCE + ", was " + seed.score(lead) + "; " + context.get(), e);
        }
    }

    /** Consecutive decays (and the first after the row before it) are at least a window apart. */
    static void assertSpacedByWindow(List<JsonNode> newestFirst) {
        for (int i = 0; i + 1 < newestFirst.size(); i++) {
            JsonNode row = newestFirst.get(i);
            if (!"decay".equals(SeedLeads.step(row))) continue;
            assertThat(SeedLeads.time(row)).as("decay %s comes at least a window after the change before it; ledger %s", describe(row), newestFirst)
                    .isAfterOrEqualTo(SeedLeads.time(newestFirst.get(i + 1)).plus(WINDOW));
        }
    }
}
