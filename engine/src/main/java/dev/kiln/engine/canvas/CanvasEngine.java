package dev.kiln.engine.canvas;

import dev.kiln.engine.Effect;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Input;
import dev.kiln.engine.Json;
import dev.kiln.engine.ReservedEvents;
import dev.kiln.engine.Source;
import dev.kiln.engine.Transition;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.CampaignSet;
import dev.kiln.engine.campaign.CampaignState;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Canvas interpreter around {@link Engine}: applies an outside input, then lets every Canvas react
 * (exception events, Action Paths, timers, entries), moving users through steps until they wait or
 * exit. Attribute changes made by User Update steps become follow-up inputs, applied after the current
 * transition completes, in order — which is how the seed's Canvas loops: +1, exit, the score changed,
 * enter again. A loop guard bounds the follow-ups one outside input may cause.
 *
 * <p>Pure: no I/O, clock or threads; the same user, input, {@code now} and Canvases give the same result.
 * The one port, {@link EntryGate}, holds the Canvas-wide entry limits.
 */
public final class CanvasEngine {
    public static final int DEFAULT_LOOP_GUARD = 100;
    /** Steps one user may pass through in one Canvas without waiting, before it counts as a loop. */
    private static final int MAX_HOPS = 1_000;
    static final String EVERYONE_ELSE = "Everyone Else";

    private final Engine engine;
    private final int loopGuard;

    public CanvasEngine(Engine engine, int loopGuard) {
        if (loopGuard < 1) throw new IllegalArgumentException("loop guard must be ≥ 1, was " + loopGuard);
        this.engine = engine;
        this.loopGuard = loopGuard;
    }

    public Engine engine() { return engine; }

    /** A follow-up: an attribute changed by a Canvas step, seen by triggers after the step completes. */
    private record Notice(String id, Happening.AttributeChange change, String originCanvas) {}

    /** Applies one outside input and everything it sets off. Rejected inputs change nothing. */
    public Transition process(UserState user, Input input, long now, CanvasSet canvases, EntryGate gate) {
        return process(user, input, now, canvases, CampaignSet.EMPTY, gate);
    }

    /**
     * Applies one outside input and everything it sets off, in Canvases and campaigns. Campaigns see the
     * same triggers as Canvas entry, outside inputs and follow-ups alike (a Canvas's +1 can hand a lead
     * off); a campaign is sent at most once per outside input.
     */
    public Transition process(UserState user, Input input, long now, CanvasSet canvases, CampaignSet campaigns, EntryGate gate) {
        Transition base = engine.apply(user, input, now);
        boolean messaging = input instanceof Input.MessageOutcome || input instanceof Input.TriggerCampaign;
        if (base.isRejected() || (canvases.isEmpty() && campaigns.isEmpty() && !messaging)) return base;
        if (input instanceof Input.Delete) return withTimersCancelled(user, base);
        Run run = new Run(user, now, canvases, campaigns, gate, input.id());
        run.effects.addAll(base.effects());
        switch (input) {
            case Input.TimerFired t -> run.fire(t);
            case Input.MessageOutcome o -> run.outcome(o);
            case Input.TriggerCampaign t -> run.triggerCampaign(t);
            default -> run.react(happenings(input, base.effects()), true, null);
        }
        int followUps = 0;
        Notice n;
        while ((n = run.queue.poll()) != null) {
            if (++followUps > loopGuard) {
                run.loopGuard(n.originCanvas());
                break;
            }
            run.react(List.of(n.change()), false, n.originCanvas());
        }
        return new Transition(run.effects, null);
    }

    private Transition withTimersCancelled(UserState user, Transition base) {
        List<Effect> effects = new ArrayList<>(base.effects());
        user.canvases().forEach((id, cs) -> { if (cs.waitUntil > 0) effects.add(new Effect.CancelTimer(id, cs.timerToken)); });
        return new Transition(effects, null);
    }

