package dev.kiln.runtime;

import dev.kiln.engine.Input;
import dev.kiln.engine.UserAlias;

/**
 * One op routed to a lane, with the user already resolved. For a user created by this op,
 * {@code isNew} is set and the identity fields say what created it.
 */
record Work(String userId, boolean isNew, String newExternalId, UserAlias newAlias, String newEmail,
            Input input, Outcome[] outcomes, int slot, Delivery delivery) {

    static Work existing(String userId, Input input, Outcome[] outcomes, int slot) {
        return new Work(userId, false, null, null, null, input, outcomes, slot, null);
    }
}
