package dev.kiln.definitions;

import dev.kiln.engine.filter.Activity;
import dev.kiln.engine.filter.EventCondition;
import dev.kiln.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code { event: NAME | product: ID | purchase: any | session: any, CONDITION }} with one condition:
 * {@code count: { OP: N }} (optionally {@code in_last_days: D}), {@code last_performed: { OP: DAYS }} or
 * {@code never_performed: true}.
 */
final class ActivityParser {
    private ActivityParser() {}

    static final List<String> CONDITIONS = List.of("count", "last_performed", "never_performed");
    static final List<String> KEYS = List.of("count", "in_last_days", "last_performed", "never_performed");
    static final List<String> COUNT_OPERATORS = List.of("greater_than", "less_than", "exactly");
    static final List<String> LAST_OPERATORS = List.of("more_than_days_ago", "less_than_days_ago");
    /** Braze's "in the last N days" goes up to 30. */
    static final int MAX_IN_LAST_DAYS = 30;

    static Filter parse(Cursor at, String subject) {
        Activity activity = activity(at.field(subject), subject);
        List<String> conditions = new ArrayList<>();
        for (String k : at.keys()) {
            if (k.equals(subject)) continue;
            if (CONDITIONS.contains(k)) conditions.add(k);
            else if (!KEYS.contains(k)) at.field(k).problem("unknown key for " + filterName(subject) + "; " + Words.suggest(k, KEYS));
        }
        if (conditions.size() > 1) {
            at.problem(filterName(subject) + " takes one of " + Words.oneOf(CONDITIONS) + "; found "
                    + conditions.get(0) + " and " + conditions.get(1) + " (combine filters with all or any)");
            return null;
        }
        boolean window = at.keys().contains("in_last_days");
        if (conditions.isEmpty()) {
            at.problem(filterName(subject) + " needs one of " + Words.oneOf(CONDITIONS));
            return null;
        }
        String condition = conditions.get(0);
        if (window && !condition.equals("count")) at.field("in_last_days").problem("only allowed with count");
        EventCondition c = switch (condition) {
            case "count" -> count(at.field("count"), window ? at.field("in_last_days") : null);
            case "last_performed" -> lastPerformed(at.field("last_performed"));
            default -> at.field("never_performed").flag() ? new EventCondition.Never() : null;
        };
        return activity != null && c != null ? new Filter.Event(activity, c) : null;
    }

    private static String filterName(String subject) {
        return (subject.equals("event") ? "an " : "a ") + subject + " filter";
    }

    private static Activity activity(Cursor v, String subject) {
        return switch (subject) {
            case "event" -> v.text("an event name").map(n -> (Activity) new Activity.CustomEvent(n)).orElse(null);
            case "product" -> v.text("a product id").map(p -> (Activity) new Activity.Product(p)).orElse(null);
            case "purchase" -> any(v, " (use product: ID for one product)") ? new Activity.AnyPurchase() : null;
            default -> any(v, "") ? new Activity.Sessions() : null;
        };
    }

    private static boolean any(Cursor v, String hint) {
        if (v.node().isTextual() && v.node().textValue().equals("any")) return true;
        v.problem("expected any" + hint + ", got " + v.describe());
        return false;
    }

    private static EventCondition count(Cursor c, Cursor window) {
        Optional<Integer> days = window == null ? Optional.of(EventCondition.ALL_TIME)
                : window.whole("a whole number of days from 1 to " + MAX_IN_LAST_DAYS, 1, MAX_IN_LAST_DAYS).map(Long::intValue);
        Optional<String> op = c.operator(COUNT_OPERATORS, null, "count");
        if (op.isEmpty()) return null;
        Optional<Long> n = c.field(op.get()).whole("a whole number ≥ 0", 0, Long.MAX_VALUE);
        if (n.isEmpty() || days.isEmpty()) return null;
        EventCondition.Count.Op o = switch (op.get()) {
            case "greater_than" -> EventCondition.Count.Op.GREATER_THAN;
            case "less_than" -> EventCondition.Count.Op.LESS_THAN;
            default -> EventCondition.Count.Op.EXACTLY;
        };
        return new EventCondition.Count(o, n.get(), days.get());
    }

    private static EventCondition lastPerformed(Cursor c) {
        Optional<String> op = c.operator(LAST_OPERATORS, null, "last_performed");
        if (op.isEmpty()) return null;
        EventCondition.LastPerformed.Op o = op.get().equals("more_than_days_ago")
                ? EventCondition.LastPerformed.Op.MORE_THAN_DAYS_AGO : EventCondition.LastPerformed.Op.LESS_THAN_DAYS_AGO;
        return AttributeParser.days(c.field(op.get())).map(d -> new EventCondition.LastPerformed(o, d)).orElse(null);
    }
}
