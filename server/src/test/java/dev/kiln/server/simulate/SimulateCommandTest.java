package dev.kiln.server.simulate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln simulate} end to end: a definitions directory, a hand-made events file, the printed report. */
class SimulateCommandTest {
    /** The seed's scoring Canvas (DESIGN.md §1 step 3), as examples/ has it. */
    static final String SEED_CANVAS = """
            id: lead-scoring
            name: Lead Scoring Canvas
            status: active
            entry:
              triggers:
                - custom_attribute_changed: { name: "lead score" }
                - email_added: {}
              reentry: { allowed: true, after: 0s }
              send_to: all_users
            start: score
            steps:
              score:
                type: action_paths
                window: 1d
                groups:
                  - name: plus one
                    triggers:
                      - session_started: {}
                      - custom_event: { name: webinar_registered }
                    next: add_1
                  - name: plus five
                    triggers:
                      - custom_event: { name: demo_requested }
                    next: add_5
                  - name: minus one
                    triggers:
                      - custom_event: { name: newsletter_unsubscribed }
                    next: subtract_1
                everyone_else: { next: decay }
              add_1:
                type: user_update
                updates: [ { attribute: "lead score", increment: 1 } ]
              add_5:
                type: user_update
                updates: [ { attribute: "lead score", increment: 5 } ]
              subtract_1:
                type: user_update
                updates: [ { attribute: "lead score", decrement: 1, floor: 0 } ]
              decay:
                type: user_update
                updates: [ { attribute: "lead score", decrement: 1, floor: 0 } ]
            """;

    /**
     * Four leads over four days (2026-03-02 is day 0). a: 0, then +1 and +5 at 09:10 → 6, then silent, so
     * Everyone Else takes a point at 09:10 on each later day. b: +1, −1 → 0, +1 on day 1 (inside the
     * window), decays back to 0 and stays. c: imported at 98, +5 → 103, decays. d: imported at 150.
     * Line 7 is not JSON; line 8's second event has no time.
     */
    static final String EVENTS = """
            {"time":"2026-03-02T09:00:00Z","attributes":[{"external_id":"a","email":"a@example.com","lead score":0},{"external_id":"b","lead score":0}]}
            {"time":"2026-03-02T09:10:00Z","events":[{"external_id":"a","name":"kiln.session_start","time":"2026-03-02T09:10:00Z"},{"external_id":"a","name":"demo_requested","time":"2026-03-02T09:10:00Z"}]}
            {"time":"2026-03-02T10:00:00Z","events":[{"external_id":"b","name":"webinar_registered","time":"2026-03-02T10:00:00Z"}]}
            {"time":"2026-03-02T11:00:00Z","events":[{"external_id":"b","name":"newsletter_unsubscribed","time":"2026-03-02T11:00:00Z"}]}
            {"time":"2026-03-02T12:00:00Z","attributes":[{"external_id":"c","lead score":98}]}
            {"time":"2026-03-02T12:30:00Z","attributes":[{"external_id":"d","lead score":150}]}
            {"events": [
            {"time":"2026-03-02T13:00:00Z","events":[{"external_id":"c","name":"demo_requested","time":"2026-03-02T13:00:00Z"},{"external_id":"c","name":"demo_requested"}]}
            {"events":[{"external_id":"b","name":"kiln.session_start","time":"2026-03-03T10:30:00Z"}]}
            """;

    @TempDir Path dir;
    Path definitions, events;

    record Run(int exit, String out, String err) {}

    @BeforeEach void files() throws IOException {
        definitions = Files.createDirectories(dir.resolve("definitions"));
        Files.createDirectories(definitions.resolve("canvases"));
        Files.writeString(definitions.resolve("canvases/lead-scoring.yaml"), SEED_CANVAS);
        events = Files.writeString(dir.resolve("events.jsonl"), EVENTS);
    }