    private static List<Happening> happenings(Input input, List<Effect> effects) {
        List<Happening> out = new ArrayList<>();
        switch (input) {
            case Input.TrackEvent e -> out.add(e.name().equals(ReservedEvents.SESSION_START)
                    ? new Happening.Session() : new Happening.Event(e.name(), e.properties()));
            case Input.TrackPurchase p -> {
                Map<String, Object> props = new LinkedHashMap<>(p.properties());
                props.put("price", p.price());
                props.put("quantity", p.quantity());
                props.put("currency", p.currency());
                out.add(new Happening.Purchase(p.productId(), props));
            }
            case Input.EnterCanvas e -> out.add(new Happening.Api(e.canvasId(), e.entryProperties()));
            default -> { }
        }
        for (Effect e : effects)
            if (e instanceof Effect.AttributeChanged c) out.add(new Happening.AttributeChange(c.name(), c.oldValue(), c.newValue()));
        return out;
    }

    /** The state of one {@link #process} call. */
    private final class Run {
        final UserState user;
        final long now;
        final CanvasSet canvases;
        final CampaignSet campaigns;
        final EntryGate gate;
        /** Campaigns already considered for this outside input (made when first needed: most inputs meet none). */
        Set<String> campaignsTried;
        final String inputId;
        /** Sized for what one event through a Canvas typically makes (log events, statistics, timers). */
        final List<Effect> effects = new ArrayList<>(24);
        /** Follow-ups in order; most inputs have one or two. */
        final Deque<Notice> queue = new ArrayDeque<>(4);
        int seq;

        Run(UserState user, long now, CanvasSet canvases, CampaignSet campaigns, EntryGate gate, String inputId) {
            this.user = user;
            this.now = now;
            this.canvases = canvases;
            this.campaigns = campaigns;
            this.gate = gate;
            this.inputId = inputId;
        }

        void react(List<Happening> happenings, boolean outside, String origin) {
            List<String> moved = null; // Canvases entered or moved on in this reaction: few (made when first needed)
            // Users already in a Canvas: stale versions, exception events, Action Paths. Nothing below adds
            // or removes a Canvas state (entries come after this loop), so the map is walked as it is.
            for (var entry : user.canvases().entrySet()) {
                String id = entry.getKey();
                CanvasState cs = entry.getValue();
                if (!cs.inCanvas()) continue;
                Canvas canvas = current(id, cs);
                if (canvas == null) continue;
                for (Happening h : happenings)
                    for (Trigger t : canvas.exitOn())
                        if (Triggers.fires(t, h, now)) cs.exitPending = true;
                if (canvas.step(cs.step) instanceof Step.ActionPaths ap) {
                    for (Happening h : happenings) {
                        if (!cs.inCanvas() || !cs.step.equals(ap.id())) break;
                        int g = qualifying(ap, h);
                        if (g < 0) continue;
                        if (ap.ranked()) {
                            if (cs.rankedBest < 0 || g < cs.rankedBest) cs.rankedBest = g;
                        } else {
                            effects.add(new Effect.CancelTimer(id, cs.timerToken));
                            takeGroup(canvas, cs, ap, g);
                            (moved == null ? moved = new ArrayList<>(2) : moved).add(id);
                        }
                    }
                }
            }
            for (Happening h : happenings) {
                if (h instanceof Happening.Api api) {
                    Canvas c = canvases.get(api.canvasId());
                    if (c != null && c.active() && c.entry().apiTriggered()) tryEnter(c, outside, api.entryProperties());
                    continue;
                }
                if (h instanceof Happening.AttributeChange || h instanceof Happening.Event || h instanceof Happening.Session
                        || h instanceof Happening.Purchase || h instanceof Happening.WebhookSent) {
                    for (Canvas c : canvases.byId().values()) {
                        if ((moved != null && moved.contains(c.id())) || !c.active()) continue;
                        for (Trigger t : c.entry().triggers()) {
                            if (Triggers.fires(t, h, now)) {
                                if (tryEnter(c, outside, Map.of())) (moved == null ? moved = new ArrayList<>(2) : moved).add(c.id());
                                break;
                            }
                        }
                    }
                }
            }
            if (!campaigns.isEmpty()) {
                for (Happening h : happenings) {
                    if (h instanceof Happening.Api) continue;
                    for (Campaign c : campaigns.byId().values()) {
                        if (!c.active() || tried(c.id())) continue;
                        for (Trigger t : c.triggers()) {
                            if (Triggers.fires(t, h, now)) {
                                markTried(c.id());
                                tryCampaign(c, propertiesOf(h));
                                break;
                            }
                        }
                    }
                }
            }
        }

