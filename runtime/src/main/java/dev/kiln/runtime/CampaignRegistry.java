package dev.kiln.runtime;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.Parsed;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.campaign.CampaignSet;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.store.CanvasRow;
import dev.kiln.store.Store;

import java.util.List;
import java.util.Map;

/**
 * Every webhook campaign with its lifecycle (see {@link DefinitionRegistry}). Messages already made by
 * an earlier version are delivered with the campaign's current templates (the outbox keeps the profile
 * snapshot, not the template).
 */
public final class CampaignRegistry extends DefinitionRegistry<Campaign> {

    public CampaignRegistry(Store store, KilnRuntime runtime) {
        super(new Kind<>() {
            @Override public String noun() { return "campaign"; }
            @Override public String folder() { return "campaigns"; }
            @Override public Parsed<Campaign> parse(String doc, String name, boolean json, DefinitionSet context) {
                return DefinitionLoader.parseCampaign(doc, name, json, context);
            }
            @Override public Map<String, Campaign> fromFiles(DefinitionSet set) { return set.campaigns(); }
            @Override public String id(Campaign c) { return c.id(); }
            @Override public int version(Campaign c) { return c.version(); }
            @Override public Canvas.Status status(Campaign c) { return c.status(); }
            @Override public Campaign withVersion(Campaign c, int v) { return c.withVersion(v); }
            @Override public Campaign withStatus(Campaign c, Canvas.Status s) { return c.withStatus(s); }
            @Override public boolean sameDefinition(Campaign a, Campaign b) { return a.sameDefinition(b); }
            @Override public List<CanvasRow> rows() { return store.campaignRows(); }
            @Override public void save(CanvasRow row) { store.saveCampaignRow(row); }
            @Override public void publish(Map<String, Campaign> all) { runtime.campaigns(new CampaignSet(all)); }
        }, runtime.clock());
    }
}
