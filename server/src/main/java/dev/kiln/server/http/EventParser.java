package dev.kiln.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Input;
import dev.kiln.engine.Limits;
import dev.kiln.engine.ReservedEvents;
import dev.kiln.engine.Source;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;

import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Event and purchase objects of /users/track → {@link Op.Apply} of {@link Input.TrackEvent} / {@link Input.TrackPurchase}. */
final class EventParser {
    private static final Set<String> IDENTIFYING = Set.of("external_id", "user_alias", "braze_id", "email", "phone", "app_id", "_update_existing_only");
    private static final Set<String> EVENT_FIELDS = union(IDENTIFYING, Set.of("name", "time", "properties"));
    private static final Set<String> PURCHASE_FIELDS = union(IDENTIFYING, Set.of("product_id", "currency", "price", "quantity", "time", "properties"));
    /** Braze: these keys are reserved and refused as property names. */
    private static final Set<String> RESERVED_PROPERTY_KEYS = Set.of("time", "event_name");
    static final int MAX_QUANTITY = 100;

    private final ObjectMapper mapper;

    EventParser(ObjectMapper mapper) { this.mapper = mapper; }

    Op event(JsonNode obj, String inputId, Source source) {
        String type = Invalid.EVENT;
        Identifiers.Who who = common(obj, EVENT_FIELDS, "an event", type);
        String name = Check.nonEmptyString(obj.get("name"), "name", type);
        if (name.startsWith(ReservedEvents.PREFIX) && !ReservedEvents.isReserved(name))
            throw new Invalid(type, "event names starting with " + ReservedEvents.PREFIX + " are reserved; known ones are "
                    + new TreeSet<>(ReservedEvents.TYPES.keySet()));
        long time = time(obj, type);
        Map<String, Object> props = properties(obj.get("properties"));
        return apply(obj, who, new Input.TrackEvent(inputId, source, name, time, props), type);
    }

    Op purchase(JsonNode obj, String inputId, Source source) {
        String type = Invalid.PURCHASE;
        Identifiers.Who who = common(obj, PURCHASE_FIELDS, "a purchase", type);
        String productId = Check.nonEmptyString(obj.get("product_id"), "product_id", type);
        String currency = currency(obj.get("currency"));
        double price = Check.number(obj.get("price"), "price", type);
        int quantity = quantity(obj.get("quantity"));
        long time = time(obj, type);
        Map<String, Object> props = properties(obj.get("properties"));
        return apply(obj, who, new Input.TrackPurchase(inputId, source, productId, currency, price, quantity, time, props), type);
    }

    private static Identifiers.Who common(JsonNode obj, Set<String> allowed, String what, String type) {
        if (!obj.isObject()) throw new Invalid(Invalid.OBJECT, what + " object must be a JSON object, was " + Check.describe(obj));
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            // Unknown fields are refused: a misspelt "propertes" would otherwise be dropped in silence.
            if (!allowed.contains(f)) throw new Invalid(type, "unknown field " + Check.quote(f) + "; allowed: " + new TreeSet<>(allowed));
        }
        if (Identifiers.given(obj, "app_id")) Check.string(obj.get("app_id"), "app_id", type);
        return Identifiers.ofTrackObject(obj, false);
    }

    private static Op apply(JsonNode obj, Identifiers.Who who, Input input, String type) {
        boolean updateOnly = Check.bool(obj, "_update_existing_only", who.updateExistingOnlyByDefault(), type);
        return new Op.Apply(who.id(), !updateOnly && !(who.id() instanceof Identifier.BrazeId), input);
    }

    private static long time(JsonNode obj, String type) {
        JsonNode v = obj.get("time");
        if (v == null || v.isNull()) throw new Invalid(type, "time is required (ISO 8601, e.g. 2026-11-28T15:00:00Z)");
        String s = Check.string(v, "time", type);
        return BrazeTime.parse(s).orElseThrow(() -> new Invalid(type,
                "time must be ISO 8601 or yyyy-MM-dd'T'HH:mm:ss:SSSZ, was " + Check.quote(s)));
    }

    private static String currency(JsonNode v) {
        String s = Check.nonEmptyString(v, "currency", Invalid.PURCHASE).toUpperCase(Locale.ROOT);
        try {
            if (s.length() == 3) return Currency.getInstance(s).getCurrencyCode();
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw new Invalid(Invalid.PURCHASE, "currency must be an ISO 4217 code such as USD, was " + Check.quote(s));
    }

    private static int quantity(JsonNode v) {
        if (v == null || v.isNull()) return 1;
        double q = Check.number(v, "quantity", Invalid.PURCHASE);
        if (q != Math.rint(q) || q < 1 || q > MAX_QUANTITY)
            throw new Invalid(Invalid.PURCHASE, "quantity must be a whole number from 1 to " + MAX_QUANTITY + ", was " + v.asText());
        return (int) q;
    }

    /** Braze's property rules: ≤ 256 keys, names ≤ 255 characters without a leading $, bounded nesting and size. */
    @SuppressWarnings("unchecked")
    Map<String, Object> properties(JsonNode v) {
        String type = Invalid.PROPERTY;
        if (v == null || v.isNull()) return Map.of();
        if (!v.isObject()) throw new Invalid(type, "properties must be an object, was " + Check.describe(v));
        if (v.size() > Limits.MAX_EVENT_PROPERTIES)
            throw new Invalid(type, "properties has " + v.size() + " keys; at most " + Limits.MAX_EVENT_PROPERTIES + " are allowed");
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : v.properties()) {
            String key = Check.key(e.getKey(), "properties", type);
            if (RESERVED_PROPERTY_KEYS.contains(key)) throw new Invalid(type, "property name " + Check.quote(key) + " is reserved");
            out.put(key, Check.plain(e.getValue(), "properties." + key, 1, true, type));
        }
        int bytes;
        try {
            bytes = mapper.writeValueAsBytes(out).length;
        } catch (JsonProcessingException e) {
            throw new Invalid(type, "properties could not be serialised: " + e.getOriginalMessage());
        }
        if (bytes > Limits.MAX_PROPERTIES_BYTES)
            throw new Invalid(type, "properties take " + bytes + " bytes; at most " + Limits.MAX_PROPERTIES_BYTES + " are allowed");
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