        boolean tried(String campaignId) { return campaignsTried != null && campaignsTried.contains(campaignId); }

        void markTried(String campaignId) {
            if (campaignsTried == null) campaignsTried = new HashSet<>(4);
            campaignsTried.add(campaignId);
        }

        static Map<String, Object> propertiesOf(Happening h) {
            return switch (h) {
                case Happening.Event e -> e.properties();
                case Happening.Purchase p -> p.properties();
                default -> Map.of();
            };
        }

        // ---- campaigns ----

        void triggerCampaign(Input.TriggerCampaign t) {
            Campaign c = campaigns.get(t.campaignId());
            if (c == null || !c.active()) return;
            if (t.scheduledRun() > 0) {
                if (user.createdAt() > t.scheduledRun()) return;             // not a user at the run's time
                CampaignState cs = user.campaigns().computeIfAbsent(c.id(), k -> new CampaignState());
                if (cs.lastRun >= t.scheduledRun()) return;                   // this run already considered them
                cs.lastRun = t.scheduledRun();
            }
            markTried(c.id());
            tryCampaign(c, t.triggerProperties());
        }

        /** Sends the campaign to the user if the audience and re-eligibility allow; one message in flight at most. */
        void tryCampaign(Campaign c, Map<String, Object> properties) {
            CampaignState cs = user.campaigns().get(c.id());
            if (cs != null && cs.pending != null) {
                cs.again = true;
                return;
            }
            if (cs != null && cs.sends > 0) {
                if (!c.reeligibility().allowed()) return;
                if (now - cs.lastSentAt < c.reeligibility().afterMillis()) return;
            }
            if (!c.audience().test(user, now)) return;
            if (cs == null) {
                cs = new CampaignState();
                user.campaigns().put(c.id(), cs);
            }
            String messageId = inputId + ".m" + (seq++);
            cs.pending = messageId;
            cs.again = false;
            effects.add(new Effect.SendWebhook(messageId, c.id(), null, c.version(), null, now, properties, Map.of()));
        }

        /** A webhook attempt's outcome: logged; a sent campaign applies its on_success updates. */
        void outcome(Input.MessageOutcome o) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("dispatch_id", o.messageId());
            if (o.campaignId() != null) data.put("campaign_id", o.campaignId());
            if (o.canvasId() != null) {
                data.put("canvas_id", o.canvasId());
                data.put("canvas_step_id", o.stepId());
            }
            data.put("attempt", o.attempt());
            if (o.statusCode() != null) data.put("status_code", o.statusCode());
            if (o.detail() != null) data.put(o.kind() == Input.MessageOutcome.Kind.ABORTED ? "abort_type" : "error", o.detail());
            effects.add(new Effect.LogEvent(inputId + ".o", o.kind().eventType(), now, data));
            boolean sent = o.kind() == Input.MessageOutcome.Kind.SENT;
            if (o.campaignId() == null) {
                if (sent) react(List.of(new Happening.WebhookSent(null)), true, null);
                return;
            }
            if (!o.kind().terminal()) return;
            CampaignState cs = user.campaigns().get(o.campaignId());
            if (cs == null || !o.messageId().equals(cs.pending)) return; // a stale or repeated outcome: seen once only
            cs.pending = null;
            Campaign c = campaigns.get(o.campaignId());
            if (o.kind() == Input.MessageOutcome.Kind.SENT) {
                cs.sends++;
                cs.lastSentAt = now;
                if (c != null && !c.onSuccess().isEmpty()) {
                    Source source = new Source(Source.Kind.CAMPAIGN, c.id() + ":v" + c.version());
                    Transition t = engine.applyOps(user, c.onSuccess(), inputId + ".s", source, now);
                    if (!t.isRejected()) {
                        effects.addAll(t.effects());
                        List<Happening> changes = new ArrayList<>();
                        for (Effect e : t.effects())
                            if (e instanceof Effect.AttributeChanged ch) changes.add(new Happening.AttributeChange(ch.name(), ch.oldValue(), ch.newValue()));
                        markTried(c.id()); // its own update does not trigger it again
                        react(changes, true, null);
                    }
                }
                cs.again = false; // a trigger while in flight is answered by this send (re-evaluated only after no send)
                markTried(o.campaignId());
                react(List.of(new Happening.WebhookSent(o.campaignId())), true, null);
                return;
            }
            if (cs.again) {
                cs.again = false;
                if (c != null && c.active() && !tried(c.id())) {
                    markTried(c.id());
                    tryCampaign(c, Map.of());
                }
            }
        }

