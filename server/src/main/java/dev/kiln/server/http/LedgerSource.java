package dev.kiln.server.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A ledger row's source label ({@link dev.kiln.engine.Source#label()}) as structure, for clients that
 * want to group or link changes: {@code users/track:REQ}, {@code canvas:ID:vN:STEP[:GROUP]},
 * {@code campaign:ID}, {@code cdi:ID}, {@code api:WHAT}, {@code timer:CANVAS}, {@code system:WHAT}.
 * The raw {@code label} is always included, so a label this class does not know loses nothing.
 */
final class LedgerSource {
    private LedgerSource() {}

    private static final Pattern VERSION = Pattern.compile("v[0-9]{1,9}");

    static Map<String, Object> parse(String label) {
        Map<String, Object> out = new LinkedHashMap<>();
        int colon = label.indexOf(':');
        String kind = colon < 0 ? label : label.substring(0, colon);
        String ref = colon < 0 ? "" : label.substring(colon + 1);
        switch (kind) {
            case "users/track" -> put(out, "users/track", "request_id", ref);
            case "canvas" -> canvas(ref, out);
            case "campaign" -> put(out, "campaign", "campaign_id", ref);
            case "cdi" -> put(out, "cdi", "integration_id", ref);
            case "api" -> put(out, "api", "what", ref);
            case "timer" -> put(out, "timer", "canvas_id", ref);
            case "system" -> put(out, "system", "what", ref);
            default -> out.put("type", "unknown");
        }
        out.put("label", label);
        return out;
    }

    private static void put(Map<String, Object> out, String type, String key, String value) {
        out.put("type", type);
        out.put(key, value);
    }

    /**
     * {@code ID:vN:STEP[:GROUP]}. Canvas and step ids cannot hold ':' (ids are letters, digits, '_', '-'
     * and '.'), but a group name can: it is everything after the step.
     */
    private static void canvas(String ref, Map<String, Object> out) {
        out.put("type", "canvas");
        String[] parts = ref.split(":", 4);
        out.put("canvas_id", parts[0]);
        if (parts.length < 3 || !VERSION.matcher(parts[1]).matches()) return; // not the shape we know: the label says the rest
        out.put("version", Integer.parseInt(parts[1].substring(1)));
        out.put("step", parts[2]);
        if (parts.length == 4) out.put("action_group", parts[3]);
    }
}
