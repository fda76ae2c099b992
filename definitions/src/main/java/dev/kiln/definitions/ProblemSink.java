package dev.kiln.definitions;

/**
 * Where a {@link DocumentKind} reports what is wrong with a document; the caller adds the file name.
 * Problems make a document invalid; warnings point at something that works but is likely a mistake.
 */
@FunctionalInterface
public interface ProblemSink {
    /** @param path inside the document, {@link Problem#ROOT} for the document itself */
    void report(String path, String message);

    /** A warning never makes a document invalid. A sink that only hears of problems drops warnings. */
    default void warn(String path, String message) {}
}
