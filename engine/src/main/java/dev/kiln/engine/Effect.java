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

    /**
     * Send a webhook message: the shell writes an outbox row in the same commit, with a snapshot of the
     * profile as it is at the end of this transition, and delivers it at least once. {@code messageId} is
     * unique and deterministic for the input (it is the idempotency key). Exactly one of
     * {@code campaignId} and {@code canvasId} (+ {@code stepId}) is set.
     *
     * @param eventProperties  the triggering event's properties, or the API trigger properties
     * @param entryProperties  the Canvas entry properties (Canvas steps)
     */
    record SendWebhook(String messageId, String campaignId, String canvasId, int version, String stepId, long time,
                       Map<String, Object> eventProperties, Map<String, Object> entryProperties) implements Effect {
        public SendWebhook {
            eventProperties = eventProperties == null ? Map.of() : eventProperties;
            entryProperties = entryProperties == null ? Map.of() : entryProperties;
        }
    }

    /** The profile is gone; the shell deletes its row and identifiers. */
    record UserDeleted(String userId) implements Effect {}
}
