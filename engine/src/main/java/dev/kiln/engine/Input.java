package dev.kiln.engine;

import java.util.List;
import java.util.Map;

/**
 * Something that happens to one user. Inputs are already validated in shape by the shell (the HTTP
 * parser, the CDI reader); the engine checks what depends on the user's state. {@code id} is unique per
 * input and seeds the ids of the events it logs, so replays log the same ids.
 */
public sealed interface Input {
    String id();
    Source source();

    /** One attributes object of /users/track: applied atomically (all operations or none). */
    record UpdateAttributes(String id, Source source, List<AttributeOp> ops) implements Input {
        public UpdateAttributes { ops = List.copyOf(ops); }
    }

    /** A custom event (or a reserved one, see {@link ReservedEvents}). {@code time} may be in the future; it is clamped to now. */
    record TrackEvent(String id, Source source, String name, long time, Map<String, Object> properties) implements Input {
        public TrackEvent { properties = properties == null ? Map.of() : Json.immutableCopy(properties); }
    }

    record TrackPurchase(String id, Source source, String productId, String currency, double price, int quantity,
                         long time, Map<String, Object> properties) implements Input {
        public TrackPurchase { properties = properties == null ? Map.of() : Json.immutableCopy(properties); }
    }

    /** Creates or claims identity fields on a (possibly new) profile: external id, alias, email. */
    record Identify(String id, Source source, String externalId, UserAlias alias) implements Input {}

    /** /users/alias/new: adds an alias to this user. */
    record AddAlias(String id, Source source, UserAlias alias) implements Input {}

    /** /users/identify: merges an alias-only profile into this one; {@code from} is removed by the shell. */
    record MergeFrom(String id, Source source, UserState from) implements Input {}

    /** A Canvas wait (window end, delay) is over; {@code token} tells a stale timer from the current one. */
    record TimerFired(String id, Source source, String canvasId, int token) implements Input {}

    /** API-triggered entry ({@code POST /canvas/trigger/send}). */
    record EnterCanvas(String id, Source source, String canvasId, Map<String, Object> entryProperties) implements Input {
        public EnterCanvas { entryProperties = entryProperties == null ? Map.of() : Json.immutableCopy(entryProperties); }
    }

    /**
     * Send a campaign to this user (API-triggered: {@code POST /campaigns/trigger/send}; or one user of a
     * scheduled send). Audience and re-eligibility are checked as for action-based delivery.
     *
     * @param scheduledRun for a scheduled send, the run's time (epoch ms): a user gets each run at most
     *                     once (a run repeated after a restart skips them) and only if the profile existed
     *                     at that time; 0 for an API trigger
     */
    record TriggerCampaign(String id, Source source, String campaignId, Map<String, Object> triggerProperties, long scheduledRun)
            implements Input {
        public TriggerCampaign { triggerProperties = triggerProperties == null ? Map.of() : Json.immutableCopy(triggerProperties); }

        public TriggerCampaign(String id, Source source, String campaignId, Map<String, Object> triggerProperties) {
            this(id, source, campaignId, triggerProperties, 0);
        }
    }

    /**
     * What became of one webhook attempt, fed back by delivery into the user's lane (Braze's
     * {@code users.messages.webhook.Send / Abort / Failure} and Kiln's {@code Retry}).
     *
     * @param attempt    1 for the first try
     * @param statusCode the HTTP status, or null (abort, network error)
     * @param detail     the abort reason or the error, for the log; never a secret
     */
    record MessageOutcome(String id, Source source, String messageId, String campaignId, String canvasId, String stepId,
                          Kind kind, int attempt, Integer statusCode, String detail) implements Input {
        public enum Kind {
            SENT("Send"), ABORTED("Abort"), FAILED("Failure"), RETRY("Retry");
            private final String braze;
            Kind(String braze) { this.braze = braze; }
            /** Braze's Currents event name, e.g. {@code users.messages.webhook.Send}. */
            public String eventType() { return "users.messages.webhook." + braze; }
            public boolean terminal() { return this != RETRY; }
        }
    }

    /** /users/delete. */
    record Delete(String id, Source source) implements Input {}
}
