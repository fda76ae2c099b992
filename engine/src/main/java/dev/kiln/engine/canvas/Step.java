package dev.kiln.engine.canvas;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.filter.Filter;

import java.util.List;

/** A Canvas step. {@code next} null = the user exits after this step. */
public sealed interface Step {
    String id();

    /**
     * Wait up to {@code windowMillis} for what the user does. Unranked: the first action that qualifies
     * a group moves the user along that group's path at once. Ranked: hold until the window ends and
     * take the highest-ranked (first listed) group that qualified. No action: {@code everyoneElseNext}.
     */
    record ActionPaths(String id, long windowMillis, boolean ranked, List<ActionGroup> groups, String everyoneElseNext)
            implements Step {
        public ActionPaths { groups = List.copyOf(groups); }
    }

    /** @param exit the group takes users out of the Canvas instead of to {@code next} */
    record ActionGroup(String name, List<Trigger> triggers, String next, boolean exit) {
        public ActionGroup { triggers = List.copyOf(triggers); }
    }

    /** Several attribute updates applied as one atomic change. */
    record UserUpdate(String id, List<AttributeOp> updates, String next) implements Step {
        public UserUpdate { updates = List.copyOf(updates); }
    }

    /**
     * Wait a duration, or until a time of day ({@code untilMinuteOfDay}, minutes after midnight) in the
     * user's time zone ({@code zone} null, falling back to UTC) or a fixed zone id.
     */
    record Delay(String id, Long durationMillis, Integer untilMinuteOfDay, String zone, String next) implements Step {}

    /** Ordered filter groups: the first that matches decides; else {@code everyoneElseNext}. */
    record AudiencePaths(String id, List<AudienceGroup> groups, String everyoneElseNext) implements Step {
        public AudiencePaths { groups = List.copyOf(groups); }
    }

    record AudienceGroup(String name, Filter filter, String next) {}

    record DecisionSplit(String id, Filter filter, String yesNext, String noNext) implements Step {}

    /**
     * Send a webhook (the same fields as a webhook campaign) and move on at once; an aborted or failed
     * message does not take the user out of the Canvas (Braze).
     */
    record WebhookStep(String id, dev.kiln.engine.campaign.Webhook webhook, String next) implements Step {}

    /** Every step id this step can lead to (null entries = exit). */
    default List<String> nexts() {
        return switch (this) {
            case ActionPaths a -> {
                var l = new java.util.ArrayList<String>();
                for (ActionGroup g : a.groups()) if (!g.exit()) l.add(g.next());
                l.add(a.everyoneElseNext());
                yield l;
            }
            case UserUpdate u -> java.util.Collections.singletonList(u.next());
            case Delay d -> java.util.Collections.singletonList(d.next());
            case AudiencePaths p -> {
                var l = new java.util.ArrayList<String>();
                for (AudienceGroup g : p.groups()) l.add(g.next());
                l.add(p.everyoneElseNext());
                yield l;
            }
            case DecisionSplit d -> java.util.Arrays.asList(d.yesNext(), d.noNext());
            case WebhookStep w -> java.util.Collections.singletonList(w.next());
        };
    }

    /** Whether users wait on this step (a timer holds them). */
    default boolean waits() { return this instanceof ActionPaths || this instanceof Delay; }
}
