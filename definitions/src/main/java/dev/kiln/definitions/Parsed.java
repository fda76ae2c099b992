package dev.kiln.definitions;

import java.util.List;
import java.util.Optional;

/** One document parsed on its own (an API request body): the definition, or why there is none. */
public record Parsed<T>(Optional<T> value, List<Problem> problems) {
    public Parsed {
        problems = List.copyOf(problems);
        if (value.isPresent() == !problems.isEmpty())
            throw new IllegalArgumentException("a value exactly when there are no problems");
    }

    public boolean valid() { return problems.isEmpty(); }
}
