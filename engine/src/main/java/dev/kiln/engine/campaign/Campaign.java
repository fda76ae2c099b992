package dev.kiln.engine.campaign;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Entry;
import dev.kiln.engine.canvas.Trigger;
import dev.kiln.engine.filter.Filter;

import java.util.List;
import java.util.Objects;

/**
 * A webhook campaign. Delivery is action-based ({@code triggers}, the same set as Canvas entry),
 * API-triggered ({@code apiTriggered}) and/or scheduled to its audience ({@code schedule}, run by the
 * shell, which submits one {@link dev.kiln.engine.Input.TriggerCampaign} per user). Immutable; editing an
 * active campaign makes a new {@code version}.
 *
 * @param audience      segments AND filters, checked when the campaign triggers (segments folded in)
 * @param reeligibility whether, and how long after receiving it, a user may receive the campaign again;
 *                      only a sent message (2xx) counts as received — an abort or a failure does not (Braze)
 * @param perMinute     the campaign's rate limit in messages per minute (null = none); enforced by delivery
 * @param onSuccess     user updates applied when the endpoint answers 2xx (beyond Braze)
 */
public record Campaign(String id, String name, List<String> tags, int version, Canvas.Status status,
                       List<Trigger> triggers, boolean apiTriggered, Schedule schedule, Filter audience,
                       List<String> segmentIds, Entry.Reentry reeligibility, Integer perMinute, Webhook webhook,
                       List<AttributeOp> onSuccess) {

    public Campaign {
        Objects.requireNonNull(id, "id");
        tags = List.copyOf(tags);
        triggers = List.copyOf(triggers);
        segmentIds = List.copyOf(segmentIds);
        onSuccess = List.copyOf(onSuccess);
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(reeligibility, "reeligibility");
        Objects.requireNonNull(webhook, "webhook");
    }

    /**
     * A scheduled send to the whole audience: once at {@code startAt} (epoch ms), and then every
     * {@code everyMillis} when not null.
     */
    public record Schedule(long startAt, Long everyMillis) {}

    public boolean active() { return status == Canvas.Status.ACTIVE; }

    public Campaign withStatus(Canvas.Status s) {
        return new Campaign(id, name, tags, version, s, triggers, apiTriggered, schedule, audience, segmentIds,
                reeligibility, perMinute, webhook, onSuccess);
    }

    public Campaign withVersion(int v) {
        return new Campaign(id, name, tags, v, status, triggers, apiTriggered, schedule, audience, segmentIds,
                reeligibility, perMinute, webhook, onSuccess);
    }

    /** The same definition, ignoring version and status. */
    public boolean sameDefinition(Campaign o) {
        return o != null && withVersion(0).withStatus(Canvas.Status.DRAFT).equals(o.withVersion(0).withStatus(Canvas.Status.DRAFT));
    }
}