    static Run simulate(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = new CommandLine(new SimulateCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run seed(String... extra) {
        List<String> args = new ArrayList<>(List.of("--definitions", definitions.toString(), "--events", events.toString(),
                "--to", "2026-03-05T12:00:00Z", "--threshold", "\"lead score\">100", "--print-users"));
        args.addAll(List.of(extra));
        return simulate(args.toArray(String[]::new));
    }

    /** The value printed on the report line that starts with {@code label} (after indentation). */
    static long count(String report, String label) {
        for (String line : report.split("\n")) {
            String t = line.strip();
            if (t.startsWith(label + " ")) return Long.parseLong(t.substring(t.lastIndexOf(' ') + 1));
        }
        throw new AssertionError("no line '" + label + "' in\n" + report);
    }

    @Test
    void seed_canvas_gives_the_exact_scores_including_daily_decay() {
        Run r = seed();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "  sim-1 external_id=a email=a@example.com  3\n",   // 6, then three days without a qualifying action
                "  sim-2 external_id=b  0\n",
                "  sim-3 external_id=c  101\n",
                "  sim-4 external_id=d  148\n");
        assertThat(count(r.out(), "Users")).isEqualTo(4);
    }

    @Test
    void everyone_else_decays_a_point_after_each_day_of_inactivity() {
        Run r = seed();
        assertThat(count(r.out(), "fired")).isEqualTo(9);           // a 3, b 2, c 2, d 2
        assertThat(count(r.out(), "pending at the end")).isEqualTo(3); // a, c, d wait; b at 0 left for good
        assertThat(count(r.out(), "Everyone Else")).isEqualTo(9);
        assertThat(count(r.out(), "decay")).isEqualTo(9);
        assertThat(count(r.out(), "plus one")).isEqualTo(3);
        assertThat(count(r.out(), "plus five")).isEqualTo(2);
        assertThat(count(r.out(), "minus one")).isEqualTo(1);
        assertThat(count(r.out(), "entries")).isEqualTo(18);
        assertThat(count(r.out(), "completed")).isEqualTo(15);
        assertThat(count(r.out(), "users in the Canvas at the end")).isEqualTo(3);
    }

    @Test
    void decay_stops_where_the_clock_stops_without_to() {
        Run r = simulate("--definitions", definitions.toString(), "--events", events.toString(), "--print-users");
        // The last line is at 2026-03-03T10:30: only a's first window (09:10) has ended by then.
        assertThat(r.out()).contains("  sim-1 external_id=a email=a@example.com  5\n", "  sim-3 external_id=c  103\n",
                "  sim-4 external_id=d  150\n");
        assertThat(count(r.out(), "fired")).isEqualTo(1);
    }

    @Test
    void threshold_counts_users_who_crossed_it_and_who_are_above_at_the_end() {
        Run r = seed();
        assertThat(r.out()).contains("Threshold \"lead score\" > 100");
        assertThat(count(r.out(), "crossed (false at first, true later)")).as("c went 98 → 103; d started above").isEqualTo(1);
        assertThat(count(r.out(), "satisfied it at some point")).isEqualTo(2);
        assertThat(count(r.out(), "satisfy it at the end")).isEqualTo(2);
    }

    @Test
    void bad_lines_and_objects_are_counted_not_fatal() {
        Run r = seed();
        assertThat(r.exit()).isZero();
        assertThat(count(r.out(), "read")).isEqualTo(9);
        assertThat(count(r.out(), "applied")).isEqualTo(8);
        assertThat(count(r.out(), "rejected")).isEqualTo(1);
        assertThat(r.out()).contains("invalid_json: Malformed JSON", "e.g. line 7:");
        assertThat(r.out()).contains("invalid_event: time is required", "e.g. line 8 events[1]:");
        assertThat(count(r.out(), "received")).isEqualTo(11);
    }

    @Test
    void the_same_inputs_print_the_same_report() {
        Run first = seed("--buckets", "5"), second = seed("--buckets", "5");
        assertThat(first.exit()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(first.out()).doesNotContain("wall clock");
        assertThat(first.err()).contains("events/s");
    }

    @Test
    void histogram_has_the_asked_buckets_between_min_and_max() {
        Run r = seed("--buckets", "4");
        assertThat(r.out()).contains(
                "  min 0  median 3  p90 148  max 148  mean 63\n",
                "    [0, 37)               2  ########################################\n",
                "    [37, 74)              0  \n",
                "    [74, 111)             1  ####################\n",
                "    [111, 148]            1  ####################\n");
    }

    @Test
    void lines_before_from_are_skipped_and_lines_behind_the_clock_counted() throws IOException {
        Files.writeString(events, """
                {"time":"2026-03-01T09:00:00Z","attributes":[{"external_id":"early","lead score":1}]}
                {"time":"2026-03-02T09:00:00Z","attributes":[{"external_id":"a","lead score":1}]}
                {"time":"2026-03-02T08:00:00Z","attributes":[{"external_id":"b","lead score":1}]}
                {"time":"2026-03-09T09:00:00Z","attributes":[{"external_id":"late","lead score":1}]}
                """);
        Run r = simulate("--definitions", definitions.toString(), "--events", events.toString(),
                "--from", "2026-03-02T00:00:00Z", "--to", "2026-03-03T00:00:00Z");
        assertThat(count(r.out(), "skipped before --from")).isEqualTo(1);
        assertThat(count(r.out(), "skipped after --to")).isEqualTo(1);
        assertThat(count(r.out(), "out of order (applied at the clock)")).isEqualTo(1);
        assertThat(count(r.out(), "Users")).isEqualTo(2);
    }

    @Test
    void identifiers_work_as_in_the_api() throws IOException {
        Files.writeString(events, """
                {"time":"2026-03-02T09:00:00Z","events":[{"email":"e@example.com","name":"demo_requested","time":"2026-03-02T09:00:00Z"}]}
                {"time":"2026-03-02T09:01:00Z","attributes":[{"user_alias":{"alias_name":"x","alias_label":"crm"},"_update_existing_only":false,"lead score":7}]}
                {"time":"2026-03-02T09:02:00Z","attributes":[{"email":"E@example.com","lead score":2}]}
                {"time":"2026-03-02T09:03:00Z","attributes":[{"braze_id":"sim-2","lead score":9},{"braze_id":"sim-99","lead score":1}]}
                {"time":"2026-03-02T09:04:00Z","attributes":[{"external_id":"z","lead score":{"inc":1}},{"external_id":"s","lead score":"high"}]}
                {"time":"2026-03-02T09:05:00Z","attributes":[{"external_id":"s","lead score":{"inc":1}}]}
                """);
        Run r = simulate("--definitions", definitions.toString(), "--events", events.toString(), "--print-users");
        assertThat(r.out()).contains(
                "  sim-1 email=E@example.com  2\n",        // created by the event, found again by email (any case)
                "  sim-2 alias=crm/x  9\n",                // braze_id names it
                "  sim-3 external_id=z  1\n",
                "  sim-4 external_id=s  high\n");
        assertThat(r.out()).contains("rejected: no user with braze_id \"…\"", "rejected: lead score: cannot increment a string attribute");
    }

    @Test
    void usage_errors_exit_with_2_and_say_why() {
        assertThat(simulate("--events", events.toString()).err()).contains("--definitions DIR is required");
        Run r = simulate("--definitions", definitions.toString(), "--events", events.toString(), "--threshold", "lead score");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--threshold must look like");
        assertThat(simulate("--definitions", definitions.toString(), "--events", dir.resolve("none").toString()).err())
                .contains("no such events file");
    }

    @Test
    void a_first_line_without_any_time_is_rejected_and_later_lines_take_the_clock() throws IOException {
        Files.writeString(events, """
                {"attributes":[{"external_id":"a","lead score":1}]}
                {"time":"2026-03-02T09:00:00Z","attributes":[{"external_id":"b","lead score":1}]}
                {"attributes":[{"external_id":"c","lead score":1}]}
                """);
        Run r = simulate("--definitions", definitions.toString(), "--events", events.toString());
        assertThat(r.out()).contains("missing_time: the first line applied needs a time");
        assertThat(count(r.out(), "applied")).isEqualTo(2);
        assertThat(count(r.out(), "Users")).isEqualTo(2);
    }

    @Test
    void draft_canvases_run_only_with_all_canvases() throws IOException {
        Files.writeString(definitions.resolve("canvases/lead-scoring.yaml"), SEED_CANVAS.replace("status: active", "status: draft"));
        assertThat(count(seed().out(), "fired")).isZero();
        assertThat(count(seed("--all-canvases").out(), "fired")).isEqualTo(9);
    }
}
