package dev.kiln.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.Effect;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot an outbox message carries: what its templates may read, as the profile is when the
 * message is made (so a retry hours later renders the same request). JSON:
 * <pre>
 * {"braze_id": internal id, "external_id": …, "standard": {Liquid names: first_name, email_address, …},
 *  "custom": {custom attributes}, "event_properties": {…}, "canvas_entry_properties": {…},
 *  "aliases": [{"alias_name", "alias_label"}], "time": epoch ms}
 * </pre>
 * Values: numbers, strings, booleans as JSON; times as ISO-8601 strings; arrays and objects as JSON.
 */
public final class Snapshots {
    private Snapshots() {}

    /** Profile standard attribute names (Braze's /users/track names) → Liquid's {@code ${…}} names. */
    private static final Map<String, String> LIQUID_NAMES = Map.ofEntries(
            Map.entry("first_name", "first_name"), Map.entry("last_name", "last_name"),
            Map.entry("email", "email_address"), Map.entry("phone", "phone_number"),
            Map.entry("country", "country"), Map.entry("language", "language"),
            Map.entry("time_zone", "time_zone"), Map.entry("home_city", "city"),
            Map.entry("gender", "gender"), Map.entry("dob", "date_of_birth"));

    static String of(UserState user, Effect.SendWebhook m, ObjectMapper json) {
        return of(user, m.eventProperties(), m.entryProperties(), m.time(), json);
    }

    /** A snapshot of {@code user} as a message made at {@code time} would carry (previews use it too). */
    public static String of(UserState user, Map<String, Object> eventProperties, Map<String, Object> entryProperties, long time,
                            ObjectMapper json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("braze_id", user.userId());
        out.put("external_id", user.externalId());
        Map<String, Object> standard = new LinkedHashMap<>();
        user.standard().forEach((k, v) -> {
            String name = LIQUID_NAMES.get(k);
            if (name != null) standard.put(name, plain(v));
        });
        out.put("standard", standard);
        Map<String, Object> custom = new LinkedHashMap<>();
        user.custom().forEach((k, v) -> custom.put(k, plain(v)));
        out.put("custom", custom);
        out.put("event_properties", eventProperties);
        out.put("canvas_entry_properties", entryProperties);
        List<Map<String, String>> aliases = new ArrayList<>();
        for (UserAlias a : user.aliases()) aliases.add(Map.of("alias_name", a.name(), "alias_label", a.label()));
        out.put("aliases", aliases);
        out.put("time", time);
        try {
            return json.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("snapshot of " + user.userId() + " is not serialisable", e);
        }
    }

    /** A profile value as plain JSON data. */
    public static Object plain(Value v) {
        return switch (v) {
            case Value.Num n -> {
                double d = n.value();
                yield d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15 ? (Object) (long) d : (Object) d;
            }
            case Value.Str s -> s.value();
            case Value.Bool b -> b.value();
            case Value.Time t -> java.time.Instant.ofEpochMilli(t.epochMillis()).toString();
            case Value.Arr a -> a.values();
            case Value.Obj o -> o.value();
        };
    }
}
