package dev.kiln.server.fake;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * What the fake currently accepts and how it misbehaves. Read on every request and changed at any time (from a
 * test, or over {@code POST /_fake/config}), so every field is volatile or atomic and read without locks.
 */
final class Settings {
    /** A Salesforce record id: 15 case-sensitive or 18 case-insensitive letters and digits. */
    private static final Pattern ID_LIKE = Pattern.compile("[A-Za-z0-9]{15}|[A-Za-z0-9]{18}");

    volatile String clientId;
    volatile String clientSecret;
    /** Returned as {@code instance_url}; the fake's own base URL unless set. */
    volatile String instanceUrl;
    volatile boolean acceptAnyLead;
    volatile Set<String> knownLeads = Set.of();
    volatile Set<String> unknownLeads = Set.of();
    volatile boolean unavailable;
    /** Sent as {@code Retry-After} with every 503; 0 sends none. */
    volatile int retryAfterSeconds;
    private final AtomicInteger pending503 = new AtomicInteger();

    Settings(String clientId, String clientSecret, String instanceUrl) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
        this.instanceUrl = Objects.requireNonNull(instanceUrl, "instanceUrl");
    }

    /**
     * Declared unknown ids are never found; with {@code acceptAnyLead} every other id is; with known leads declared
     * only those are; otherwise any id shaped like a Salesforce id (15 or 18 letters and digits) is.
     */
    boolean knows(String leadId) {
        if (unknownLeads.contains(leadId)) return false;
        if (acceptAnyLead) return true;
        Set<String> known = knownLeads;
        return known.isEmpty() ? ID_LIKE.matcher(leadId).matches() : known.contains(leadId);
    }

    void failWith503(int n) {
        if (n < 0) throw new IllegalArgumentException("failWith503: n must be >= 0, was " + n);
        pending503.set(n);
    }

    int pending503() { return pending503.get(); }

    /** Takes one of the pending 503s, if any; cheap when there are none. */
    boolean take503() {
        return pending503.get() > 0 && pending503.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** The settings as {@code GET /_fake/config} shows them: never the client secret. */
    Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("client_id", clientId);
        v.put("instance_url", instanceUrl);
        v.put("accept_any_lead", acceptAnyLead);
        v.put("known_leads", new TreeSet<>(knownLeads));
        v.put("unknown_leads", new TreeSet<>(unknownLeads));
        v.put("unavailable", unavailable);
        v.put("fail_with_503", pending503.get());
        v.put("retry_after_seconds", retryAfterSeconds);
        return v;
    }
}
