package dev.kiln.definitions;

import dev.kiln.engine.StandardAttributes;
import dev.kiln.engine.filter.Filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the filter syntax of {@code docs/filters.md}: a filter is a mapping with exactly one subject key
 * (a combinator, {@code attribute}, an activity, {@code email}, {@code email_subscribe}) and, for
 * conditions, exactly one operator. Returns null when it cannot build a filter; problems go to the sink.
 */
final class FilterParser {
    private FilterParser() {}

    static final List<String> SUBJECTS = List.of("all", "any", "none", "not", "attribute", "event", "purchase",
            "product", "session", "email", "email_subscribe");

    static Filter parse(Cursor at) {
        if (!at.isMapping()) {
            at.problem("expected a filter, a mapping such as { attribute: x, equals: 1 } or { all: [...] }, got " + at.describe());
            return null;
        }
        List<String> keys = at.keys();
        List<String> subjects = keys.stream().filter(SUBJECTS::contains).toList();
        if (subjects.isEmpty()) {
            at.problem("a filter needs one of " + Words.oneOf(SUBJECTS)
                    + (keys.isEmpty() ? "; found an empty mapping" : "; found " + String.join(", ", keys) + hint(keys.get(0))));
            return null;
        }
        if (subjects.size() > 1) {
            at.problem("a filter takes one subject; found " + subjects.get(0) + " and " + subjects.get(1)
                    + " (combine filters with all or any)");
            return null;
        }
        String subject = subjects.get(0);
        return switch (subject) {
            case "all", "any", "none" -> combination(at, subject);
            case "not" -> {
                onlyKey(at, subject);
                Filter f = parse(at.field(subject));
                yield f == null ? null : new Filter.Not(f);
            }
            case "attribute" -> AttributeParser.parse(at);
            case "email" -> email(at);
            case "email_subscribe" -> emailSubscribe(at);
            default -> ActivityParser.parse(at, subject);
        };
    }

    private static String hint(String key) {
        String s = Words.suggest(key, SUBJECTS);
        return s.startsWith("did you mean") ? " (" + s + ")" : "";
    }

    private static Filter combination(Cursor at, String subject) {
        onlyKey(at, subject);
        Cursor list = at.field(subject);
        if (!list.isList()) {
            list.problem("expected a list of filters, got " + list.describe());
            return null;
        }
        if (list.node().isEmpty()) {
            list.problem("must list at least one filter");
            return null;
        }
        List<Filter> filters = new ArrayList<>();
        for (Cursor c : list.elements()) {
            Filter f = parse(c);
            if (f != null) filters.add(f);
        }
        if (filters.size() != list.node().size()) return null;
        return switch (subject) {
            case "all" -> new Filter.All(filters);
            case "any" -> new Filter.Any(filters);
            default -> new Filter.None(filters);
        };
    }

    /** Combinators and {@code email} take no other keys. */
    private static void onlyKey(Cursor at, String subject) {
        for (String k : at.keys())
            if (!k.equals(subject)) at.field(k).problem("unexpected beside " + subject + "; " + subject + " takes no other keys");
    }

    private static Filter email(Cursor at) {
        onlyKey(at, "email");
        Cursor v = at.field("email");
        if (v.node().isTextual() && v.node().textValue().equals("present")) return new Filter.EmailAddress(true);
        if (v.node().isTextual() && v.node().textValue().equals("absent")) return new Filter.EmailAddress(false);
        v.problem("expected present or absent, got " + v.describeAsText());
        return null;
    }

    private static Filter emailSubscribe(Cursor at) {
        onlyKey(at, "email_subscribe");
        Cursor v = at.field("email_subscribe");
        Optional<String> op = v.operator(List.of("any_of"), null, "email_subscribe");
        if (op.isEmpty()) return null;
        Cursor states = v.field("any_of");
        Optional<List<String>> values = states.strings(StandardAttributes.SUBSCRIPTION_STATES.size());
        if (values.isEmpty()) return null;
        List<String> allowed = List.of("opted_in", "subscribed", "unsubscribed");
        boolean ok = true;
        for (int i = 0; i < values.get().size(); i++) {
            String s = values.get().get(i);
            if (!StandardAttributes.SUBSCRIPTION_STATES.contains(s)) {
                ok = false;
                states.element(i).problem("unknown subscription state; " + Words.suggest(s, allowed));
            }
        }
        return ok ? new Filter.EmailSubscribe(Set.copyOf(values.get())) : null;
    }
}
