package dev.kiln.definitions;

import java.util.Objects;

/**
 * One thing wrong in a definition document. {@code file} is relative to the definitions directory
 * ({@code segments/leads.yaml}); {@code path} points inside the document ({@code filters.all[2].attribute},
 * {@code $} for the document itself).
 */
public record Problem(String file, String path, String message) {
    /** The path of the document root. */
    public static final String ROOT = "$";

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file: path: message}, one line, as printed by {@code kiln validate}. */
    @Override public String toString() {
        return file + ": " + path + ": " + message;
    }
}
