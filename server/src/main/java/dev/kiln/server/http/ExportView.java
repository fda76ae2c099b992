package dev.kiln.server.http;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A profile in Braze's user export shape. As Braze, absent fields mean null or empty, so only what is
 * set is written. Times are ISO 8601 UTC.
 */
final class ExportView {
    private ExportView() {}

    /** Fields Kiln fills: standard attributes in Braze's order, then the summaries. */
    private static final List<String> STANDARD = List.of("first_name", "last_name", "email", "dob", "home_city",
            "country", "phone", "language", "time_zone", "gender", "push_subscribe", "email_subscribe",
            "date_of_first_session", "date_of_last_session");

    /** Every name {@code fields_to_export} accepts: Braze's list (some never filled by Kiln) plus Kiln's session dates. */
    static final Set<String> FIELDS = Set.of("apps", "attributed_campaign", "attributed_source", "attributed_adgroup",
            "attributed_ad", "push_subscribe", "email_subscribe", "braze_id", "country", "created_at", "custom_attributes",
            "custom_events", "devices", "dob", "email", "external_id", "first_name", "gender", "home_city", "language",
            "last_coordinates", "last_name", "phone", "purchases", "push_tokens", "random_bucket", "time_zone",
            "total_revenue", "uninstalled_at", "user_aliases", "campaigns_received", "canvases_received", "cards_clicked",
            "date_of_first_session", "date_of_last_session");

    /** {@code fields}: the top-level fields to include, or null for all. */
    static Map<String, Object> of(UserState u, Set<String> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, fields, "created_at", BrazeTime.format(u.createdAt()));
        if (u.externalId() != null) put(out, fields, "external_id", u.externalId());
        if (!u.aliases().isEmpty()) {
            List<Map<String, Object>> aliases = new ArrayList<>();
            for (UserAlias a : u.aliases()) aliases.add(aliasJson(a));
            put(out, fields, "user_aliases", aliases);
        }
        put(out, fields, "braze_id", u.userId());
        for (String name : STANDARD) {
            Value v = u.standard().get(name);
            if (v != null) put(out, fields, name, v.toJava());
        }
        Map<String, Object> custom = new LinkedHashMap<>();
        u.custom().forEach((k, v) -> custom.put(k, v.toJava()));
        if (!custom.isEmpty()) put(out, fields, "custom_attributes", custom);
        if (!u.events().isEmpty()) put(out, fields, "custom_events", summaries(u.events()));
        if (!u.products().isEmpty()) put(out, fields, "purchases", summaries(u.products()));
        EventSummary s = u.sessions();
        if (s.count() > 0) {
            // Braze reports sessions per app; Kiln has one, named after itself.
            Map<String, Object> app = new LinkedHashMap<>();
            app.put("name", "kiln");
            app.put("platform", "api");
            app.put("sessions", s.count());
            app.put("first_used", BrazeTime.format(s.first()));
            app.put("last_used", BrazeTime.format(s.last()));
            put(out, fields, "apps", List.of(app));
        }
        return out;
    }

    /** {@code {"alias_name": …, "alias_label": …}} in that order. */
    static Map<String, Object> aliasJson(UserAlias a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alias_name", a.name());
        m.put("alias_label", a.label());
        return m;
    }

    private static List<Map<String, Object>> summaries(Map<String, EventSummary> byName) {
        List<Map<String, Object>> out = new ArrayList<>(byName.size());
        byName.forEach((name, s) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", name);
            e.put("first", BrazeTime.format(s.first()));
            e.put("last", BrazeTime.format(s.last()));
            e.put("count", s.count());
            out.add(e);
        });
        return out;
    }

    private static void put(Map<String, Object> out, Set<String> fields, String name, Object value) {
        if (fields == null || fields.contains(name)) out.put(name, value);
    }
}
