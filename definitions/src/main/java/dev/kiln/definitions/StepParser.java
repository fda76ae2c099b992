package dev.kiln.definitions;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Filter;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Canvas step: {@code type} picks the kind and the keys it takes ({@code webhook} shares
 * {@link WebhookParser} with campaigns). Remembers every reference to another step ({@code next},
 * {@code yes}, {@code no}, {@code everyone_else.next}) for {@link CanvasGraph} to check once all
 * steps are known.
 */
final class StepParser {
    static final List<String> TYPES = List.of("action_paths", "user_update", "delay", "audience_paths", "decision_split", "webhook");
    /** Braze's limits on Action Paths. */
    static final int MAX_ACTION_GROUPS = 8;
    static final long DEFAULT_WINDOW = Durations.DAY;
    static final long MAX_WINDOW = 31 * Durations.DAY;
    static final List<String> OPERATIONS = List.of("set", "unset", "increment", "decrement", "add", "remove");
    static final List<String> UPDATE_KEYS = List.of("attribute", "set", "unset", "increment", "decrement", "add", "remove", "floor", "ceiling");
    static final String API_IN_GROUP = "api_triggered only enters a Canvas (entry.triggers); an action group waits for what the user does";
    private static final Pattern TIME_OF_DAY = Pattern.compile("(\\d{1,2}):(\\d{2})");
    private static final int MAX_ARRAY_VALUES = AttributeParser.MAX_VALUES;

    /** A step id written at {@code at}. */
    record Ref(Cursor at, String target) {}

    private final CountingSink sink;
    private final List<Ref> refs = new ArrayList<>();

    StepParser(CountingSink sink) { this.sink = sink; }

    List<Ref> refs() { return refs; }

    /** The step, or null after a problem. */
    Step parse(String id, Cursor at) {
        if (!at.isMapping()) {
            at.problem("expected a step, a mapping with type and its settings, got " + at.describe());
            return null;
        }
        Cursor t = at.field("type");
        if (!t.present()) {
            t.problem("required: one of " + Words.oneOf(TYPES));
            return null;
        }
        Optional<String> type = t.text("a step type");
        if (type.isEmpty()) return null;
        if (!TYPES.contains(type.get())) {
            t.problem("unknown step type; " + Words.suggest(type.get(), TYPES));
            return null;
        }
        int before = sink.count();
        Step step = switch (type.get()) {
            case "action_paths" -> actionPaths(id, at);
            case "user_update" -> userUpdate(id, at);
            case "delay" -> delay(id, at);
            case "audience_paths" -> audiencePaths(id, at);
            case "webhook" -> webhook(id, at);
            default -> decisionSplit(id, at);
        };
        return sink.count() == before ? step : null;
    }

    // ---- action_paths ------------------------------------------------------------------------

    private Step actionPaths(String id, Cursor at) {
        Documents.refuseUnknownKeys(at, List.of("type", "window", "ranked", "groups", "everyone_else"));
        long window = window(at.field("window"));
        boolean ranked = bool(at.field("ranked"), false);
        Cursor groups = at.field("groups");
        List<Step.ActionGroup> out = new ArrayList<>();
        if (nonEmptyList(groups, "an action_paths step needs at least one action group")) {
            if (groups.node().size() > MAX_ACTION_GROUPS)
                groups.problem("at most " + MAX_ACTION_GROUPS + " action groups (Braze's limit), got " + groups.node().size());
            Map<String, Integer> names = new HashMap<>();
            for (int i = 0; i < groups.node().size(); i++) {
                Step.ActionGroup group = actionGroup(groups.element(i), i, names);
                if (group != null) out.add(group);
            }
        }
        String everyoneElse = everyoneElse(at.field("everyone_else"));
        return new Step.ActionPaths(id, window, ranked, out, everyoneElse);
    }

    private long window(Cursor w) {
        if (!w.present()) return DEFAULT_WINDOW;
        Optional<Long> ms = Durations.millis(w);
        if (ms.isEmpty()) return DEFAULT_WINDOW;
        if (ms.get() == 0) w.problem("must be more than 0s");
        else if (ms.get() > MAX_WINDOW) w.problem("at most 31d (Braze's limit), got " + w.describe());
        return ms.get();
    }

    private Step.ActionGroup actionGroup(Cursor g, int index, Map<String, Integer> names) {
        if (!g.isMapping()) {
            g.problem("expected an action group, a mapping with name, triggers and next (or exit: true), got " + g.describe());
            return null;
        }
        Documents.refuseUnknownKeys(g, List.of("name", "triggers", "next", "exit"));
        Optional<String> name = groupName(g, index, names);
        Cursor t = g.field("triggers");
        List<Trigger> triggers = nonEmptyList(t, "an action group needs at least one trigger") ? TriggerParser.list(t, API_IN_GROUP) : null;
        boolean exit = bool(g.field("exit"), false);
        Cursor n = g.field("next");
        if (exit && n.present()) g.problem("a group takes next or exit: true, not both");
        else if (!exit && !n.present()) g.problem("a group needs next (a step id) or exit: true");
        String next = exit ? null : next(n);
        return name.isPresent() && triggers != null ? new Step.ActionGroup(name.get(), triggers, next, exit) : null;
    }

