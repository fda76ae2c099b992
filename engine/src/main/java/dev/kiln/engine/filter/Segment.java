package dev.kiln.engine.filter;

import dev.kiln.engine.UserState;

import java.util.Objects;

/** A named audience: the users that match {@code filter}. Ids are stable; definitions refer to them. */
public record Segment(String id, String name, Filter filter) {
    public Segment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
    }

    public boolean includes(UserState user, long now) {
        return filter.test(user, now);
    }
}