        /** The Canvas for a user's position, migrating to its newest version or letting the user out. */
        Canvas current(String id, CanvasState cs) {
            Canvas canvas = canvases.get(id);
            if (canvas == null || canvas.status() == Canvas.Status.STOPPED) {
                exit(id, cs, canvas == null ? cs.version : canvas.version(), canvas == null ? "canvas_removed" : "canvas_stopped");
                return null;
            }
            if (canvas.version() != cs.version) {
                Step s = canvas.step(cs.step);
                if (s == null) {
                    exit(id, cs, cs.version, "step_removed");
                    return null;
                }
                cs.version = canvas.version();
            }
            return canvas;
        }

        int qualifying(Step.ActionPaths ap, Happening h) {
            for (int i = 0; i < ap.groups().size(); i++)
                for (Trigger t : ap.groups().get(i).triggers())
                    if (Triggers.fires(t, h, now)) return i;
            return -1;
        }

        void takeGroup(Canvas canvas, CanvasState cs, Step.ActionPaths ap, int g) {
            Step.ActionGroup group = ap.groups().get(g);
            stat(canvas, Effect.CanvasStat.Kind.GROUP, ap.id(), group.name());
            leaveStep(canvas, cs);
            if (group.exit()) exit(canvas.id(), cs, canvas.version(), "action_group_exit");
            else if (cs.exitPending) exit(canvas.id(), cs, canvas.version(), "exit_criteria");
            else advance(canvas, cs, group.next(), group.name());
        }

        boolean tryEnter(Canvas c, boolean outside, Map<String, Object> entryProperties) {
            CanvasState cs = user.canvases().get(c.id());
            if (cs != null && cs.inCanvas()) return false;                 // one position per Canvas
            if (cs != null && cs.entries > 0) {
                if (!c.entry().reentry().allowed()) return false;
                if (now - cs.lastEntryAt < c.entry().reentry().afterMillis()) return false;
                // At most one entry per user per Canvas per second from outside inputs; the Canvas's own
                // follow-ups may re-enter at once (the loop), bounded by the loop guard.
                if (outside && Math.floorDiv(cs.lastEntryAt, 1000) == Math.floorDiv(now, 1000)) return false;
            }
            if (!c.entry().audience().test(user, now)) return false;
            if (!gate.tryEnter(c, now)) return false;
            if (cs == null) {
                cs = new CanvasState();
                user.canvases().put(c.id(), cs);
            }
            cs.version = c.version();
            cs.entries++;
            cs.lastEntryAt = now;
            cs.enteredAt = now;
            cs.exitPending = false;
            if (cs.entryProperties != entryProperties) cs.entryProperties = entryProperties; // spares a long-lived state a store
            stat(c, Effect.CanvasStat.Kind.ENTERED, null, null);
            Map<String, Object> data = Json.fields("canvas_id", c.id(), "canvas_name", c.name(), "canvas_version", c.version(),
                    "canvas_step_id", c.start());
            effects.add(new Effect.LogEvent(inputId + ".c" + (seq++), "users.canvas.Entry", now, data));
            advance(c, cs, c.start(), null);
            return true;
        }

