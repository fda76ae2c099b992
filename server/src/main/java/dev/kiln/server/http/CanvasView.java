package dev.kiln.server.http;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.runtime.CanvasRegistry;
import dev.kiln.runtime.DefinitionRegistry;
import dev.kiln.runtime.CanvasStats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** How Canvases and their statistics look in JSON: the document's words, snake_case keys, ISO-8601 times. */
final class CanvasView {
    private CanvasView() {}

    static Map<String, Object> summary(DefinitionRegistry.Entry<Canvas> e) {
        Canvas c = e.definition();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("name", c.name());
        out.put("tags", c.tags());
        out.put("version", c.version());
        out.put("status", lower(c.status()));
        out.put("origin", e.origin());
        out.put("updated_at", BrazeTime.format(e.updatedAt()));
        return out;
    }

    /** The summary plus entry, start, steps and the source document as stored. */
    static Map<String, Object> detail(DefinitionRegistry.Entry<Canvas> e) {
        Canvas c = e.definition();
        Map<String, Object> out = summary(e);
        out.put("entry", entry(c.entry()));
        out.put("start", c.start());
        out.put("steps", steps(c));
        if (!c.exitOn().isEmpty()) out.put("exit_on", c.exitOn().stream().map(CanvasView::trigger).toList());
        out.put("format", e.format());
        out.put("document", e.document());
        return out;
    }

    static Map<String, Object> entry(Entry entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("triggers", entry.triggers().stream().map(CanvasView::trigger).toList());
        out.put("api_triggered", entry.apiTriggered());
        out.put("segments", entry.segmentIds());
        Map<String, Object> reentry = new LinkedHashMap<>();
        reentry.put("allowed", entry.reentry().allowed());
        if (entry.reentry().allowed()) reentry.put("after_seconds", seconds(entry.reentry().afterMillis()));
        out.put("reentry", reentry);
        Entry.Limits l = entry.limits();
        if (l != null && !l.none()) {
            Map<String, Object> limits = new LinkedHashMap<>();
            if (l.perHour() != null) limits.put("per_hour", l.perHour());
            if (l.perDay() != null) limits.put("per_day", l.perDay());
            if (l.lifetime() != null) limits.put("lifetime", l.lifetime());
            out.put("limits", limits);
        }
        if (entry.sendTo() != null) out.put("send_to", lower(entry.sendTo()));
        return out;
    }

