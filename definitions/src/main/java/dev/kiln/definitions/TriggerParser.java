package dev.kiln.definitions;

import dev.kiln.engine.Value;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Condition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A trigger: a mapping with one key, the kind, whose value holds its settings
 * ({@code - custom_event: { name: demo_requested }}). Used for entry triggers, action groups and
 * exception events; {@code api_triggered} is an entry-only kind that the entry reads itself.
 */
final class TriggerParser {
    private TriggerParser() {}

    static final String API_TRIGGERED = "api_triggered";
    static final List<String> KINDS = List.of("custom_attribute_changed", "custom_attribute_crossed", "email_added",
            "custom_event", "session_started", "purchase", "webhook_sent", API_TRIGGERED);

    /** The trigger's kind key, or empty after a problem. */
    static Optional<String> kind(Cursor at) {
        if (!at.isMapping() || at.keys().isEmpty()) {
            at.problem("expected a trigger, a mapping with one of " + Words.oneOf(KINDS) + ", got " + at.describe());
            return Optional.empty();
        }
        List<String> keys = at.keys();
        if (keys.size() > 1) {
            at.problem("a trigger takes one kind; found " + keys.get(0) + " and " + keys.get(1) + " (list them as separate triggers)");
            return Optional.empty();
        }
        String kind = keys.get(0);
        if (!KINDS.contains(kind)) {
            at.field(kind).problem("unknown trigger; " + Words.suggest(kind, KINDS));
            return Optional.empty();
        }
        return Optional.of(kind);
    }

    /**
     * A trigger of any kind but {@code api_triggered}, which is refused with {@code notApi} (why it
     * does not belong here). Null after a problem.
     */
    static Trigger parse(Cursor at, String notApi) {
        Optional<String> kind = kind(at);
        if (kind.isEmpty()) return null;
        Cursor v = at.field(kind.get());
        return switch (kind.get()) {
            case "custom_attribute_changed" -> changed(v);
            case "custom_attribute_crossed" -> crossed(v);
            case "email_added" -> noSettings(v, kind.get()) ? new Trigger.EmailAdded() : null;
            case "session_started" -> noSettings(v, kind.get()) ? new Trigger.SessionStarted() : null;
            case "custom_event" -> customEvent(v);
            case "purchase" -> purchase(v);
            case "webhook_sent" -> webhookSent(v);
            default -> {
                at.field(API_TRIGGERED).problem(notApi);
                yield null;
            }
        };
    }

    /** A list of triggers; every element is checked. Null after a problem. */
    static List<Trigger> list(Cursor at, String notApi) {
        if (!at.isList()) {
            at.problem("expected a list of triggers, got " + at.describe());
            return null;
        }
        List<Trigger> out = new ArrayList<>();
        boolean ok = true;
        for (Cursor c : at.elements()) {
            Trigger t = parse(c, notApi);
            if (t == null) ok = false;
            else out.add(t);
        }
        return ok ? out : null;
    }

    /** {@code webhook_sent: {}} (any webhook) or {@code webhook_sent: { campaign: ID }}. */
    private static Trigger webhookSent(Cursor v) {
        if (v.node().isNull()) return new Trigger.WebhookSent(null);
        if (!settings(v, "{ campaign: salesforce-mql }", List.of("campaign"))) return null;
        Cursor c = v.field("campaign");
        if (!c.present()) return new Trigger.WebhookSent(null);
        return c.text("a campaign id").map(Trigger.WebhookSent::new).orElse(null);
    }

    /** {@code email_added: {}}; an empty value ({@code email_added:}) is accepted too. */
    static boolean noSettings(Cursor v, String kind) {
        if (v.node().isNull()) return true;
        if (!v.isMapping()) {
            v.problem("expected {} (" + kind + " takes no settings), got " + v.describe());
            return false;
        }
        for (String k : v.keys()) v.field(k).problem("unknown key; " + kind + " takes no settings");
        return v.keys().isEmpty();
    }

    private static boolean settings(Cursor v, String example, List<String> keys) {
        if (!v.isMapping()) {
            v.problem("expected a mapping such as " + example + ", got " + v.describe());
            return false;
        }
        Documents.refuseUnknownKeys(v, keys);
        return true;
    }

