package dev.kiln.delivery;

import dev.kiln.definitions.Connection;

/** A secret could not be read: the message names the environment variable or file, never a value. */
public final class SecretException extends DeliveryException {
    private static final long serialVersionUID = 1L;

    private final transient Connection.SecretRef ref;

    public SecretException(Connection.SecretRef ref, String message) {
        super(message, false);
        this.ref = ref;
    }

    /** Where the secret was to be read from. */
    public Connection.SecretRef ref() { return ref; }
}