        /** Moves the user into {@code stepId} and on through steps that do not wait. */
        void advance(Canvas canvas, CanvasState cs, String stepId, String via) {
            for (int hops = 0; ; hops++) {
                if (stepId == null) {
                    exit(canvas.id(), cs, canvas.version(), "completed");
                    return;
                }
                if (hops >= MAX_HOPS) {
                    loopGuardIn(canvas, cs);
                    return;
                }
                Step step = canvas.step(stepId);
                cs.step = stepId;
                cs.stepEnteredAt = now;
                stat(canvas, Effect.CanvasStat.Kind.STEP_IN, stepId, null);
                switch (step) {
                    case Step.UserUpdate u -> {
                        Source source = new Source(Source.Kind.CANVAS, canvas.id() + ":v" + canvas.version() + ":" + u.id()
                                + (via == null ? "" : ":" + via));
                        Transition t = engine.applyOps(user, u.updates(), inputId + ".u" + (seq++), source, now);
                        if (!t.isRejected()) {
                            effects.addAll(t.effects());
                            for (Effect e : t.effects())
                                if (e instanceof Effect.AttributeChanged c)
                                    queue.add(new Notice(inputId, new Happening.AttributeChange(c.name(), c.oldValue(), c.newValue()), canvas.id()));
                        }
                        stepId = next(canvas, cs, u.next());
                        via = null;
                    }
                    case Step.AudiencePaths p -> {
                        String next = p.everyoneElseNext();
                        String label = EVERYONE_ELSE;
                        for (Step.AudienceGroup g : p.groups())
                            if (g.filter().test(user, now)) { next = g.next(); label = g.name(); break; }
                        stat(canvas, Effect.CanvasStat.Kind.GROUP, p.id(), label);
                        stepId = next(canvas, cs, next);
                        via = label;
                    }
                    case Step.DecisionSplit d -> {
                        boolean yes = d.filter().test(user, now);
                        stat(canvas, Effect.CanvasStat.Kind.GROUP, d.id(), yes ? "yes" : "no");
                        stepId = next(canvas, cs, yes ? d.yesNext() : d.noNext());
                        via = yes ? "yes" : "no";
                    }
                    case Step.WebhookStep w -> {
                        effects.add(new Effect.SendWebhook(inputId + ".m" + (seq++), null, canvas.id(), canvas.version(), w.id(),
                                now, Map.of(), cs.entryProperties));
                        stepId = next(canvas, cs, w.next());
                        via = null;
                    }
                    case Step.ActionPaths a -> {
                        wait(canvas, cs, now + a.windowMillis());
                        return;
                    }
                    case Step.Delay d -> {
                        wait(canvas, cs, delayEnd(d));
                        return;
                    }
                }
                if (!cs.inCanvas()) return; // left through exit criteria
            }
        }

        /** Leaves the current (non-waiting) step; an exception event takes the user out here. */
        private String next(Canvas canvas, CanvasState cs, String next) {
            leaveStep(canvas, cs);
            if (cs.exitPending) {
                exit(canvas.id(), cs, canvas.version(), "exit_criteria");
                return null;
            }
            return next;
        }

        void wait(Canvas canvas, CanvasState cs, long until) {
            cs.timerToken++;
            cs.waitUntil = until;
            cs.rankedBest = -1;
            effects.add(new Effect.SetTimer(canvas.id(), cs.timerToken, until));
        }

