package dev.kiln.engine.filter;

import java.util.Objects;

/** What an {@link Filter.Event} filter counts: one kind of thing a user does. */
public sealed interface Activity {

    /** A custom event by name; reserved {@code kiln.*} events (email opens, form submits, …) count too. */
    record CustomEvent(String name) implements Activity {
        public CustomEvent { Objects.requireNonNull(name, "name"); }
    }

    /** Purchases of any product; counts add up each purchase's quantity. */
    record AnyPurchase() implements Activity {}

    /** Purchases of one product id. */
    record Product(String productId) implements Activity {
        public Product { Objects.requireNonNull(productId, "productId"); }
    }

    /** Session starts. */
    record Sessions() implements Activity {}
}
