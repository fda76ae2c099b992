package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Filter;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code campaigns/*.yaml}: a webhook campaign — {@code id}, {@code name}, {@code tags}, {@code status},
 * {@code channel}, {@code delivery}, {@code audience}, {@code reeligibility}, {@code rate_limit},
 * {@code webhook} and {@code on_success} (see {@code docs/campaigns.md}). Triggers, audience, re-eligibility
 * and user updates are read by the Canvas parsers; {@link #resolve} folds the audience's segments in and
 * checks the connections the templates name.
 */
final class CampaignKind implements DocumentKind<Campaign> {
    static final List<String> KEYS = List.of("id", "name", "tags", "status", "channel", "delivery", "audience",
            "reeligibility", "rate_limit", "webhook", "on_success");
    static final List<String> CHANNELS = List.of("webhook");
    static final List<String> DELIVERY_TYPES = List.of("action_based", "api_triggered", "scheduled");
    static final String API_IN_TRIGGERS = "api_triggered is a delivery type of its own: write delivery: { type: api_triggered } without triggers";

    @Override public String folder() { return "campaigns"; }

    @Override public String singular() { return "campaign"; }

    /** How the campaign is delivered: exactly one of the three is in use. */
    private record Delivery(List<Trigger> triggers, boolean apiTriggered, Campaign.Schedule schedule) {}

    @Override public Campaign parse(JsonNode document, ProblemSink problems) {
        CountingSink sink = new CountingSink(problems);
        Cursor root = Cursor.root(document, sink);
        if (!root.isMapping()) {
            root.problem("expected a mapping with id, name, channel, delivery and webhook, got " + root.describe());
            return null;
        }
        Documents.refuseUnknownKeys(root, KEYS);
        Optional<String> id = Documents.id(root);
        Optional<String> name = Documents.name(root);
        List<String> tags = CanvasKind.tags(root.field("tags"));
        Canvas.Status status = CanvasKind.status(root.field("status"));
        channel(root.field("channel"));
        Delivery delivery = delivery(root.field("delivery"));
        Cursor audienceAt = root.field("audience");
        List<String> segmentIds = new ArrayList<>();
        Filter audience = audienceAt.present() ? EntryParser.audience(audienceAt, segmentIds) : Filter.EVERYONE;
        Entry.Reentry reeligibility = EntryParser.reentry(root.field("reeligibility"));
        Integer perMinute = rateLimit(root.field("rate_limit"));
        Webhook webhook = WebhookParser.parse(root.field("webhook"), sink, List.of());
        List<AttributeOp> onSuccess = onSuccess(root.field("on_success"));
        if (sink.count() > 0) return null;
        Campaign campaign = new Campaign(id.get(), name.get(), tags, 1, status, delivery.triggers(), delivery.apiTriggered(),
                delivery.schedule(), audience, segmentIds, reeligibility, perMinute, webhook, onSuccess);
        if (campaign.schedule() != null && campaign.schedule().everyMillis() != null && !reeligibility.allowed())
            root.field("delivery").field("schedule").field("every").warning("a recurring schedule sends to each user only once"
                    + " unless re-eligibility allows more: add reeligibility: { allowed: true, after: … }");
        return campaign;
    }

    private static void channel(Cursor c) {
        if (!c.present()) c.problem("required: webhook");
        else if (!c.node().isTextual() || !CHANNELS.contains(c.node().textValue()))
            c.problem("expected webhook (the only channel Kiln sends for now), got " + c.describeAsText());
    }

    private static Delivery delivery(Cursor d) {
        if (!d.present()) {
            d.problem("required: a mapping such as { type: action_based, triggers: [...] }");
            return null;
        }
        if (!d.isMapping()) {
            d.problem("expected a mapping with type and triggers or schedule, got " + d.describe());
            return null;
        }
        Documents.refuseUnknownKeys(d, List.of("type", "triggers", "schedule"));
        Cursor t = d.field("type");
        Optional<String> type = Optional.empty();
        if (!t.present()) t.problem("required: one of " + Words.oneOf(DELIVERY_TYPES));
        else if (t.node().isTextual() && DELIVERY_TYPES.contains(t.node().textValue())) type = Optional.of(t.node().textValue());
        else if (t.node().isTextual()) t.problem("unknown delivery type; " + Words.suggest(t.node().textValue(), DELIVERY_TYPES));
        else t.problem("expected " + Words.oneOf(DELIVERY_TYPES) + ", got " + t.describeAsText());
        if (type.isEmpty()) return null;
        Cursor triggers = d.field("triggers"), schedule = d.field("schedule");
        if (!type.get().equals("action_based") && triggers.present())
            triggers.problem("only for action_based delivery (this campaign is " + type.get() + ")");
        if (!type.get().equals("scheduled") && schedule.present())
            schedule.problem("only for scheduled delivery (this campaign is " + type.get() + ")");
        return switch (type.get()) {
            case "action_based" -> {
                List<Trigger> list = triggers(triggers);
                yield list == null ? null : new Delivery(list, false, null);
            }
            case "api_triggered" -> new Delivery(List.of(), true, null);
            default -> {
                Campaign.Schedule s = schedule(schedule);
                yield s == null ? null : new Delivery(List.of(), false, s);
            }
        };
    }

