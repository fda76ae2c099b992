package dev.kiln.engine;

import java.util.List;

/**
 * The result of applying one input: the effects, or a rejection reason (then the state is unchanged
 * and there are no effects).
 */
public record Transition(List<Effect> effects, String rejection) {
    public static Transition rejected(String reason) { return new Transition(List.of(), reason); }
    public boolean isRejected() { return rejection != null; }
}
