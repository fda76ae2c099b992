package dev.kiln.definitions;

import java.util.List;

/**
 * What loading a directory gave: every problem found, and, only when there are none, the definitions.
 * A directory with any problem is rejected as a whole, so a half-valid set is never applied.
 */
public final class LoadResult {
    private final DefinitionSet definitions;
    private final List<Problem> problems;

    private LoadResult(DefinitionSet definitions, List<Problem> problems) {
        this.definitions = definitions;
        this.problems = List.copyOf(problems);
    }

    static LoadResult valid(DefinitionSet definitions) { return new LoadResult(definitions, List.of()); }

    static LoadResult invalid(List<Problem> problems) {
        if (problems.isEmpty()) throw new IllegalArgumentException("an invalid result needs problems");
        return new LoadResult(null, problems);
    }

    public boolean valid() { return problems.isEmpty(); }

    /** Problems in file order, then in document order. */
    public List<Problem> problems() { return problems; }

    /** @throws IllegalStateException when there are problems: check {@link #valid()} first */
    public DefinitionSet definitions() {
        if (!valid()) throw new IllegalStateException("definitions have " + problems.size() + " problem(s), first: " + problems.get(0));
        return definitions;
    }

    @Override public String toString() {
        return valid() ? "LoadResult[valid, " + definitions + "]" : "LoadResult[invalid, " + problems + "]";
    }
}
