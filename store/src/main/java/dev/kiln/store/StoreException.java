package dev.kiln.store;

/** A store operation failed; nothing of the failed commit was written. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) { super(message, cause); }
    public StoreException(String message) { super(message); }
}
