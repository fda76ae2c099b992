package dev.kiln.engine.canvas;

import dev.kiln.engine.filter.Filter;

import java.util.List;

/**
 * How users enter a Canvas.
 *
 * @param triggers     action-based entry: any one trigger enters the user (checked before the audience, as Braze)
 * @param apiTriggered whether {@code POST /canvas/trigger/send} may enter users
 * @param audience     segments AND filters, evaluated at entry; {@code audience} already has the named
 *                     segments' filters folded in (see {@code segmentIds})
 * @param segmentIds   the segments named by the definition (for display)
 * @param reentry      whether and when a user who left may enter again
 * @param limits       how many entries the Canvas takes per hour, per day and in its lifetime (null = no limit)
 * @param sendTo       who may receive messages (kept for the webhook step; scoring ignores it)
 */
public record Entry(List<Trigger> triggers, boolean apiTriggered, Filter audience, List<String> segmentIds,
                    Reentry reentry, Limits limits, SendTo sendTo) {
    public Entry {
        triggers = List.copyOf(triggers);
        segmentIds = List.copyOf(segmentIds);
    }

    /** @param afterMillis how long after entering a user may enter again (0 = as soon as they left) */
    public record Reentry(boolean allowed, long afterMillis) {
        public static final Reentry NEVER = new Reentry(false, 0);
    }

    public record Limits(Long perHour, Long perDay, Long lifetime) {
        public static final Limits NONE = new Limits(null, null, null);
        public boolean none() { return perHour == null && perDay == null && lifetime == null; }
    }

    public enum SendTo { ALL_USERS, SUBSCRIBED_OR_OPTED_IN, OPTED_IN }
}
