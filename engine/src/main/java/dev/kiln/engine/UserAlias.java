package dev.kiln.engine;

/** A Braze user alias: a name unique within its label. */
public record UserAlias(String name, String label) {
    public UserAlias {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("alias_name is required");
        if (label == null || label.isEmpty()) throw new IllegalArgumentException("alias_label is required");
    }
}
