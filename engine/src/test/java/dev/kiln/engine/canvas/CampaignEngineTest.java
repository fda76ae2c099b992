package dev.kiln.engine.canvas;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Effect;
import dev.kiln.engine.Engine;
import dev.kiln.engine.EngineConfig;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Transition;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.CampaignSet;
import dev.kiln.engine.campaign.CampaignState;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.filter.Condition;
import dev.kiln.engine.filter.Filter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Webhook campaigns and the Canvas webhook step in the engine: when a message is made, and what its outcome does. */
class CampaignEngineTest {
    static final long T0 = Harness.T0;
    static final Webhook HOOK = new Webhook("https://sf.example/Lead/{{${user_id}}}", "PATCH", Map.of(), "{}", Map.of());

    final CanvasEngine engine = new CanvasEngine(new Engine(EngineConfig.DEFAULT), CanvasEngine.DEFAULT_LOOP_GUARD);
    final UserState user = new UserState("u1", T0);
    final List<Effect> effects = new ArrayList<>();
    CanvasSet canvases = CanvasSet.EMPTY;
    CampaignSet campaigns = CampaignSet.of(List.of(mql(new Entry.Reentry(false, 0))));
    long now = T0;
    int seq;

    CampaignEngineTest() { user.externalId("lead-1"); }

    /** The seed's handoff: any change of lead score, audience lead_status none of MQL, on_success sets MQL. */
    static Campaign mql(Entry.Reentry reeligibility) {
        Filter audience = new Filter.None(List.of(new Filter.Attribute("lead_status", new Condition.Str(Condition.Str.Op.EQUALS, "MQL"))));
        return new Campaign("mql", "MQL handoff", List.of(), 3, Canvas.Status.ACTIVE,
                List.of(new Trigger.AttributeChanged("lead score", null)), false, null, audience, List.of(), reeligibility,
                null, HOOK, List.of(new AttributeOp.Set("lead_status", new Value.Str("MQL"))));
    }

    Transition send(Input in) {
        Transition t = engine.process(user, in, now, canvases, campaigns, EntryGate.UNLIMITED);
        effects.addAll(t.effects());
        return t;
    }

    Transition score(double v) {
        return send(new Input.UpdateAttributes("i" + (seq++), Source.track("r"), List.of(new AttributeOp.Set("lead score", new Value.Num(v)))));
    }

    Transition outcome(String messageId, Input.MessageOutcome.Kind kind) {
        return send(new Input.MessageOutcome("o" + (seq++), new Source(Source.Kind.CAMPAIGN, "mql"), messageId, "mql", null, null,
                kind, 1, kind == Input.MessageOutcome.Kind.SENT ? 204 : null, null));
    }

    static List<Effect.SendWebhook> sends(Transition t) {
        return t.effects().stream().filter(e -> e instanceof Effect.SendWebhook).map(e -> (Effect.SendWebhook) e).toList();
    }

    CampaignState state() { return user.campaigns().get("mql"); }

