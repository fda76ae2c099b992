package dev.kiln.definitions;

/** Where a {@link DocumentKind} reports what is wrong with a document; the caller adds the file name. */
@FunctionalInterface
public interface ProblemSink {
    /** @param path inside the document, {@link Problem#ROOT} for the document itself */
    void report(String path, String message);
}
