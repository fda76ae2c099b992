package dev.kiln.engine.canvas;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Canvas: who enters (entry), where they start, and the steps they move through. Immutable; a new
 * {@code version} is made whenever an active Canvas is edited. Steps are keyed by id; a step without a
 * {@code next} exits the user.
 */
public record Canvas(String id, String name, List<String> tags, int version, Status status, Entry entry,
                     String start, Map<String, Step> steps, List<Trigger> exitOn) {
    public enum Status { DRAFT, ACTIVE, STOPPED }

    public Canvas {
        Objects.requireNonNull(id, "id");
        tags = List.copyOf(tags);
        steps = Map.copyOf(steps);
        exitOn = List.copyOf(exitOn);
    }

    public Step step(String stepId) { return steps.get(stepId); }

    public boolean active() { return status == Status.ACTIVE; }

    public Canvas withStatus(Status s) { return new Canvas(id, name, tags, version, s, entry, start, steps, exitOn); }

    public Canvas withVersion(int v) { return new Canvas(id, name, tags, v, status, entry, start, steps, exitOn); }

    /** The same definition, ignoring version and status (to tell whether an edit changed anything). */
    public boolean sameDefinition(Canvas o) {
        return o != null && id.equals(o.id) && Objects.equals(name, o.name) && tags.equals(o.tags)
                && entry.equals(o.entry) && start.equals(o.start) && steps.equals(o.steps) && exitOn.equals(o.exitOn);
    }
}