    @Test void a_score_change_makes_one_message_with_the_campaign_version_and_remembers_it_in_flight() {
        var sent = sends(score(120));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).campaignId()).isEqualTo("mql");
        assertThat(sent.get(0).version()).isEqualTo(3);
        assertThat(sent.get(0).canvasId()).isNull();
        assertThat(state().pending).isEqualTo(sent.get(0).messageId());
    }

    @Test void message_ids_are_deterministic_for_the_same_input() {
        String first = sends(score(120)).get(0).messageId();
        UserState other = new UserState("u1", T0);
        Transition again = engine.process(other, new Input.UpdateAttributes("i0", Source.track("r"),
                List.of(new AttributeOp.Set("lead score", new Value.Num(120)))), T0, canvases, campaigns, EntryGate.UNLIMITED);
        assertThat(sends(again).get(0).messageId()).isEqualTo(first);
    }

    @Test void a_trigger_while_a_message_is_in_flight_makes_no_second_message() {
        score(99);
        assertThat(sends(score(101))).isEmpty();
        assertThat(state().again).isTrue();
    }

    @Test void an_aborted_message_is_not_a_receipt_and_a_pending_trigger_is_re_evaluated_with_the_current_profile() {
        String first = sends(score(99)).get(0).messageId();
        score(101);                                  // remembered while the first is in flight
        Transition t = outcome(first, Input.MessageOutcome.Kind.ABORTED);
        var again = sends(t);
        assertThat(again).hasSize(1);
        assertThat(again.get(0).messageId()).isNotEqualTo(first);
        assertThat(state().sends).isZero();
        assertThat(state().pending).isEqualTo(again.get(0).messageId());
        assertThat(t.effects()).anyMatch(e -> e instanceof Effect.LogEvent l && l.type().equals("users.messages.webhook.Abort"));
    }

    @Test void an_aborted_message_without_a_later_trigger_ends_quietly() {
        String first = sends(score(50)).get(0).messageId();
        assertThat(sends(outcome(first, Input.MessageOutcome.Kind.ABORTED))).isEmpty();
        assertThat(state().pending).isNull();
        assertThat(sends(score(51))).hasSize(1);      // not received, so still eligible
    }

    @Test void a_sent_message_applies_on_success_and_the_lead_is_handed_off_once() {
        String id = sends(score(120)).get(0).messageId();
        Transition t = outcome(id, Input.MessageOutcome.Kind.SENT);
        assertThat(user.custom().get("lead_status")).isEqualTo(new Value.Str("MQL"));
        assertThat(t.effects()).anyMatch(e -> e instanceof Effect.AttributeChanged c && c.name().equals("lead_status")
                && c.source().label().equals("campaign:mql:v3"));
        assertThat(t.effects()).anyMatch(e -> e instanceof Effect.LogEvent l && l.type().equals("users.messages.webhook.Send"));
        assertThat(state().sends).isEqualTo(1);
        assertThat(state().lastSentAt).isEqualTo(now);
        assertThat(sends(score(130))).isEmpty();
        assertThat(sends(score(140))).isEmpty();
    }

    @Test void a_repeated_or_stale_outcome_changes_nothing() {
        String id = sends(score(120)).get(0).messageId();
        outcome(id, Input.MessageOutcome.Kind.SENT);
        user.custom().remove("lead_status");
        outcome(id, Input.MessageOutcome.Kind.SENT);  // delivered twice (at least once): applied once
        assertThat(state().sends).isEqualTo(1);
        assertThat(user.custom()).doesNotContainKey("lead_status");
    }

    @Test void a_retry_keeps_the_message_in_flight() {
        String id = sends(score(120)).get(0).messageId();
        Transition t = outcome(id, Input.MessageOutcome.Kind.RETRY);
        assertThat(state().pending).isEqualTo(id);
        assertThat(t.effects()).anyMatch(e -> e instanceof Effect.LogEvent l && l.type().equals("users.messages.webhook.Retry"));
    }

    @Test void re_eligibility_lets_a_user_receive_again_only_after_the_window() {
        campaigns = CampaignSet.of(List.of(new Campaign("mql", "x", List.of(), 1, Canvas.Status.ACTIVE,
                List.of(new Trigger.AttributeChanged("lead score", null)), false, null, Filter.EVERYONE, List.of(),
                new Entry.Reentry(true, 60_000), null, HOOK, List.of())));
        String id = sends(score(1)).get(0).messageId();
        outcome(id, Input.MessageOutcome.Kind.SENT);
        now += 59_000;
        assertThat(sends(score(2))).isEmpty();
        now += 1_000;
        assertThat(sends(score(3))).hasSize(1);
    }

    @Test void the_audience_is_checked_when_the_campaign_triggers() {
        send(new Input.UpdateAttributes("x", Source.track("r"), List.of(new AttributeOp.Set("lead_status", new Value.Str("MQL")))));
        assertThat(sends(score(150))).isEmpty();
        assertThat(user.campaigns()).doesNotContainKey("mql");
    }

    @Test void draft_and_stopped_campaigns_send_nothing() {
        campaigns = CampaignSet.of(List.of(mql(Entry.Reentry.NEVER).withStatus(Canvas.Status.STOPPED)));
        assertThat(sends(score(150))).isEmpty();
        campaigns = CampaignSet.of(List.of(mql(Entry.Reentry.NEVER).withStatus(Canvas.Status.DRAFT)));
        assertThat(sends(score(151))).isEmpty();
    }

    @Test void a_canvas_user_update_triggers_the_campaign_in_the_same_transition() {
        canvases = CanvasSet.of(List.of(Harness.seed()));
        score(100);                                    // enters the Canvas; the campaign makes a message (abort later)
        String first = state().pending;
        outcome(first, Input.MessageOutcome.Kind.ABORTED);
        Transition t = send(new Input.TrackEvent("e1", Source.track("r"), "demo_requested", now, Map.of()));
        assertThat(user.custom().get("lead score")).isEqualTo(new Value.Num(105));
        assertThat(sends(t)).hasSize(1);
    }

    @Test void one_outside_input_sends_a_campaign_at_most_once() {
        Transition t = send(new Input.UpdateAttributes("i", Source.track("r"), List.of(
                new AttributeOp.Set("lead score", new Value.Num(1)), new AttributeOp.Set("email", new Value.Str("a@b.c")))));
        assertThat(sends(t)).hasSize(1);
    }

    @Test void an_api_trigger_sends_an_api_triggered_campaign_with_its_properties() {
        campaigns = CampaignSet.of(List.of(new Campaign("api", "x", List.of(), 1, Canvas.Status.ACTIVE, List.of(), true, null,
                Filter.EVERYONE, List.of(), Entry.Reentry.NEVER, null, HOOK, List.of())));
        Transition t = send(new Input.TriggerCampaign("a1", Source.api("campaigns/trigger/send"), "api", Map.of("reason", "demo")));
        assertThat(sends(t)).singleElement().satisfies(s -> assertThat(s.eventProperties()).containsEntry("reason", "demo"));
        assertThat(sends(send(new Input.TriggerCampaign("a2", Source.api("x"), "nope", Map.of())))).isEmpty();
    }

    @Test void a_canvas_webhook_step_sends_and_moves_on_and_its_outcome_does_not_exit_the_user() {
        Step.WebhookStep hook = new Step.WebhookStep("hook", HOOK, "wait");
        Step.Delay wait = new Step.Delay("wait", 60_000L, null, null, null);
        Entry entry = new Entry(List.of(new Trigger.CustomEvent("go", List.of())), false, Filter.EVERYONE, List.of(),
                Entry.Reentry.NEVER, Entry.Limits.NONE, Entry.SendTo.ALL_USERS);
        canvases = CanvasSet.of(List.of(new Canvas("c", "c", List.of(), 2, Canvas.Status.ACTIVE, entry, "hook",
                Map.of("hook", hook, "wait", wait), List.of())));
        campaigns = CampaignSet.EMPTY;
        Transition t = send(new Input.TrackEvent("e", Source.track("r"), "go", now, Map.of()));
        var s = sends(t);
        assertThat(s).singleElement().satisfies(m -> {
            assertThat(m.canvasId()).isEqualTo("c");
            assertThat(m.stepId()).isEqualTo("hook");
            assertThat(m.version()).isEqualTo(2);
            assertThat(m.campaignId()).isNull();
        });
        assertThat(user.canvases().get("c").step).isEqualTo("wait");
        send(new Input.MessageOutcome("o", new Source(Source.Kind.CANVAS, "c:hook"), s.get(0).messageId(), null, "c", "hook",
                Input.MessageOutcome.Kind.ABORTED, 1, null, "not at threshold"));
        assertThat(user.canvases().get("c").step).isEqualTo("wait");
    }

    @Test void a_scheduled_run_reaches_a_user_once_and_only_users_who_existed_at_its_time() {
        campaigns = CampaignSet.of(List.of(new Campaign("weekly", "x", List.of(), 1, Canvas.Status.ACTIVE, List.of(), false,
                new Campaign.Schedule(T0, 7 * 86_400_000L), Filter.EVERYONE, List.of(), new Entry.Reentry(true, 0), null, HOOK, List.of())));
        long run = T0 + 1000;
        Input.TriggerCampaign first = new Input.TriggerCampaign("s1", Source.api("schedule"), "weekly", Map.of(), run);
        assertThat(sends(send(first))).hasSize(1);
        outcome(state("weekly").pending, "weekly");
        assertThat(sends(send(new Input.TriggerCampaign("s1-again", Source.api("schedule"), "weekly", Map.of(), run))))
                .as("the same run repeated after a restart").isEmpty();
        assertThat(sends(send(new Input.TriggerCampaign("s2", Source.api("schedule"), "weekly", Map.of(), run + 7 * 86_400_000L))))
                .as("the next run").hasSize(1);
        UserState late = new UserState("u2", run + 1);
        Transition t = engine.process(late, new Input.TriggerCampaign("s3", Source.api("schedule"), "weekly", Map.of(), run),
                run + 5, canvases, campaigns, EntryGate.UNLIMITED);
        assertThat(sends(t)).as("a profile created after the run's time").isEmpty();
    }

    CampaignState state(String id) { return user.campaigns().get(id); }

    void outcome(String messageId, String campaignId) {
        send(new Input.MessageOutcome("o" + (seq++), new Source(Source.Kind.CAMPAIGN, campaignId), messageId, campaignId, null, null,
                Input.MessageOutcome.Kind.SENT, 1, 200, null));
    }

    @Test void a_sent_webhook_is_an_action_that_action_paths_and_entries_see() {
        Entry entry = new Entry(List.of(new Trigger.WebhookSent("mql")), false, Filter.EVERYONE, List.of(),
                Entry.Reentry.NEVER, Entry.Limits.NONE, Entry.SendTo.ALL_USERS);
        Step.UserUpdate thank = new Step.UserUpdate("thank", List.of(new AttributeOp.Set("handed_off", new Value.Bool(true))), null);
        canvases = CanvasSet.of(List.of(new Canvas("after", "after", List.of(), 1, Canvas.Status.ACTIVE, entry, "thank",
                Map.of("thank", thank), List.of())));
        String aborted = sends(score(50)).get(0).messageId();
        outcome(aborted, Input.MessageOutcome.Kind.ABORTED);
        assertThat(user.custom()).doesNotContainKey("handed_off");     // an abort is not a receipt
        String id = sends(score(120)).get(0).messageId();
        outcome(id, Input.MessageOutcome.Kind.SENT);
        assertThat(user.custom().get("handed_off")).isEqualTo(new Value.Bool(true));
    }
}
