package dev.kiln.engine.campaign;

import java.util.List;
import java.util.Map;

/** The campaigns the engine runs with, by id, sorted so that every run visits them in the same order. */
public record CampaignSet(Map<String, Campaign> byId) {
    public static final CampaignSet EMPTY = new CampaignSet(Map.of());

    public CampaignSet { byId = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(byId)); }

    public static CampaignSet of(List<Campaign> campaigns) {
        return new CampaignSet(campaigns.stream().collect(java.util.stream.Collectors.toMap(Campaign::id, c -> c)));
    }

    public Campaign get(String id) { return byId.get(id); }

    public boolean isEmpty() { return byId.isEmpty(); }
}
