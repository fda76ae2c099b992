package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One kind of definition document (segments, canvases, campaigns, connections; CDI and Currents
 * later), read from its own folder of the definitions directory. A kind only turns one parsed
 * document into its model; the loader finds files, reads YAML/JSON, checks ids are unique and adds
 * file names to problems.
 *
 * <p>Loading has two passes. {@link #parse} reads each document on its own; once every document of
 * every kind is parsed, {@link #resolve} completes each definition with the ones it refers to (a
 * Canvas audience names segments, a webhook template names connections). Kind order therefore never matters.
 */
public interface DocumentKind<T> {

    /** The folder under the definitions directory, plural: {@code segments}. Also the plural noun. */
    String folder();

    /** The singular noun for summaries: {@code segment}. */
    String singular();

    /** The plural noun for summaries; the folder unless that is not a plural ({@code cdi}). */
    default String plural() { return folder(); }

    /**
     * Builds the model from one document. Report every problem found (not only the first) with
     * paths relative to the document; the result is used only when nothing was reported, so it may be
     * null or partial otherwise. The document's {@code id} must be a top-level string field: the loader
     * reads it to check uniqueness.
     */
    T parse(JsonNode document, ProblemSink problems);

    /**
     * Second pass, for a definition that {@link #parse} built without problems: checks its references
     * to other definitions in {@code context} (every definition as parsed, of every kind) and returns
     * the definition completed with them. Problems are reported as in {@code parse}, with document
     * paths; the result is used only when nothing was reported. The default has no references.
     */
    default T resolve(T definition, DefinitionSet context, ProblemSink problems) {
        return definition;
    }
}