    static Map<String, Object> trigger(Trigger t) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (t) {
            case Trigger.AttributeChanged a -> {
                out.put("type", "custom_attribute_changed");
                out.put("name", a.name());
                if (a.value() != null) out.put("value", a.value().toJava());
            }
            case Trigger.AttributeCrossed a -> {
                out.put("type", "custom_attribute_crossed");
                out.put("name", a.name());
                out.put("threshold", number(a.threshold()));
                out.put("direction", lower(a.direction()));
            }
            case Trigger.EmailAdded e -> out.put("type", "email_added");
            case Trigger.CustomEvent e -> {
                out.put("type", "custom_event");
                out.put("name", e.name());
                if (!e.properties().isEmpty()) out.put("properties", paths(e.properties()));
            }
            case Trigger.SessionStarted s -> out.put("type", "session_started");
            case Trigger.WebhookSent w -> {
                out.put("type", "webhook_sent");
                if (w.campaignId() != null) out.put("campaign", w.campaignId());
            }
            case Trigger.Purchase p -> {
                out.put("type", "purchase");
                if (p.productId() != null) out.put("product", p.productId());
                if (!p.properties().isEmpty()) out.put("properties", paths(p.properties()));
            }
        }
        return out;
    }

    private static List<String> paths(List<Trigger.PropertyFilter> filters) {
        return filters.stream().map(f -> String.join(".", f.path())).toList();
    }

    /** Steps from {@code start} in the order a user meets them (breadth first), then any others by id. */
    static List<Map<String, Object>> steps(Canvas c) {
        Set<String> order = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        if (c.start() != null) todo.add(c.start());
        while (!todo.isEmpty()) {
            String id = todo.poll();
            Step s = c.step(id);
            if (s == null || !order.add(id)) continue;
            for (String n : s.nexts()) if (n != null && !order.contains(n)) todo.add(n);
        }
        order.addAll(new TreeSet<>(c.steps().keySet()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String id : order) out.add(step(c.step(id)));
        return out;
    }

    static Map<String, Object> step(Step s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        switch (s) {
            case Step.ActionPaths a -> {
                out.put("type", "action_paths");
                out.put("window_seconds", seconds(a.windowMillis()));
                out.put("ranked", a.ranked());
                List<Map<String, Object>> groups = new ArrayList<>();
                for (Step.ActionGroup g : a.groups()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", g.name());
                    m.put("triggers", g.triggers().stream().map(CanvasView::trigger).toList());
                    if (g.exit()) m.put("exit", true);
                    else m.put("next", g.next());
                    groups.add(m);
                }
                out.put("groups", groups);
                out.put("everyone_else", a.everyoneElseNext());
            }
            case Step.UserUpdate u -> {
                out.put("type", "user_update");
                out.put("updates", u.updates().stream().map(CanvasView::update).toList());
            }
            case Step.Delay d -> {
                out.put("type", "delay");
                if (d.durationMillis() != null) out.put("duration_seconds", seconds(d.durationMillis()));
                if (d.untilMinuteOfDay() != null)
                    out.put("until", String.format(Locale.ROOT, "%02d:%02d", d.untilMinuteOfDay() / 60, d.untilMinuteOfDay() % 60));
                if (d.zone() != null) out.put("time_zone", d.zone());
            }
            case Step.AudiencePaths p -> {
                out.put("type", "audience_paths");
                out.put("groups", p.groups().stream().map(Step.AudienceGroup::name).toList());
                out.put("everyone_else", p.everyoneElseNext());
            }
            case Step.DecisionSplit d -> {
                out.put("type", "decision_split");
                out.put("yes", d.yesNext());
                out.put("no", d.noNext());
            }
            case Step.WebhookStep w -> {
                out.put("type", "webhook");
                out.put("method", w.webhook().method());
                out.put("url", w.webhook().url());
            }
        }
        List<String> next = s.nexts().stream().filter(Objects::nonNull).distinct().toList();
        out.put("next", next);
        out.put("exits", s.nexts().contains(null) || (s instanceof Step.ActionPaths a && a.groups().stream().anyMatch(Step.ActionGroup::exit)));
        return out;
    }

    /** One attribute operation in the document's words: {@code {attribute, increment: 1, floor: 0}}. */
    private static Map<String, Object> update(AttributeOp op) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("attribute", op.name());
        switch (op) {
            case AttributeOp.Set set -> out.put("set", set.value().toJava());
            case AttributeOp.Unset unset -> out.put("unset", true);
            case AttributeOp.Inc inc -> {
                if (inc.by() < 0) out.put("decrement", number(-inc.by()));
                else out.put("increment", number(inc.by()));
                if (inc.floor() != null) out.put("floor", number(inc.floor()));
                if (inc.ceiling() != null) out.put("ceiling", number(inc.ceiling()));
            }
            case AttributeOp.Add add -> out.put("add", add.values());
            case AttributeOp.Remove remove -> out.put("remove", remove.values());
        }
        return out;
    }

    /** {@code GET /canvases/{id}/stats} without {@code message}. */
    static Map<String, Object> stats(CanvasStats s) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("total", s.entries());
        entries.put("per_day", s.entriesPerDay());
        out.put("entries", entries);
        out.put("on_step", s.onStep());
        out.put("action_groups", s.groups());
        out.put("exits", s.exits());
        out.put("loop_guard_hits", s.loopGuardHits());
        return out;
    }

    private static Object seconds(long millis) {
        return millis % 1000 == 0 ? (Object) (millis / 1000) : (Object) (millis / 1000.0);
    }

    static Object number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15 ? (Object) (long) d : (Object) d;
    }

    private static String lower(Enum<?> e) { return e.name().toLowerCase(Locale.ROOT); }
}
