package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One kind of definition document (segments now; canvases, campaigns, CDI, Currents and connections
 * later), read from its own folder of the definitions directory. A kind only turns one parsed
 * document into its model; the loader finds files, reads YAML/JSON, checks ids are unique and adds
 * file names to problems.
 */
public interface DocumentKind<T> {

    /** The folder under the definitions directory, plural: {@code segments}. Also the plural noun. */
    String folder();

    /** The singular noun for summaries: {@code segment}. */
    String singular();

    /**
     * Builds the model from one document. Report every problem found (not only the first) with
     * paths relative to the document; the result is used only when nothing was reported, so it may be
     * null or partial otherwise. The document's {@code id} must be a top-level string field: the loader
     * reads it to check uniqueness.
     */
    T parse(JsonNode document, ProblemSink problems);
}
