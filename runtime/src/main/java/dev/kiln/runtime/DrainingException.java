package dev.kiln.runtime;

/** The runtime is shutting down and accepts no new work; nothing of the refused submission was applied. */
public final class DrainingException extends IllegalStateException {
    public DrainingException() { super("Kiln is shutting down; retry against another instance or later"); }
}
