package dev.kiln.runtime;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.CampaignSet;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A scheduled campaign's run through the real runtime: one outbox message per profile in the audience, once. */
class CampaignSchedulerRunTest {
    private static final long T0 = 1_764_300_000_000L;
    private final FakeStore store = new FakeStore();
    private final MutableClock clock = new MutableClock(T0);
    private final KilnRuntime runtime = KilnRuntime.start(RuntimeConfig.defaults().withClock(clock), store, new SimpleMeterRegistry());

    @AfterEach void close() { runtime.close(); }

    @Test void a_due_run_reaches_every_profile_in_the_audience_once_and_a_repeat_reaches_no_one() throws Exception {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 30; i++)
            ops.add(new Op.Apply(new Identifier.ExternalId("lead-" + i), true, new Input.UpdateAttributes("c" + i, Source.track("r"),
                    List.of(new AttributeOp.Set("tier", new Value.Str(i % 3 == 0 ? "gold" : "basic"))))));
        runtime.submit(ops).get(10, TimeUnit.SECONDS);
        Filter gold = new Filter.Attribute("tier", new Condition.Str(Condition.Str.Op.EQUALS, "gold"));
        runtime.campaigns(CampaignSet.of(List.of(new Campaign("weekly", "weekly", List.of(), 1, Canvas.Status.ACTIVE, List.of(), false,
                new Campaign.Schedule(T0 + 60_000, 7 * 86_400_000L), gold, List.of(), new Entry.Reentry(true, 0), null,
                new Webhook("https://example.com/{{${user_id}}}", "POST", Map.of(), "{}", Map.of()), List.of()))));
        CampaignScheduler scheduler = new CampaignScheduler(runtime, Duration.ofHours(1), Duration.ofHours(24));
        assertThat(scheduler.checkOnce()).as("not due yet").isZero();
        clock.advance(61_000);
        assertThat(scheduler.checkOnce()).isEqualTo(1);
        assertThat(store.outbox.values()).hasSize(10).allSatisfy(o -> assertThat(o.campaignId()).isEqualTo("weekly"));
        assertThat(scheduler.checkOnce()).as("the same run, same process").isZero();
        // A new process (after a restart) repeats the run: the profiles remember it, nothing new is made.
        CampaignScheduler restarted = new CampaignScheduler(runtime, Duration.ofHours(1), Duration.ofHours(24));
        assertThat(restarted.checkOnce()).isEqualTo(1);
        assertThat(store.outbox.values()).hasSize(10);
    }

    @Test void a_run_missed_by_more_than_the_grace_is_skipped() {
        runtime.campaigns(CampaignSet.of(List.of(new Campaign("once", "once", List.of(), 1, Canvas.Status.ACTIVE, List.of(), false,
                new Campaign.Schedule(T0 - 2 * 86_400_000L, null), Filter.EVERYONE, List.of(), Entry.Reentry.NEVER, null,
                new Webhook("https://example.com/", "POST", Map.of(), "{}", Map.of()), List.of()))));
        assertThat(new CampaignScheduler(runtime, Duration.ofHours(1), Duration.ofHours(24)).checkOnce()).isZero();
    }
}