    private static Optional<String> groupName(Cursor g, int index, Map<String, Integer> names) {
        Cursor c = g.field("name");
        Optional<String> name = c.text("a group name");
        if (name.isPresent()) {
            Integer first = names.putIfAbsent(name.get(), index);
            if (first != null) c.problem("duplicate group name '" + name.get() + "' (also groups[" + first + "])");
        }
        return name;
    }

    private String everyoneElse(Cursor e) {
        if (!e.present()) return null;
        if (!e.isMapping()) {
            e.problem("expected a mapping such as { next: decay }, got " + e.describe());
            return null;
        }
        Documents.refuseUnknownKeys(e, List.of("next"));
        return next(e.field("next"));
    }

    // ---- user_update -------------------------------------------------------------------------

    private Step userUpdate(String id, Cursor at) {
        Documents.refuseUnknownKeys(at, List.of("type", "updates", "next"));
        Cursor updates = at.field("updates");
        List<AttributeOp> ops = new ArrayList<>();
        if (nonEmptyList(updates, "a user_update step needs at least one update")) {
            for (Cursor u : updates.elements()) {
                AttributeOp op = update(u);
                if (op != null) ops.add(op);
            }
        }
        return new Step.UserUpdate(id, ops, next(at.field("next")));
    }

    /** One update of a User Update step (also a campaign's {@code on_success}); null after a problem. */
    static AttributeOp update(Cursor u) {
        if (!u.isMapping()) {
            u.problem("expected an update such as { attribute: \"lead score\", increment: 1 }, got " + u.describe());
            return null;
        }
        Documents.refuseUnknownKeys(u, UPDATE_KEYS);
        Optional<String> name = u.field("attribute").text("an attribute name");
        List<String> ops = u.keys().stream().filter(OPERATIONS::contains).toList();
        if (ops.isEmpty()) {
            u.problem("an update needs one operation: " + Words.oneOf(OPERATIONS));
            return null;
        }
        if (ops.size() > 1) {
            u.problem("an update takes one operation; found " + ops.get(0) + " and " + ops.get(1) + " (write two updates)");
            return null;
        }
        String op = ops.get(0);
        boolean counting = op.equals("increment") || op.equals("decrement");
        Double floor = bound(u.field("floor"), counting);
        Double ceiling = bound(u.field("ceiling"), counting);
        if (floor != null && ceiling != null && floor > ceiling)
            u.field("floor").problem("floor " + new Value.Num(floor) + " is above ceiling " + new Value.Num(ceiling));
        Cursor v = u.field(op);
        AttributeOp result = switch (op) {
            case "set" -> set(v, name.orElse(null));
            case "unset" -> v.flag() ? new AttributeOp.Unset(name.orElse(null)) : null;
            case "increment", "decrement" -> amount(v).map(n -> (AttributeOp) new AttributeOp.Inc(name.orElse(null),
                    op.equals("increment") ? n : -n, floor, ceiling)).orElse(null);
            case "add" -> v.strings(MAX_ARRAY_VALUES).map(l -> (AttributeOp) new AttributeOp.Add(name.orElse(null), l)).orElse(null);
            default -> v.strings(MAX_ARRAY_VALUES).map(l -> (AttributeOp) new AttributeOp.Remove(name.orElse(null), l)).orElse(null);
        };
        return name.isPresent() ? result : null;
    }

    private static Double bound(Cursor b, boolean allowed) {
        if (!b.present()) return null;
        if (!allowed) {
            b.problem("only allowed with increment or decrement");
            return null;
        }
        if (b.node().isNumber() && Double.isFinite(b.node().doubleValue())) return b.node().doubleValue();
        b.problem("expected a number, got " + b.describe());
        return null;
    }

    private static Optional<Double> amount(Cursor v) {
        if (v.node().isNumber() && Double.isFinite(v.node().doubleValue()) && v.node().doubleValue() > 0)
            return Optional.of(v.node().doubleValue());
        v.problem("expected a number greater than 0, got " + v.describe()
                + (v.node().isNumber() && v.node().doubleValue() < 0 ? " (use increment or decrement for the direction)" : ""));
        return Optional.empty();
    }

    private static AttributeOp set(Cursor v, String name) {
        if (v.node().isNull()) {
            v.problem("set: null is not allowed; write unset: true");
            return null;
        }
        Value value = Values.of(v);
        return value == null ? null : new AttributeOp.Set(name, value);
    }

    // ---- delay --------------------------------------------------------------------------------

