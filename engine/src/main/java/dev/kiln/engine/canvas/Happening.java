package dev.kiln.engine.canvas;

import dev.kiln.engine.Value;

import java.util.Map;

/** What happened to a user, as triggers see it; derived from an input and its effects. */
sealed interface Happening {
    record Event(String name, Map<String, Object> properties) implements Happening {}
    record Session() implements Happening {}
    record Purchase(String productId, Map<String, Object> properties) implements Happening {}
    record AttributeChange(String name, Value oldValue, Value newValue) implements Happening {}
    record Api(String canvasId, Map<String, Object> entryProperties) implements Happening {}
    /** A webhook message was sent (2xx); {@code campaignId} null for a Canvas step's. */
    record WebhookSent(String campaignId) implements Happening {}
}
