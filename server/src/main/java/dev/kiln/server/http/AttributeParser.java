package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.StandardAttributes;
import dev.kiln.engine.Value;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One attributes object of /users/track → one {@link Op.Apply} of {@link Input.UpdateAttributes}. */
final class AttributeParser {
    private AttributeParser() {}

    private static final Set<String> CONTROL = Set.of("external_id", "user_alias", "braze_id", "_update_existing_only", "_merge_objects");
    /** Braze fields Kiln does not model; refused rather than stored as look-alike custom attributes. */
    private static final Set<String> UNSUPPORTED = Set.of("push_token_import", "push_tokens", "subscription_groups",
            "current_location", "facebook", "twitter", "alias_name", "alias_label");
    private static final Set<String> GENDERS = Set.of("M", "F", "O", "N", "P");
    private static final Set<String> TIMES = Set.of("date_of_first_session", "date_of_last_session");

    static Op parse(JsonNode obj, String inputId, Source source) {
        if (!obj.isObject()) throw new Invalid(Invalid.OBJECT, "an attributes object must be a JSON object, was " + Check.describe(obj));
        Identifiers.Who who = Identifiers.ofTrackObject(obj, true);
        boolean updateOnly = Check.bool(obj, "_update_existing_only", who.updateExistingOnlyByDefault(), Invalid.ATTRIBUTE);
        if (Check.bool(obj, "_merge_objects", false, Invalid.ATTRIBUTE))
            throw new Invalid(Invalid.UNSUPPORTED, "_merge_objects is not supported yet: send the whole nested object");
        boolean emailIdentifies = who.id() instanceof Identifier.Email;
        List<AttributeOp> ops = new ArrayList<>();
        for (var e : obj.properties()) {
            String name = e.getKey();
            if (CONTROL.contains(name)) continue;
            if (UNSUPPORTED.contains(name))
                throw new Invalid(Invalid.UNSUPPORTED, "attribute " + name + " is not supported by Kiln");
            if (name.equals("email") && emailIdentifies) {
                // Braze sets the email field of a profile identified (or created) by email.
                ops.add(new AttributeOp.Set("email", new Value.Str(((Identifier.Email) who.id()).value())));
                continue;
            }
            ops.addAll(StandardAttributes.isStandard(name) ? List.of(standard(name, e.getValue())) : custom(name, e.getValue()));
        }
        boolean create = !updateOnly && !(who.id() instanceof Identifier.BrazeId); // a braze_id never creates
        return new Op.Apply(who.id(), create, new Input.UpdateAttributes(inputId, source, ops));
    }

    private static AttributeOp standard(String name, JsonNode v) {
        if (v.isNull()) return new AttributeOp.Unset(name);
        String s = Check.string(v, name, Invalid.ATTRIBUTE);
        switch (name) {
            case "email" -> {
                if (!s.isEmpty()) Identifiers.email(v, name, Invalid.ATTRIBUTE);
            }
            case "email_subscribe", "push_subscribe" -> {
                if (!StandardAttributes.SUBSCRIPTION_STATES.contains(s))
                    throw new Invalid(Invalid.ATTRIBUTE, name + " must be one of opted_in, subscribed, unsubscribed, was " + Check.quote(s));
            }
            case "gender" -> {
                s = s.toUpperCase(java.util.Locale.ROOT);
                if (!GENDERS.contains(s)) throw new Invalid(Invalid.ATTRIBUTE, "gender must be one of M, F, O, N, P (or null), was " + Check.quote(s));
            }
            case "dob" -> {
                try {
                    LocalDate.parse(s);
                } catch (DateTimeParseException ex) {
                    throw new Invalid(Invalid.ATTRIBUTE, "dob must be a date as YYYY-MM-DD, was " + Check.quote(s));
                }
            }
            default -> { }
        }
        if (TIMES.contains(name)) {
            String text = s;
            Long t = BrazeTime.parse(s).orElseThrow(() -> new Invalid(Invalid.ATTRIBUTE,
                    name + " must be a time (ISO 8601 or yyyy-MM-dd'T'HH:mm:ss:SSSZ), was " + Check.quote(text)));
            return new AttributeOp.Set(name, new Value.Time(t));
        }
        return new AttributeOp.Set(name, new Value.Str(s));
    }