        long delayEnd(Step.Delay d) {
            if (d.durationMillis() != null) return now + d.durationMillis();
            ZoneId zone = ZoneOffset.UTC;
            try {
                if (d.zone() != null) zone = ZoneId.of(d.zone());
                else if (user.standard().get("time_zone") instanceof Value.Str tz) zone = ZoneId.of(tz.value());
            } catch (java.time.DateTimeException e) {
                zone = ZoneOffset.UTC; // an unknown user time zone falls back to UTC, as Braze falls back to the company zone
            }
            ZonedDateTime at = Instant.ofEpochMilli(now).atZone(zone);
            ZonedDateTime target = at.with(LocalTime.ofSecondOfDay(d.untilMinuteOfDay() * 60L));
            if (!target.isAfter(at)) target = target.plusDays(1);
            return target.toInstant().toEpochMilli();
        }

        void leaveStep(Canvas canvas, CanvasState cs) {
            if (cs.step != null) stat(canvas, Effect.CanvasStat.Kind.STEP_OUT, cs.step, null);
            cs.waitUntil = 0;
        }

        void exit(String canvasId, CanvasState cs, int version, String reason) {
            if (!cs.inCanvas()) return;
            if (cs.waitUntil > 0) {
                effects.add(new Effect.CancelTimer(canvasId, cs.timerToken));
                effects.add(new Effect.CanvasStat(canvasId, version, Effect.CanvasStat.Kind.STEP_OUT, cs.step, null, now));
            }
            String step = cs.step;
            cs.step = null;
            cs.waitUntil = 0;
            cs.rankedBest = -1;
            cs.exitPending = false;
            effects.add(new Effect.CanvasStat(canvasId, version, Effect.CanvasStat.Kind.EXITED, step, reason, now));
            Map<String, Object> data = Json.fields("canvas_id", canvasId, "canvas_version", version, "canvas_step_id", step,
                    "reason", reason);
            effects.add(new Effect.LogEvent(inputId + ".c" + (seq++), "users.canvas.Exit", now, data));
        }

        void loopGuard(String canvasId) {
            queue.clear();
            CanvasState cs = canvasId == null ? null : user.canvases().get(canvasId);
            Canvas canvas = canvasId == null ? null : canvases.get(canvasId);
            int version = canvas == null ? (cs == null ? 0 : cs.version) : canvas.version();
            effects.add(new Effect.CanvasStat(canvasId, version, Effect.CanvasStat.Kind.LOOP_GUARD, cs == null ? null : cs.step, null, now));
            if (cs != null) exit(canvasId, cs, version, "loop_guard");
        }

        private void loopGuardIn(Canvas canvas, CanvasState cs) {
            effects.add(new Effect.CanvasStat(canvas.id(), canvas.version(), Effect.CanvasStat.Kind.LOOP_GUARD, cs.step, null, now));
            cs.waitUntil = 0;
            exit(canvas.id(), cs, canvas.version(), "loop_guard");
        }

        void stat(Canvas c, Effect.CanvasStat.Kind kind, String step, String label) {
            effects.add(new Effect.CanvasStat(c.id(), c.version(), kind, step, label, now));
        }

        /** A wait is over: window end (Everyone Else or the best ranked group) or delay end. */
        void fire(Input.TimerFired t) {
            CanvasState cs = user.canvases().get(t.canvasId());
            if (cs == null || !cs.inCanvas() || cs.timerToken != t.token() || cs.waitUntil == 0) return; // stale
            Canvas canvas = current(t.canvasId(), cs);
            if (canvas == null) return;
            Step step = canvas.step(cs.step);
            switch (step) {
                case Step.ActionPaths ap -> {
                    if (ap.ranked() && cs.rankedBest >= 0) {
                        takeGroup(canvas, cs, ap, cs.rankedBest);
                    } else {
                        stat(canvas, Effect.CanvasStat.Kind.GROUP, ap.id(), EVERYONE_ELSE);
                        String next = next(canvas, cs, ap.everyoneElseNext());
                        if (cs.inCanvas()) advance(canvas, cs, next, EVERYONE_ELSE);
                    }
                }
                case Step.Delay d -> {
                    String next = next(canvas, cs, d.next());
                    if (cs.inCanvas()) advance(canvas, cs, next, null);
                }
                default -> { }
            }
        }
    }
}
