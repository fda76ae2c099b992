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

    /** The profile is gone; the shell deletes its row and identifiers. */
    record UserDeleted(String userId) implements Effect {}
}
