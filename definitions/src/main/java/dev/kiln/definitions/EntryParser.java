package dev.kiln.definitions;

import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Canvas's {@code entry}: triggers, audience, re-entry, limits and {@code send_to}. The audience holds
 * only the document's own {@code filters} here; {@link CanvasKind#resolve} folds the named segments in.
 */
final class EntryParser {
    private EntryParser() {}

    static final List<String> KEYS = List.of("triggers", "audience", "reentry", "limits", "send_to");
    static final List<String> SEND_TO = List.of("all_users", "subscribed_or_opted_in", "opted_in");

    /** Null after a problem. */
    static Entry parse(Cursor at, CountingSink sink) {
        if (!at.present()) {
            at.problem("required");
            return null;
        }
        if (!at.isMapping()) {
            at.problem("expected a mapping with triggers, audience, reentry, limits and send_to, got " + at.describe());
            return null;
        }
        int before = sink.count();
        Documents.refuseUnknownKeys(at, KEYS);
        List<Trigger> triggers = new ArrayList<>();
        boolean api = triggers(at.field("triggers"), triggers);
        Cursor audience = at.field("audience");
        List<String> segmentIds = new ArrayList<>();
        Filter filter = audience.present() ? audience(audience, segmentIds) : Filter.EVERYONE;
        Entry.Reentry reentry = reentry(at.field("reentry"));
        Entry.Limits limits = limits(at.field("limits"));
        Entry.SendTo sendTo = sendTo(at.field("send_to"));
        if (sink.count() != before) return null;
        return new Entry(triggers, api, filter, segmentIds, reentry, limits, sendTo);
    }

    /** Fills {@code out}; returns whether {@code api_triggered} is among them. */
    private static boolean triggers(Cursor t, List<Trigger> out) {
        String needs = "an entry needs at least one trigger, or api_triggered: {}";
        if (!t.present()) {
            t.problem("required: " + needs);
            return false;
        }
        if (!t.isList()) {
            t.problem("expected a list of triggers, got " + t.describe());
            return false;
        }
        if (t.node().isEmpty()) {
            t.problem(needs);
            return false;
        }
        boolean api = false;
        for (Cursor c : t.elements()) {
            if (c.isMapping() && c.keys().equals(List.of(TriggerParser.API_TRIGGERED))) {
                api |= TriggerParser.noSettings(c.field(TriggerParser.API_TRIGGERED), TriggerParser.API_TRIGGERED);
            } else {
                Trigger trigger = TriggerParser.parse(c, "unused: api_triggered is read above");
                if (trigger != null) out.add(trigger);
            }
        }
        return api;
    }

    /** {@code segments} (ids, into {@code segmentIds}) and {@code filters}; also a campaign's audience. Null after a problem. */
    static Filter audience(Cursor a, List<String> segmentIds) {
        if (!a.isMapping()) {
            a.problem("expected a mapping with segments and filters, got " + a.describe());
            return null;
        }
        Documents.refuseUnknownKeys(a, List.of("segments", "filters"));
        Cursor segments = a.field("segments");
        if (segments.present()) {
            if (!segments.isList()) segments.problem("expected a list of segment ids, got " + segments.describe());
            else {
                Map<String, Integer> seen = new HashMap<>();
                for (int i = 0; i < segments.node().size(); i++) {
                    Cursor s = segments.element(i);
                    Optional<String> id = s.text("a segment id");
                    if (id.isEmpty()) continue;
                    Integer first = seen.putIfAbsent(id.get(), i);
                    if (first != null) s.problem("segment '" + id.get() + "' is listed twice (also segments[" + first + "])");
                    else segmentIds.add(id.get());
                }
            }
        }
        Cursor filters = a.field("filters");
        return filters.present() ? FilterParser.parse(filters) : Filter.EVERYONE;
    }

    /** {@code { allowed, after }}; also a campaign's re-eligibility. Absent: never. Null after a problem. */
    static Entry.Reentry reentry(Cursor r) {
        if (!r.present()) return Entry.Reentry.NEVER;
        if (!r.isMapping()) {
            r.problem("expected a mapping such as { allowed: true, after: 0s }, got " + r.describe());
            return null;
        }
        Documents.refuseUnknownKeys(r, List.of("allowed", "after"));
        Cursor allowed = r.field("allowed"), after = r.field("after");
        Boolean yes = null;
        if (!allowed.present()) allowed.problem("required: true or false");
        else if (allowed.node().isBoolean()) yes = allowed.node().booleanValue();
        else allowed.problem("expected true or false, got " + allowed.describe());
        long afterMillis = 0;
        if (after.present()) {
            if (Boolean.FALSE.equals(yes)) after.problem("only allowed when allowed is true");
            else afterMillis = Durations.millis(after).orElse(0L);
        }
        return yes == null ? null : yes ? new Entry.Reentry(true, afterMillis) : Entry.Reentry.NEVER;
    }

    private static Entry.Limits limits(Cursor l) {
        if (!l.present()) return Entry.Limits.NONE;
        if (!l.isMapping()) {
            l.problem("expected a mapping with per_hour, per_day and lifetime, got " + l.describe());
            return null;
        }
        Documents.refuseUnknownKeys(l, List.of("per_hour", "per_day", "lifetime"));
        return new Entry.Limits(limit(l.field("per_hour")), limit(l.field("per_day")), limit(l.field("lifetime")));
    }

    private static Long limit(Cursor c) {
        return c.present() ? c.whole("a whole number ≥ 1", 1, Long.MAX_VALUE).orElse(null) : null;
    }

    private static Entry.SendTo sendTo(Cursor s) {
        if (!s.present()) return Entry.SendTo.ALL_USERS;
        if (s.node().isTextual() && SEND_TO.contains(s.node().textValue()))
            return Entry.SendTo.valueOf(s.node().textValue().toUpperCase(Locale.ROOT));
        s.problem("expected " + Words.oneOf(SEND_TO) + ", got " + s.describeAsText());
        return null;
    }
}
