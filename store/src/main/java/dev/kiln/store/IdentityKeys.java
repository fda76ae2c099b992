package dev.kiln.store;

import dev.kiln.engine.UserAlias;

/** Keys of the unique identity index: one per external id and per user alias. */
public final class IdentityKeys {
    private IdentityKeys() {}

    private static final char SEP = '\u001f';

    public static String externalId(String externalId) { return "e" + SEP + externalId; }

    public static String alias(UserAlias alias) { return "a" + SEP + alias.label() + SEP + alias.name(); }
}
