package dev.kiln.runtime;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.ReservedEvents;
import dev.kiln.engine.Source;
import dev.kiln.engine.Value;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.CanvasSet;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Filter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Canvas engine inside the runtime: timers as rows, ledger, statistics. */
class CanvasRuntimeTest {
    private static final long WINDOW = 2_000;
    private final FakeStore store = new FakeStore();
    private final MutableClock clock = new MutableClock(1_764_300_000_000L);
    private final KilnRuntime runtime = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock)
            .withTimerPollInterval(Duration.ofMillis(5)), store, new SimpleMeterRegistry());
    private int seq;

    static Canvas seed() {
        Entry entry = new Entry(List.of(new Trigger.AttributeChanged("lead score", null)), false, Filter.EVERYONE, List.of(),
                new Entry.Reentry(true, 0), Entry.Limits.NONE, Entry.SendTo.ALL_USERS);
        return new Canvas("seed", "seed", List.of(), 1, Canvas.Status.ACTIVE, entry, "score", Map.of(
                "score", new Step.ActionPaths("score", WINDOW, false, List.of(new Step.ActionGroup("plus one",
                        List.of(new Trigger.SessionStarted()), "add_1", false)), "decay"),
                "add_1", new Step.UserUpdate("add_1", List.of(new AttributeOp.Inc("lead score", 1)), null),
                "decay", new Step.UserUpdate("decay", List.of(new AttributeOp.Inc("lead score", -1, 0.0, null)), null)), List.of());
    }

    @AfterEach void close() { runtime.close(); }

    private void submit(Input input) throws Exception {
        assertThat(runtime.submit(List.of(new Op.Apply(new Identifier.ExternalId("lead"), true, input))).get(10, TimeUnit.SECONDS).get(0).ok()).isTrue();
    }

    private double score() {
        return ((Value.Num) runtime.find(new Identifier.ExternalId("lead")).orElseThrow().custom().get("lead score")).value();
    }

    @Test void waits_are_timer_rows_that_fire_once_when_due() throws Exception {
        runtime.canvases(CanvasSet.of(List.of(seed())));
        submit(new Input.UpdateAttributes("a" + seq++, Source.track("r"), List.of(new AttributeOp.Set("lead score", new Value.Num(3)))));
        assertThat(store.timers).hasSize(1);
        submit(new Input.TrackEvent("e" + seq++, Source.track("r"), ReservedEvents.SESSION_START, clock.millis(), null));
        assertThat(score()).isEqualTo(4);
        assertThat(store.timers).hasSize(1); // the first wait's row was replaced by the new wait's
        clock.advance(WINDOW);
        await().atMost(Duration.ofSeconds(5)).until(() -> score() == 3);
        assertThat(store.timers).hasSize(1); // decayed, re-entered, waiting again
        assertThat(store.ledgerRows).extracting(l -> l.source()).containsExactly(
                "users/track:r", "canvas:seed:v1:add_1:plus one", "canvas:seed:v1:decay:Everyone Else");
        var stats = store.canvasStats("seed");
        assertThat(stats).anyMatch(s -> s.metric().equals("entries") && s.bucket() == 0 && s.delta() == 3);
        assertThat(stats).anyMatch(s -> s.metric().equals("on_step") && s.key().equals("score") && s.delta() == 1);
        assertThat(stats).anyMatch(s -> s.metric().equals("group") && s.key().equals("score/Everyone Else") && s.bucket() == 0 && s.delta() == 1);
    }

    @Test void a_deleted_user_leaves_no_timer_behind() throws Exception {
        runtime.canvases(CanvasSet.of(List.of(seed())));
        submit(new Input.UpdateAttributes("a", Source.track("r"), List.of(new AttributeOp.Set("lead score", new Value.Num(3)))));
        submit(new Input.Delete("d", Source.api("delete")));
        assertThat(store.timers).isEmpty();
    }

    /** Leads lead-0 … lead-(n-1) get a lead score, so each enters the seed Canvas and waits with a timer. */
    private static void enterLeads(KilnRuntime runtime, int n) throws Exception {
        List<Op> ops = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++)
            ops.add(new Op.Apply(new Identifier.ExternalId("lead-" + i), true, new Input.UpdateAttributes("c" + i, Source.track("r"),
                    List.of(new AttributeOp.Set("lead score", new Value.Num(5))))));
        runtime.submit(ops).get(10, TimeUnit.SECONDS);
    }

    @Test void a_due_backlog_larger_than_the_timer_batch_fires_completely_and_each_timer_once() throws Exception {
        runtime.close();
        try (KilnRuntime small = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock).withTimerBatch(7)
                .withTimerPollInterval(Duration.ofHours(1)), store, new SimpleMeterRegistry())) {
            small.canvases(CanvasSet.of(List.of(seed())));
            enterLeads(small, 50);
            clock.advance(Duration.ofHours(1).toMillis() + WINDOW);
            // One poll is due (the interval is an hour): a full read keeps polling until the backlog is gone.
            await().atMost(Duration.ofSeconds(10)).until(() -> store.ledgerRows.stream()
                    .filter(l -> l.source().endsWith("Everyone Else")).count() == 50);
            assertThat(store.ledgerRows.stream().filter(l -> l.source().endsWith("Everyone Else")).map(l -> l.userId()).distinct())
                    .hasSize(50);
        }
    }

    @Test void a_backlog_due_at_rising_and_tied_times_fires_completely_and_each_timer_once() throws Exception {
        runtime.close();
        try (KilnRuntime small = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock).withTimerBatch(3)
                .withTimerPollInterval(Duration.ofHours(1)), store, new SimpleMeterRegistry())) {
            small.canvases(CanvasSet.of(List.of(seed())));
            // One lead per millisecond, some two at once: due times rise, with ties, across many polls of 3 (15 when idle).
            for (int i = 0; i < 80; i++) {
                small.submit(List.of(new Op.Apply(new Identifier.ExternalId("lead-" + i), true, new Input.UpdateAttributes("c" + i,
                        Source.track("r"), List.of(new AttributeOp.Set("lead score", new Value.Num(5))))))).get(10, TimeUnit.SECONDS);
                if (i % 3 != 1) clock.advance(1);
            }
            clock.advance(Duration.ofHours(1).toMillis() + WINDOW);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.ledgerRows.stream()
                    .filter(l -> l.source().endsWith("Everyone Else")).count() >= 80);
            assertThat(store.ledgerRows.stream().filter(l -> l.source().endsWith("Everyone Else")).map(l -> l.userId()))
                    .hasSize(80).doesNotHaveDuplicates();
            // Each decayed lead re-entered (its score changed) and waits again, with one timer.
            assertThat(store.timers.values()).hasSize(80).allMatch(t -> t.dueAt() == clock.millis() + WINDOW);
        }
    }

    @Test void a_profile_loaded_only_to_fire_a_timer_leaves_the_cache_once_committed_and_one_an_event_touched_stays() throws Exception {
        runtime.canvases(CanvasSet.of(List.of(seed())));
        enterLeads(runtime, 10);
        runtime.close();
        try (KilnRuntime cold = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock).withLanes(1)
                .withTimerPollInterval(Duration.ofMillis(5)), store, new SimpleMeterRegistry())) {
            cold.canvases(CanvasSet.of(List.of(seed())));
            java.util.function.Function<String, String> id = lead -> cold.find(new Identifier.ExternalId(lead)).orElseThrow().userId();
            String lead0 = id.apply("lead-0"), lead1 = id.apply("lead-1"), lead2 = id.apply("lead-2");
            store.loads.clear();
            clock.advance(WINDOW + 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.ledgerRows.stream()
                    .filter(l -> l.source().endsWith("Everyone Else")).count() == 10);
            assertThat(store.loads).containsEntry(lead0, 1).containsEntry(lead1, 1).containsEntry(lead2, 1);
            Input session = new Input.TrackEvent("s", Source.track("r"), ReservedEvents.SESSION_START, clock.millis(), null);
            // The timers' epoch is committed; the next epoch's end lets go of the profiles only the timers used.
            cold.submit(List.of(new Op.Apply(new Identifier.BrazeId(lead0), false, session))).get(10, TimeUnit.SECONDS);
            cold.submit(List.of(new Op.Apply(new Identifier.BrazeId(lead1), false, session))).get(10, TimeUnit.SECONDS);
            cold.submit(List.of(new Op.Apply(new Identifier.BrazeId(lead0), false, session))).get(10, TimeUnit.SECONDS);
            assertThat(store.loads.get(lead0)).as("touched by an event: cached").isEqualTo(1);
            assertThat(store.loads.get(lead1)).as("only its timer had loaded it: read again").isEqualTo(2);
            assertThat(store.loads.get(lead2)).as("untouched since its timer").isEqualTo(1);
        }
    }

    @Test void an_idle_runtime_fires_a_backlog_in_epochs_bigger_than_the_timer_batch() throws Exception {
        runtime.close();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KilnRuntime small = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock).withTimerBatch(7)
                .withTimerPollInterval(Duration.ofHours(1)), store, registry)) {
            small.canvases(CanvasSet.of(List.of(seed())));
            enterLeads(small, 100);
            double created = registry.get("kiln.timers.fired").counter().count();
            clock.advance(Duration.ofHours(1).toMillis() + WINDOW);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.ledgerRows.stream()
                    .filter(l -> l.source().endsWith("Everyone Else")).count() == 100);
            // No request waited: epochs took up to 5 x 7 timers, so 100 fired in fewer epochs than 100 / 7.
            long epochsWithTimers = registry.get("kiln.commit.batch.ops").summary().count() - 1; // minus the creating epoch
            assertThat(registry.get("kiln.timers.fired").counter().count() - created).isEqualTo(100);
            assertThat(epochsWithTimers).isGreaterThanOrEqualTo(100 / (7 * KilnRuntime.IDLE_TIMER_BATCH_FACTOR)).isLessThan(100 / 7);
        }
    }
}