    private static Trigger changed(Cursor v) {
        if (!settings(v, "{ name: \"lead score\" }", List.of("name", "value"))) return null;
        Optional<String> name = v.field("name").text("an attribute name");
        Cursor value = v.field("value");
        Value specific = value.present() ? scalar(value) : null;
        if (value.present() && specific == null) return null;
        return name.map(n -> new Trigger.AttributeChanged(n, specific)).orElse(null);
    }

    /** A specific attribute value, typed as {@code /users/track} types it (a time-like string is a time). */
    private static Value scalar(Cursor v) {
        if (v.node().isNull()) {
            v.problem("must not be null: the trigger never fires on an unset value (leave value out for any new value)");
            return null;
        }
        if (v.node().isNumber() || v.node().isTextual() || v.node().isBoolean()) return Values.of(v);
        v.problem("expected a number, a string or a boolean, got " + v.describe());
        return null;
    }

    private static Trigger crossed(Cursor v) {
        if (!settings(v, "{ name: \"lead score\", threshold: 100, direction: up }", List.of("name", "threshold", "direction"))) return null;
        Optional<String> name = v.field("name").text("an attribute name");
        Cursor t = v.field("threshold");
        Double threshold = null;
        if (!t.present()) t.problem("required");
        else if (t.node().isNumber() && Double.isFinite(t.node().doubleValue())) threshold = t.node().doubleValue();
        else t.problem("expected a number, got " + t.describe());
        Cursor d = v.field("direction");
        Trigger.AttributeCrossed.Direction direction = null;
        if (!d.present()) d.problem("required: up or down");
        else if (d.node().isTextual() && d.node().textValue().equals("up")) direction = Trigger.AttributeCrossed.Direction.UP;
        else if (d.node().isTextual() && d.node().textValue().equals("down")) direction = Trigger.AttributeCrossed.Direction.DOWN;
        else d.problem("expected up or down, got " + d.describeAsText());
        return name.isPresent() && threshold != null && direction != null
                ? new Trigger.AttributeCrossed(name.get(), threshold, direction) : null;
    }

    private static Trigger customEvent(Cursor v) {
        if (!settings(v, "{ name: demo_requested }", List.of("name", "properties"))) return null;
        Optional<String> name = v.field("name").text("an event name");
        List<Trigger.PropertyFilter> properties = properties(v.field("properties"));
        return name.isPresent() && properties != null ? new Trigger.CustomEvent(name.get(), properties) : null;
    }

    private static Trigger purchase(Cursor v) {
        if (v.node().isNull()) return new Trigger.Purchase(null, List.of());
        if (!settings(v, "{ product_id: p1 }", List.of("product_id", "properties"))) return null;
        Cursor product = v.field("product_id");
        Optional<String> productId = product.present() ? product.text("a product id") : Optional.empty();
        List<Trigger.PropertyFilter> properties = properties(v.field("properties"));
        if (product.present() && productId.isEmpty()) return null;
        return properties != null ? new Trigger.Purchase(productId.orElse(null), properties) : null;
    }

    /** {@code [ { property: plan.tier, equals: pro }, … ]}, all of which must hold; absent = none. */
    private static List<Trigger.PropertyFilter> properties(Cursor at) {
        if (!at.present()) return List.of();
        if (!at.isList()) {
            at.problem("expected a list of property filters such as { property: plan, equals: pro }, got " + at.describe());
            return null;
        }
        List<Trigger.PropertyFilter> out = new ArrayList<>();
        for (Cursor f : at.elements()) {
            if (!f.isMapping()) {
                f.problem("expected a property filter such as { property: plan, equals: pro }, got " + f.describe());
                continue;
            }
            Optional<List<String>> path = path(f.field("property"));
            Condition c = AttributeParser.condition(f, "property", "a property filter");
            if (path.isPresent() && c != null) out.add(new Trigger.PropertyFilter(path.get(), c));
        }
        return out.size() == at.node().size() ? out : null;
    }

    /** {@code plan.tier} (dots go into nested properties) or a list of keys, for keys holding dots. */
    private static Optional<List<String>> path(Cursor p) {
        if (p.isList()) return p.strings(AttributeParser.MAX_VALUES);
        Optional<String> text = p.text("a property name (dots go into nested properties)");
        if (text.isEmpty()) return Optional.empty();
        List<String> parts = Arrays.asList(text.get().split("\\.", -1));
        if (parts.contains("")) {
            p.problem("empty name in property path " + p.describe() + " (write a list of keys for names that hold dots)");
            return Optional.empty();
        }
        return Optional.of(parts);
    }
}
