package dev.kiln.engine.canvas;

import dev.kiln.engine.Value;
import dev.kiln.engine.filter.Condition;

import java.util.List;

/** Something a user does (or that happens to them) that enters a Canvas or qualifies an action group. */
public sealed interface Trigger {

    /**
     * A custom attribute got a new value: any new value ({@code value} null) or a specific one. Never on
     * an unset (null) value nor on re-sending the same value; fires for new users (Braze).
     */
    record AttributeChanged(String name, Value value) implements Trigger {}

    /** A number attribute crossed {@code threshold}: upward (old below, new at or above) or downward (old at or above, new below). */
    record AttributeCrossed(String name, double threshold, Direction direction) implements Trigger {
        public enum Direction { UP, DOWN }
    }

    /** The user got an email address (none before, or a different one). */
    record EmailAdded() implements Trigger {}

    /** A custom event, with property filters that all must hold (AND). */
    record CustomEvent(String name, List<PropertyFilter> properties) implements Trigger {
        public CustomEvent { properties = List.copyOf(properties); }
    }

    record SessionStarted() implements Trigger {}

    /**
     * The user received a webhook (Braze's "received webhook" action): the endpoint answered 2xx. Any
     * webhook ({@code campaignId} null) or one campaign's; a Canvas webhook step counts as "any".
     */
    record WebhookSent(String campaignId) implements Trigger {}

    /** A purchase, of any product ({@code productId} null) or one, with optional filters on price/properties. */
    record Purchase(String productId, List<PropertyFilter> properties) implements Trigger {
        public Purchase { properties = List.copyOf(properties); }
    }

    /**
     * A filter on one event property: {@code path} into nested properties (for purchases, {@code price},
     * {@code quantity}, {@code currency} are properties too). An absent property is blank.
     */
    record PropertyFilter(List<String> path, Condition condition) {
        public PropertyFilter { path = List.copyOf(path); }
    }
}