    private Step delay(String id, Cursor at) {
        Documents.refuseUnknownKeys(at, List.of("type", "duration", "until", "time_zone", "next"));
        Cursor duration = at.field("duration"), until = at.field("until"), zone = at.field("time_zone");
        Long millis = null;
        Integer minute = null;
        String zoneId = null;
        if (duration.present() && until.present()) at.problem("a delay takes duration or until, not both");
        else if (!duration.present() && !until.present()) at.problem("a delay needs duration (such as 2h) or until (such as \"09:00\")");
        else if (duration.present()) {
            millis = Durations.millis(duration).orElse(null);
            if (millis != null && millis == 0) duration.problem("must be more than 0s");
        } else {
            minute = timeOfDay(until);
        }
        if (zone.present()) {
            if (!until.present()) zone.problem("only allowed with until");
            else zoneId = zone(zone);
        }
        return new Step.Delay(id, millis, minute, zoneId, next(at.field("next")));
    }

    private static Integer timeOfDay(Cursor c) {
        Matcher m = c.node().isTextual() ? TIME_OF_DAY.matcher(c.node().textValue()) : null;
        if (m != null && m.matches()) {
            int h = Integer.parseInt(m.group(1)), min = Integer.parseInt(m.group(2));
            if (h < 24 && min < 60) return h * 60 + min;
        }
        c.problem("expected a time of day from \"00:00\" to \"23:59\", got " + c.describe());
        return null;
    }

    /** {@code user} (null: the user's time zone) or a zone id such as {@code Europe/Lisbon}. */
    private static String zone(Cursor c) {
        Optional<String> text = c.text("user or a time zone such as Europe/Lisbon");
        if (text.isEmpty() || text.get().equals("user")) return null;
        try {
            ZoneId.of(text.get());
            return text.get();
        } catch (DateTimeException e) {
            c.problem("unknown time zone " + c.describe() + "; expected user or a zone such as Europe/Lisbon");
            return null;
        }
    }

    // ---- audience_paths, decision_split --------------------------------------------------------

    private Step audiencePaths(String id, Cursor at) {
        Documents.refuseUnknownKeys(at, List.of("type", "groups", "everyone_else"));
        Cursor groups = at.field("groups");
        List<Step.AudienceGroup> out = new ArrayList<>();
        if (nonEmptyList(groups, "an audience_paths step needs at least one group")) {
            Map<String, Integer> names = new HashMap<>();
            for (int i = 0; i < groups.node().size(); i++) {
                Cursor g = groups.element(i);
                if (!g.isMapping()) {
                    g.problem("expected a group, a mapping with name, filters and next, got " + g.describe());
                    continue;
                }
                Documents.refuseUnknownKeys(g, List.of("name", "filters", "next"));
                Optional<String> name = groupName(g, i, names);
                Filter filter = filters(g.field("filters"));
                String next = next(g.field("next"));
                if (name.isPresent() && filter != null) out.add(new Step.AudienceGroup(name.get(), filter, next));
            }
        }
        return new Step.AudiencePaths(id, out, everyoneElse(at.field("everyone_else")));
    }

    private Step decisionSplit(String id, Cursor at) {
        Documents.refuseUnknownKeys(at, List.of("type", "filters", "yes", "no"));
        Filter filter = filters(at.field("filters"));
        return new Step.DecisionSplit(id, filter, next(at.field("yes")), next(at.field("no")));
    }

    private static Filter filters(Cursor f) {
        if (!f.present()) {
            f.problem("required");
            return null;
        }
        return FilterParser.parse(f);
    }

    // ---- webhook ------------------------------------------------------------------------------

    /** The same keys as a campaign's {@code webhook} block, plus {@code next}. */
    private Step webhook(String id, Cursor at) {
        Webhook webhook = WebhookParser.parse(at, sink, List.of("type", "next"));
        String next = next(at.field("next"));
        return webhook == null ? null : new Step.WebhookStep(id, webhook, next);
    }

    // ---- shared ----------------------------------------------------------------------------------

    /** A step id, remembered for the reference check; absent = exit. */
    private String next(Cursor c) {
        if (!c.present()) return null;
        Optional<String> target = c.text("a step id");
        target.ifPresent(t -> refs.add(new Ref(c, t)));
        return target.orElse(null);
    }

    private static boolean bool(Cursor c, boolean absent) {
        if (!c.present()) return absent;
        if (c.node().isBoolean()) return c.node().booleanValue();
        c.problem("expected true or false, got " + c.describe());
        return absent;
    }

    static boolean nonEmptyList(Cursor c, String whenEmpty) {
        if (!c.present()) c.problem("required");
        else if (!c.isList()) c.problem("expected a list, got " + c.describe());
        else if (c.node().isEmpty()) c.problem(whenEmpty);
        else return true;
        return false;
    }
}
