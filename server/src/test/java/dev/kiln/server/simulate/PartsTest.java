package dev.kiln.server.simulate;

import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulator's small parts: line splitting, thresholds, histograms, reasons. */
class PartsTest {

    @Test
    void lines_split_on_newlines_with_crlf_long_lines_and_no_final_newline() throws IOException {
        String longLine = "x".repeat(200_000);
        byte[] input = ("a\r\n\nb\n" + longLine + "\nlast").getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        try (LineReader r = new LineReader(new ByteArrayInputStream(input))) {
            byte[] b;
            while ((b = r.next()) != null) lines.add(new String(b, StandardCharsets.UTF_8));
        }
        assertThat(lines).containsExactly("a", "", "b", longLine, "last");
    }

    @Test
    void timers_come_due_in_due_then_set_order_across_lanes_and_the_heap() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        TimerQueue q = new TimerQueue();
        java.util.PriorityQueue<long[]> model = new java.util.PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long now = 1_000_000, seq = 0;
        List<long[]> polled = new ArrayList<>(), expected = new ArrayList<>();
        for (int round = 0; round < 2_000; round++) {
            for (int i = random.nextInt(20); i > 0; i--) {
                // A few fixed durations (lanes), more than the lanes allowed, and waits until a time of day.
                long due = switch (random.nextInt(3)) {
                    case 0 -> now + 60_000L * (1 + random.nextInt(3));
                    case 1 -> now + 1_000L * random.nextInt(200);
                    default -> (now / 86_400_000L + 1) * 86_400_000L + random.nextInt(3_600_000);
                };
                long key = random.nextLong();
                q.add(due, seq, (int) seq, key, now);
                model.add(new long[]{due, seq, seq, key});
                seq++;
            }
            now += random.nextInt(90_000);
            while (q.poll(now)) polled.add(new long[]{q.due, q.seq, q.user, q.key});
            while (!model.isEmpty() && model.peek()[0] <= now) expected.add(model.poll());
            assertThat(polled).as("round %d", round).hasSameSizeAs(expected);
        }
        for (int i = 0; i < expected.size(); i++) assertThat(polled.get(i)).as("timer %d", i).containsExactly(expected.get(i));
        assertThat(expected.size()).as("most came due").isGreaterThan(10_000);
    }

    @Test
    void thresholds_take_quoted_names_and_four_operators() {
        assertThat(Threshold.parse("\"lead score\">100")).isEqualTo(new Threshold("lead score", ">", 100));
        assertThat(Threshold.parse("score >= 2.5")).isEqualTo(new Threshold("score", ">=", 2.5));
        assertThat(Threshold.parse("\"lead score\"<-1").test(new Value.Num(-2))).isTrue();
        assertThat(Threshold.parse("x<=3").test(new Value.Num(3))).isTrue();
        assertThat(Threshold.parse("x<=3").test(new Value.Str("3"))).as("not a number").isFalse();
        assertThat(Threshold.parse("x<=3").test(null)).as("absent").isFalse();
        assertThatThrownBy(() -> Threshold.parse("lead score = 3")).hasMessageContaining("--threshold must look like");
    }

    @Test
    void histogram_buckets_are_equal_width_and_the_last_holds_max() {
        Distribution d = Distribution.of(new double[]{10, 0, 5, 9.99, 10}, 3, 2);
        assertThat(d.counts()).containsExactly(1, 4);
        assertThat(d.lower(1)).isEqualTo(5);
        assertThat(d.upper(1)).isEqualTo(10);
        assertThat(d.percentile(50)).isEqualTo(9.99);
        assertThat(d.percentile(90)).isEqualTo(10);
        assertThat(d.lacking()).isEqualTo(3);
        assertThat(Distribution.of(new double[]{4, 4}, 0, 20).counts()).as("one value, one bucket").containsExactly(2);
    }

    @Test
    void reasons_group_by_reason_without_the_values() {
        Reasons r = new Reasons();
        r.add("rejected", "no user with external_id \"u1\"", "line 1 events[0]");
        r.add("rejected", "no user with external_id \"u2\"", "line 2 events[0]");
        r.add("invalid_request", "Max Input Length Exceeded: events has 80 objects", "line 3");
        assertThat(r.top(5)).extracting(Reasons.Group::count, Reasons.Group::template, Reasons.Group::example).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, "no user with external_id \"…\"", "line 1 events[0]: no user with external_id \"u1\""),
                org.assertj.core.groups.Tuple.tuple(1L, "Max Input Length Exceeded: events has N objects", "line 3: Max Input Length Exceeded: events has 80 objects"));
    }

    @Test
    void numbers_print_without_locale_or_needless_fractions() {
        assertThat(Numbers.format(3)).isEqualTo("3");
        assertThat(Numbers.format(-0.5)).isEqualTo("-0.5");
        assertThat(Numbers.format(55.15)).isEqualTo("55.15");
        assertThat(Numbers.format(1.0 / 3)).isEqualTo("0.33");
    }
}
