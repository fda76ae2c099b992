package dev.kiln.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One user's profile: identifiers, standard and custom attributes, and event summaries.
 * Mutable and owned by exactly one lane at a time; the engine changes it in place.
 */
public final class UserState {
    private final String userId;
    private String externalId;
    private final List<UserAlias> aliases = new ArrayList<>();
    private final long createdAt;
    private long updatedAt;
    private final Map<String, Value> standard = new TreeMap<>();
    private final Map<String, Value> custom = new LinkedHashMap<>();
    private final Map<String, EventSummary> events = new TreeMap<>();
    private final Map<String, EventSummary> products = new TreeMap<>();
    private EventSummary purchases = new EventSummary();
    private EventSummary sessions = new EventSummary();
    private final Map<String, dev.kiln.engine.canvas.CanvasState> canvases = new TreeMap<>();
    private final Map<String, dev.kiln.engine.campaign.CampaignState> campaigns = new TreeMap<>();

    public UserState(String userId, long createdAt) {
        this.userId = Objects.requireNonNull(userId, "userId");
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    /** The internal id, exposed as {@code braze_id}. */
    public String userId() { return userId; }
    public String externalId() { return externalId; }
    public void externalId(String externalId) { this.externalId = externalId; }
    public List<UserAlias> aliases() { return aliases; }
    public long createdAt() { return createdAt; }
    public long updatedAt() { return updatedAt; }
    public void touch(long now) { if (now > updatedAt) updatedAt = now; }

    /** Standard attributes by Braze name (first_name, email, email_subscribe, …). */
    public Map<String, Value> standard() { return standard; }
    public Map<String, Value> custom() { return custom; }
    public Map<String, EventSummary> events() { return events; }
    public Map<String, EventSummary> products() { return products; }
    public EventSummary purchases() { return purchases; }
    public EventSummary sessions() { return sessions; }
    public void purchases(EventSummary s) { purchases = s; }
    public void sessions(EventSummary s) { sessions = s; }
    /** Canvas positions and re-entry memory, by Canvas id. */
    public Map<String, dev.kiln.engine.canvas.CanvasState> canvases() { return canvases; }

    /** Campaign receipts and messages in flight, by campaign id. */
    public Map<String, dev.kiln.engine.campaign.CampaignState> campaigns() { return campaigns; }

    public Optional<String> email() {
        return standard.get("email") instanceof Value.Str s ? Optional.of(s.value()) : Optional.empty();
    }

    /** Looks an attribute up by name: standard attributes first, then custom. */
    public Optional<Value> attribute(String name) {
        Value v = StandardAttributes.isStandard(name) ? standard.get(name) : custom.get(name);
        return Optional.ofNullable(v);
    }

    /** A deep copy (values are immutable, summaries are copied). */
    public UserState copy() {
        UserState c = new UserState(userId, createdAt);
        c.externalId = externalId;
        c.aliases.addAll(aliases);
        c.updatedAt = updatedAt;
        c.standard.putAll(standard);
        c.custom.putAll(custom);
        events.forEach((k, v) -> c.events.put(k, v.copy()));
        products.forEach((k, v) -> c.products.put(k, v.copy()));
        c.purchases = purchases.copy();
        c.sessions = sessions.copy();
        canvases.forEach((k, v) -> c.canvases.put(k, v.copy()));
        campaigns.forEach((k, v) -> c.campaigns.put(k, v.copy()));
        return c;
    }

    @Override public boolean equals(Object o) {
        return o instanceof UserState u && u.userId.equals(userId) && Objects.equals(u.externalId, externalId)
                && u.aliases.equals(aliases) && u.createdAt == createdAt && u.updatedAt == updatedAt
                && u.standard.equals(standard) && u.custom.equals(custom) && u.events.equals(events)
                && u.products.equals(products) && u.purchases.equals(purchases) && u.sessions.equals(sessions)
                && u.canvases.equals(canvases) && u.campaigns.equals(campaigns);
    }

    @Override public int hashCode() { return userId.hashCode(); }

    @Override public String toString() {
        return "UserState[" + userId + ", external_id=" + externalId + ", custom=" + custom + "]";
    }
}
