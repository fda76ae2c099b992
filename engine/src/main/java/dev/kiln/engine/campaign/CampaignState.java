package dev.kiln.engine.campaign;

import java.util.Objects;

/**
 * What one user's profile remembers about one campaign. Mutable; owned by the user's state.
 * At most one message of a campaign is in flight per user: a trigger while one is pending is remembered
 * ({@code again}) and re-evaluated, with the then-current profile, when the pending message ends without
 * being sent (abort, failure) — so a lead is never handed off twice and a crossing is never missed.
 */
public final class CampaignState {
    /** When the user last received (2xx) this campaign; 0 = never. */
    public long lastSentAt;
    /** How many times the user received it. */
    public long sends;
    /** The message in flight, or null. */
    public String pending;
    /** The campaign triggered again while {@link #pending}. */
    public boolean again;
    /** The latest scheduled run (epoch ms) this user was considered for; 0 = none. */
    public long lastRun;

    public CampaignState copy() {
        CampaignState c = new CampaignState();
        c.lastSentAt = lastSentAt;
        c.sends = sends;
        c.pending = pending;
        c.again = again;
        c.lastRun = lastRun;
        return c;
    }

    @Override public boolean equals(Object o) {
        return o instanceof CampaignState c && c.lastSentAt == lastSentAt && c.sends == sends
                && Objects.equals(c.pending, pending) && c.again == again && c.lastRun == lastRun;
    }

    @Override public int hashCode() { return Objects.hash(lastSentAt, sends, pending, again); }

    @Override public String toString() {
        return "CampaignState[sent=" + sends + " last=" + lastSentAt + " pending=" + pending + " again=" + again + "]";
    }
}
