package dev.kiln.definitions;

import java.util.List;
import java.util.Optional;

/**
 * One document parsed on its own (an API request body): the definition, or why there is none; and
 * warnings, which never stop a definition from being used.
 */
public record Parsed<T>(Optional<T> value, List<Problem> problems, List<Problem> warnings) {
    public Parsed {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
        if (value.isPresent() == !problems.isEmpty())
            throw new IllegalArgumentException("a value exactly when there are no problems");
    }

    public Parsed(Optional<T> value, List<Problem> problems) { this(value, problems, List.of()); }

    public boolean valid() { return problems.isEmpty(); }
}