    private static List<Trigger> triggers(Cursor t) {
        String needs = "action_based delivery needs at least one trigger";
        if (!t.present()) {
            t.problem("required: " + needs);
            return null;
        }
        if (t.isList() && t.node().isEmpty()) {
            t.problem(needs);
            return null;
        }
        return TriggerParser.list(t, API_IN_TRIGGERS);
    }

    private static Campaign.Schedule schedule(Cursor s) {
        if (!s.present()) {
            s.problem("required for scheduled delivery: a mapping such as { at: 2026-12-01T09:00:00Z, every: 1d }");
            return null;
        }
        if (!s.isMapping()) {
            s.problem("expected a mapping such as { at: 2026-12-01T09:00:00Z, every: 1d }, got " + s.describe());
            return null;
        }
        Documents.refuseUnknownKeys(s, List.of("at", "every"));
        Long at = time(s.field("at"));
        Cursor e = s.field("every");
        Long every = null;
        boolean everyOk = true;
        if (e.present()) {
            every = Durations.millis(e).orElse(null);
            if (every != null && every == 0) e.problem("must be more than 0s");
            everyOk = every != null && every > 0;
        }
        return at != null && everyOk ? new Campaign.Schedule(at, every) : null;
    }

    /** A time with its offset: a schedule read in another time zone must mean the same instant. */
    private static Long time(Cursor c) {
        String expected = "a time with its zone offset, such as 2026-12-01T09:00:00Z or 2026-12-01T09:00:00+01:00";
        Optional<String> text = c.text(expected);
        if (text.isEmpty()) return null;
        try {
            return OffsetDateTime.parse(text.get()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            c.problem("expected " + expected + ", got " + c.describe());
            return null;
        }
    }

    private static Integer rateLimit(Cursor r) {
        if (!r.present()) return null;
        if (!r.isMapping()) {
            r.problem("expected a mapping such as { per_minute: 5000 }, got " + r.describe());
            return null;
        }
        Documents.refuseUnknownKeys(r, List.of("per_minute"));
        Cursor p = r.field("per_minute");
        if (!p.present()) {
            p.problem("required: a whole number ≥ 1 (leave rate_limit out for no limit)");
            return null;
        }
        return p.whole("a whole number of messages ≥ 1", 1, Integer.MAX_VALUE).map(Long::intValue).orElse(null);
    }

    private static List<AttributeOp> onSuccess(Cursor o) {
        if (!o.present()) return List.of();
        if (!o.isMapping()) {
            o.problem("expected a mapping such as { updates: [ { attribute: lead_status, set: MQL } ] }, got " + o.describe());
            return List.of();
        }
        Documents.refuseUnknownKeys(o, List.of("updates"));
        Cursor updates = o.field("updates");
        List<AttributeOp> ops = new ArrayList<>();
        if (StepParser.nonEmptyList(updates, "on_success needs at least one update (leave on_success out for none)")) {
            for (Cursor u : updates.elements()) {
                AttributeOp op = StepParser.update(u);
                if (op != null) ops.add(op);
            }
        }
        return ops;
    }

    /** Folds the audience's segments in and checks the connections the webhook's templates name. */
    @Override public Campaign resolve(Campaign c, DefinitionSet context, ProblemSink problems) {
        Filter audience = References.audience(c.segmentIds(), c.audience(), "audience.segments", context, problems);
        boolean connections = References.connections(WebhookParser.templates(c.webhook(), new Cursor(null, "webhook", problems)), context);
        if (audience == null || !connections) return null;
        return new Campaign(c.id(), c.name(), c.tags(), c.version(), c.status(), c.triggers(), c.apiTriggered(), c.schedule(),
                audience, c.segmentIds(), c.reeligibility(), c.perMinute(), c.webhook(), c.onSuccess());
    }

    @Override public String toString() { return "campaigns"; }
}