    private static List<AttributeOp> custom(String name, JsonNode v) {
        if (name.isEmpty()) throw new Invalid(Invalid.ATTRIBUTE, "attribute names must not be empty");
        String what = "attribute " + Check.quote(name);
        Check.text(name, what + " name", Invalid.ATTRIBUTE);
        if (name.charAt(0) == '$') throw new Invalid(Invalid.ATTRIBUTE, what + ": names must not start with $");
        return switch (v.getNodeType()) {
            case NULL -> List.of(new AttributeOp.Unset(name));
            case BOOLEAN -> List.of(new AttributeOp.Set(name, new Value.Bool(v.booleanValue())));
            case NUMBER -> List.of(new AttributeOp.Set(name, new Value.Num(Check.number(v, what, Invalid.ATTRIBUTE))));
            case STRING -> {
                String s = Check.string(v, what, Invalid.ATTRIBUTE);
                // As Braze: a string in one of its time formats makes a time attribute.
                yield List.of(new AttributeOp.Set(name, BrazeTime.parse(s).<Value>map(Value.Time::new).orElse(new Value.Str(s))));
            }
            case ARRAY -> List.of(new AttributeOp.Set(name, new Value.Arr(strings(v, what))));
            case OBJECT -> operationsOrNested(name, what, v);
            default -> throw new Invalid(Invalid.ATTRIBUTE, what + " has an unsupported value");
        };
    }

    /** {@code {"inc": n}}, {@code {"add": [...], "remove": [...]}}, or else a nested custom attribute. */
    @SuppressWarnings("unchecked")
    private static List<AttributeOp> operationsOrNested(String name, String what, JsonNode v) {
        boolean inc = v.has("inc"), add = v.has("add"), remove = v.has("remove");
        if (inc) {
            if (v.size() != 1) throw new Invalid(Invalid.ATTRIBUTE, what + ": {\"inc\": n} cannot be combined with other keys");
            return List.of(new AttributeOp.Inc(name, Check.number(v.get("inc"), what + " inc", Invalid.ATTRIBUTE)));
        }
        if (add || remove) {
            if (v.size() != (add ? 1 : 0) + (remove ? 1 : 0))
                throw new Invalid(Invalid.ATTRIBUTE, what + ": {\"add\": [...]} and {\"remove\": [...]} cannot be combined with other keys");
            List<AttributeOp> ops = new ArrayList<>(2);
            for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                String op = it.next();
                List<String> values = strings(v.get(op), what + " " + op);
                ops.add(op.equals("add") ? new AttributeOp.Add(name, values) : new AttributeOp.Remove(name, values));
            }
            return ops;
        }
        // Braze drops a nested attribute holding nulls; Kiln refuses it so the client learns why.
        Map<String, Object> tree = (Map<String, Object>) Check.plain(v, what, 1, false, Invalid.ATTRIBUTE);
        return List.of(new AttributeOp.Set(name, new Value.Obj(tree)));
    }

    private static List<String> strings(JsonNode v, String what) {
        if (v == null || !v.isArray()) throw new Invalid(Invalid.ATTRIBUTE, what + " must be an array of strings, was " + Check.describe(v));
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode el = v.get(i);
            if (!el.isTextual())
                throw new Invalid(Invalid.ATTRIBUTE, what + " must hold strings only (Kiln arrays are arrays of strings); element "
                        + i + " is " + Check.describe(el));
            out.add(Check.text(el.textValue(), what + "[" + i + "]", Invalid.ATTRIBUTE));
        }
        return out;
    }
}
