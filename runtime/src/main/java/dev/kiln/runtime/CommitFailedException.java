package dev.kiln.runtime;

/** The epoch holding a submission could not be committed; nothing of it was applied. Retryable. */
public final class CommitFailedException extends RuntimeException {
    public CommitFailedException(String message, Throwable cause) { super(message, cause); }
}
