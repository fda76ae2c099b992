package dev.kiln.engine;

import java.util.Map;

/** What a transition asks the shell to do. Effects are data; the runtime interprets them. */
public sealed interface Effect {

    /**
     * Append to the event log (and so to Currents). {@code type} is a Braze Currents name such as
     * {@code users.behaviors.CustomEvent}; {@code id} is unique and deterministic for the input.
     */
    record LogEvent(String id, String type, long time, Map<String, Object> data) implements Effect {}

    /** An attribute changed value (also logged); later issues turn these into follow-up inputs. */
    record AttributeChanged(String name, Value oldValue, Value newValue, Source source, long time) implements Effect {}

    /** Keep a durable timer for this user: at {@code dueAt} the shell feeds back {@link Input.TimerFired}. */
    record SetTimer(String canvasId, int token, long dueAt) implements Effect {}

    /** Drop the user's timer for this Canvas (the user moved on before it was due). */
    record CancelTimer(String canvasId, int token) implements Effect {}

    /** A Canvas happening, for statistics: entries, steps, action groups, exits, loop-guard hits. */
    record CanvasStat(String canvasId, int version, Kind kind, String step, String label, long time) implements Effect {
        public enum Kind { ENTERED, STEP_IN, STEP_OUT, GROUP, EXITED, LOOP_GUARD }
    }

    /** The profile is gone; the shell deletes its row and identifiers. */
    record UserDeleted(String userId) implements Effect {}
}
