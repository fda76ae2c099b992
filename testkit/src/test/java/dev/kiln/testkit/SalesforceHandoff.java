package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.fake.FakeSalesforce;
import dev.kiln.server.fake.Recorded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's lead handoff against the fake Salesforce, for the handoff tests: the example campaign
 * ({@code examples/campaigns/salesforce-mql.yaml}, verbatim) with an OAuth connection to the fake whose
 * secret comes from {@value #SECRET_ENV}, and the reads the tests make (PATCHes the fake accepted, the
 * message log of a lead, its {@code lead_status}).
 */
final class SalesforceHandoff {
    static final Path CAMPAIGN = Path.of("..", "examples", "campaigns", "salesforce-mql.yaml");
    static final String CAMPAIGN_ID = "salesforce-mql";
    /** The environment variable the connection reads its client secret from: pass it to the server process. */
    static final String SECRET_ENV = "SALESFORCE_CLIENT_SECRET";
    static final String MQL_BODY = "{\"lead_status\":\"MQL\"}";

    private SalesforceHandoff() {}

    /** Writes {@code campaigns/salesforce-mql.yaml} and {@code connections/salesforce.yaml} (pointing at {@code salesforce}) into {@code definitions}. */
    static void addTo(Path definitions, FakeSalesforce salesforce) {
        try {
            Files.createDirectories(definitions.resolve("campaigns"));
            Files.copy(CAMPAIGN, definitions.resolve("campaigns/salesforce-mql.yaml"));
            Files.createDirectories(definitions.resolve("connections"));
            Files.writeString(definitions.resolve("connections/salesforce.yaml"), """
                    id: salesforce
                    type: oauth2_client_credentials
                    token_url: %s
                    client_id: %s
                    client_secret: { env: %s }
                    """.formatted(salesforce.tokenUrl(), FakeSalesforce.DEFAULT_CLIENT_ID, SECRET_ENV), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the handoff campaign into " + definitions + " (from " + CAMPAIGN.toAbsolutePath() + ")", e);
        }
    }

    /** The PATCHes of {@code lead} the fake accepted (204). */
    static List<Recorded> okPatches(FakeSalesforce salesforce, String lead) {
        return salesforce.patchesFor(lead).stream().filter(r -> r.status() == 204).toList();
    }

    /** {@code GET /messages/log?user=lead}, newest first. */
    static List<JsonNode> messageLog(KilnClient client, String lead) {
        KilnClient.Response r = client.get("/messages/log?user=" + lead);
        assertThat(r.status()).as("GET /messages/log: %s", r).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().path("messages").forEach(out::add);
        return out;
    }

    /** The outcomes of {@link #messageLog}, newest first. */
    static List<String> outcomes(KilnClient client, String lead) {
        return messageLog(client, lead).stream().map(m -> m.path("outcome").asText()).toList();
    }

    /** The lead's {@code lead_status} from {@code /users/export/ids}; null when unset. */
    static String leadStatus(KilnClient client, String lead) {
        KilnClient.Response r = client.export(List.of(lead));
        return r.json().path("users").path(0).path("custom_attributes").path("lead_status").asText(null);
    }
}
