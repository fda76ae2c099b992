package dev.kiln.runtime;

import dev.kiln.engine.UserAlias;

/** How a request names a user (Braze's identifiers). */
public sealed interface Identifier {
    record ExternalId(String value) implements Identifier {}
    record Alias(UserAlias alias) implements Identifier {}
    /** The internal id (Braze's {@code braze_id}). */
    record BrazeId(String value) implements Identifier {}
    record Email(String value) implements Identifier {}

    /** A short description for error messages, e.g. {@code external_id "u1"}. */
    default String describe() {
        return switch (this) {
            case ExternalId e -> "external_id \"" + e.value() + "\"";
            case Alias a -> "user_alias " + a.alias().label() + "/" + a.alias().name();
            case BrazeId b -> "braze_id \"" + b.value() + "\"";
            case Email m -> "email \"" + m.value() + "\"";
        };
    }
}
