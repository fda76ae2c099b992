package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.UserAlias;
import dev.kiln.runtime.Identifier;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/** Braze's user identifiers in request objects: {@code external_id}, {@code user_alias}, {@code braze_id}, {@code email}. */
final class Identifiers {
    private Identifiers() {}

    // Deliberately loose (Braze validates addresses by sending): one @, no spaces, a dot in the domain.
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    /**
     * The user an object of /users/track names, and whether it may be created.
     *
     * @param updateExistingOnlyByDefault Braze's default of {@code _update_existing_only} for this kind of identifier
     */
    record Who(Identifier id, boolean updateExistingOnlyByDefault) {}

    /**
     * Finds the one identifier of a /users/track object. In an attributes object {@code email} identifies
     * the user only when no other identifier is present (otherwise it is the email attribute), as Braze.
     */
    static Who ofTrackObject(JsonNode obj, boolean attributes) {
        List<String> present = new ArrayList<>();
        for (String f : List.of("external_id", "user_alias", "braze_id")) if (given(obj, f)) present.add(f);
        if (present.isEmpty() || !attributes) {
            if (given(obj, "email")) present.add("email");
            if (given(obj, "phone")) present.add("phone");
        }
        if (present.isEmpty())
            throw new Invalid(Invalid.MISSING_IDENTIFIER, "one of external_id, user_alias, braze_id or email is required");
        if (present.size() > 1)
            throw new Invalid(Invalid.MULTIPLE_IDENTIFIERS, "exactly one identifier is allowed, found " + String.join(" and ", present)
                    + (attributes ? " (email is an attribute when another identifier is given)" : ""));
        return switch (present.get(0)) {
            case "external_id" -> new Who(new Identifier.ExternalId(externalId(obj.get("external_id"), "external_id")), false);
            case "user_alias" -> new Who(new Identifier.Alias(alias(obj.get("user_alias"), "user_alias")), true);
            case "braze_id" -> new Who(new Identifier.BrazeId(Check.nonEmptyString(obj.get("braze_id"), "braze_id", Invalid.IDENTIFIER)), true);
            case "email" -> new Who(new Identifier.Email(email(obj.get("email"), "email", Invalid.IDENTIFIER)), false);
            default -> throw new Invalid(Invalid.UNSUPPORTED, "phone is not supported as an identifier yet; use external_id, user_alias, braze_id or email");
        };
    }

    /** Present and not null (clients often serialise absent fields as null). */
    static boolean given(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        return v != null && !v.isNull();
    }

    static String externalId(JsonNode v, String what) {
        return Check.nonEmptyString(v, what, Invalid.IDENTIFIER);
    }

    static String email(JsonNode v, String what, String type) {
        String s = Check.nonEmptyString(v, what, type);
        if (!EMAIL.matcher(s).matches()) throw new Invalid(type, what + " is not a valid email address: " + Check.quote(s));
        return s;
    }

    static boolean isEmail(String s) { return EMAIL.matcher(s).matches(); }

    /** A user alias object: {@code alias_name} and {@code alias_label}, both non-empty strings, nothing else. */
    static UserAlias alias(JsonNode v, String what) {
        if (v == null || !v.isObject())
            throw new Invalid(Invalid.IDENTIFIER, what + " must be an object with alias_name and alias_label, was " + Check.describe(v));
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("alias_name") && !f.equals("alias_label"))
                throw new Invalid(Invalid.IDENTIFIER, what + " has an unknown field " + Check.quote(f) + "; expected alias_name and alias_label");
        }
        String name = Check.nonEmptyString(v.get("alias_name"), what + ".alias_name", Invalid.IDENTIFIER);
        String label = Check.nonEmptyString(v.get("alias_label"), what + ".alias_label", Invalid.IDENTIFIER);
        return new UserAlias(name, label);
    }
}
