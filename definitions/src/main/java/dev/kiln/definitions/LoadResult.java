package dev.kiln.definitions;

import java.util.List;

/**
 * What loading a directory gave: every problem found, and, only when there are none, the definitions.
 * A directory with any problem is rejected as a whole, so a half-valid set is never applied. Warnings
 * (likely mistakes that still work, such as a Canvas that re-enters itself without waiting) never make
 * a set invalid.
 */
public final class LoadResult {
    private final DefinitionSet definitions;
    private final List<Problem> problems;
    private final List<Problem> warnings;

    private LoadResult(DefinitionSet definitions, List<Problem> problems, List<Problem> warnings) {
        this.definitions = definitions;
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(warnings);
    }

    static LoadResult valid(DefinitionSet definitions) { return valid(definitions, List.of()); }

    static LoadResult valid(DefinitionSet definitions, List<Problem> warnings) {
        return new LoadResult(definitions, List.of(), warnings);
    }

    static LoadResult invalid(List<Problem> problems) { return invalid(problems, List.of()); }

    static LoadResult invalid(List<Problem> problems, List<Problem> warnings) {
        if (problems.isEmpty()) throw new IllegalArgumentException("an invalid result needs problems");
        return new LoadResult(null, problems, warnings);
    }

    public boolean valid() { return problems.isEmpty(); }

    /** Problems in file order, then in document order. */
    public List<Problem> problems() { return problems; }

    /** Warnings in file order, then in document order; present whether or not the set is valid. */
    public List<Problem> warnings() { return warnings; }

    /** @throws IllegalStateException when there are problems: check {@link #valid()} first */
    public DefinitionSet definitions() {
        if (!valid()) throw new IllegalStateException("definitions have " + problems.size() + " problem(s), first: " + problems.get(0));
        return definitions;
    }

    @Override public String toString() {
        String w = warnings.isEmpty() ? "" : ", warnings " + warnings;
        return (valid() ? "LoadResult[valid, " + definitions : "LoadResult[invalid, " + problems) + w + "]";
    }
}
