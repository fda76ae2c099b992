package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.fake.FakeSalesforce;
import dev.kiln.server.fake.Recorded;
import dev.kiln.store.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.kiln.testkit.SeedLeads.describe;
import static dev.kiln.testkit.SalesforceHandoff.okPatches;
import static dev.kiln.testkit.SalesforceHandoff.outcomes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5 acceptance, end to end: a {@code lead_scores} table in PostgreSQL ({@code UPDATED_AT},
 * {@code EXTERNAL_ID}, {@code PAYLOAD}) synced by CDI into a real Kiln process that runs the seed's scoring
 * Canvas and the Salesforce MQL handoff (the examples, against the fake Salesforce). After a sync the profiles
 * hold the scores, the ledger says {@code cdi:<id>}, the Canvas is entered and the handoff PATCHes each lead
 * over 100 once — as for any {@code /users/track} change. A row added later with the same {@code UPDATED_AT} as
 * the last synced maximum is applied by the next sync, and nothing is applied twice.
 *
 * <p>Skipped with a notice when PostgreSQL is unreachable, unless {@code CI=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CdiHandoffTest {
    private static final String CDI = "lead-scores";
    private static final String CDI_LABEL = "cdi:" + CDI;
    private static final String PASSWORD_ENV = "CDIACCEPT_WAREHOUSE_PASSWORD";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** A table of its own, so parallel runs never share rows. */
    private static final String TABLE = "cdiaccept_lead_scores_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    /** Over the threshold from the table alone. */
    private static final String HOT = "00Qcdi000000HOT1AA";
    /** Under the threshold from the table alone. */
    private static final String COLD = "00Qcdi000000COLD1A";
    /** Only an email from the table: enters the Canvas by email_added, has no score. */
    private static final String EMAIL_ONLY = "00Qcdi000000MAIL1A";
    private static final String EMAIL = "x@example.com";
    /** 90 through /users/track, then {"inc": 15} from the table: 105. */
    private static final String WARM = "00Qcdi000000WARM1A";
    /** Second sync: a late row with the first sync's maximum UPDATED_AT. */
    private static final String LATE = "00Qcdi000000LATE1A";
    private static final List<String> FIRST = List.of(HOT, COLD, EMAIL_ONLY, WARM);

    @TempDir static Path data;
    private static boolean tableCreated;
    private static FakeSalesforce salesforce;
    private static KilnProcess kiln;
    private static KilnClient client;
    private static SeedLeads seed;

    /** The greatest UPDATED_AT of the first sync's rows. */
    private static Instant firstMax;
    /** After the first sync: each lead's ledger (described), for "nothing applied twice". */
    private static final Map<String, List<String>> ledgersAfterFirst = new LinkedHashMap<>();
    private static long entriesAfterFirst;

    @BeforeAll
    static void start() throws Exception {
        TestDatabases.requirePostgres();
        sql("CREATE TABLE " + TABLE + " (UPDATED_AT timestamptz NOT NULL, EXTERNAL_ID text NOT NULL, PAYLOAD jsonb)");
        tableCreated = true;

        salesforce = FakeSalesforce.start(0).acceptAnyLead(true).retryAfterSeconds(1);
        Path definitions = SeedLeads.definitions(data.resolve("definitions"), "1h"); // no decay during the test
        SalesforceHandoff.addTo(definitions, salesforce);
        Files.createDirectories(definitions.resolve("cdi"));
        String password = TestDatabases.postgresPassword() == null ? "" : "  password: { env: " + PASSWORD_ENV + " }\n";
        Files.writeString(definitions.resolve("cdi/lead-scores.yaml"), """
                id: %s
                name: Lead scores from PostgreSQL
                source:
                  jdbc_url: '%s'
                  user: %s
                %s  table: %s
                type: users.attributes
                schedule: { manual: true }
                """.formatted(CDI, TestDatabases.postgresUrl(), TestDatabases.postgresUser(), password, TABLE), StandardCharsets.UTF_8);

        KilnProcess.Builder builder = KilnProcess.builder(data.resolve("server")).definitions(definitions)
                .env(SalesforceHandoff.SECRET_ENV, FakeSalesforce.DEFAULT_CLIENT_SECRET);
        if (TestDatabases.postgresPassword() != null) builder.env(PASSWORD_ENV, TestDatabases.postgresPassword());
        kiln = builder.start();
        client = kiln.client();
        seed = new SeedLeads(client);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (client != null) client.close();
        ProcessLogs.keep(kiln, CdiHandoffTest.class.getSimpleName());
        if (kiln != null) kiln.close();
        if (salesforce != null) salesforce.close();
        if (tableCreated) sql("DROP TABLE IF EXISTS " + TABLE);
    }

    @Test @Order(1)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void a_sync_sets_the_scores_with_source_cdi_enters_the_canvas_and_hands_off_each_lead_over_100_once() throws Exception {
        // An existing lead, through the API: it enters the Canvas and the handoff aborts (90 is not over 100).
        seed.lead(WARM, 90);
        await("the handoff of %s at 90 aborted".formatted(WARM)).atMost(PATIENCE)
                .until(() -> outcomes(client, WARM).equals(List.of("aborted")));
        long entriesBefore = SeedLeads.entries(seed.stats());
        assertThat(entriesBefore).as("entries after %s got its first score", WARM).isEqualTo(1);

        Instant base = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        insert(base.plusSeconds(1), HOT, "{\"lead score\": 120}");
        insert(base.plusSeconds(2), COLD, "{\"lead score\": 40}");
        insert(base.plusSeconds(3), WARM, "{\"lead score\": {\"inc\": 15}}");
        insert(base.plusSeconds(4), EMAIL_ONLY, "{\"email\": \"" + EMAIL + "\"}");
        firstMax = base.plusSeconds(4);

        JsonNode run = sync();
        assertThat(run.path("job_status").asText()).as("%s", run).isEqualTo("success");
        assertThat(run.path("rows_read").asLong()).as("%s", run).isEqualTo(4);
        assertThat(run.path("rows_synced").asLong()).as("%s", run).isEqualTo(4);
        assertThat(run.path("rows_failed_with_errors").asLong()).as("%s", run).isZero();
        assertThat(run.path("rows_already_synced").asLong()).as("%s", run).isZero();
        assertThat(Instant.parse(run.path("last_timestamp_synced").asText())).as("%s", run).isEqualTo(firstMax);

        // Profiles: created by the table (all but WARM), the increment applied to WARM's tracked 90.
        Map<String, Integer> scores = seed.scores(FIRST);
        assertThat(scores).as("scores after the sync").containsExactlyInAnyOrderEntriesOf(mapOf(HOT, 120, COLD, 40, EMAIL_ONLY, null, WARM, 105));
        JsonNode emailUser = client.export(List.of(EMAIL_ONLY)).json().path("users").path(0);
        assertThat(emailUser.path("email").asText(null)).as("%s", emailUser).isEqualTo(EMAIL);

        // The ledger names the integration.
        for (String lead : List.of(HOT, COLD, WARM)) {
            JsonNode newest = seed.ledger(lead).getFirst();
            assertThat(newest.path("source").path("type").asText()).as("%s: %s", lead, newest).isEqualTo("cdi");
            assertThat(newest.path("source").path("integration_id").asText()).as("%s: %s", lead, newest).isEqualTo(CDI);
            assertThat(newest.path("source").path("label").asText()).as("%s: %s", lead, newest).isEqualTo(CDI_LABEL);
        }
        assertThat(describe(seed.ledger(HOT))).containsExactly("cdi null→120");
        assertThat(describe(seed.ledger(COLD))).containsExactly("cdi null→40");
        assertThat(describe(seed.ledger(WARM))).containsExactly("cdi 90→105", "users/track null→90");
        assertThat(seed.ledger(EMAIL_ONLY)).as("an email is no score change").isEmpty();

        // The Canvas: the three leads the table created entered (two by their score, one by its email); WARM
        // was already waiting in it. All four wait on the Action Paths step.
        JsonNode stats = seed.stats();
        assertThat(SeedLeads.entries(stats)).as("entries: %s", stats).isEqualTo(entriesBefore + 3);
        assertThat(SeedLeads.onScore(stats)).as("waiting on step score: %s", stats).isEqualTo(4);

        // The handoff: one PATCH to MQL for each lead over 100, none for the others.
        await("PATCHes for %s and %s".formatted(HOT, WARM)).atMost(PATIENCE)
                .until(() -> okPatches(salesforce, HOT).size() == 1 && okPatches(salesforce, WARM).size() == 1);
        for (String lead : List.of(HOT, WARM))
            assertThat(okPatches(salesforce, lead).getFirst().body().replaceAll("\\s", "")).as(lead).isEqualTo(SalesforceHandoff.MQL_BODY);
        await("MQL recorded on the profiles").atMost(PATIENCE).until(() ->
                "MQL".equals(SalesforceHandoff.leadStatus(client, HOT)) && "MQL".equals(SalesforceHandoff.leadStatus(client, WARM)));
        await("%s aborted".formatted(COLD)).atMost(PATIENCE).until(() -> outcomes(client, COLD).equals(List.of("aborted")));
        assertPatchCounts(Map.of(HOT, 1, WARM, 1, COLD, 0, EMAIL_ONLY, 0), "after the first sync");

        // The message log shows them sent (newest first); the aborts keep their reason.
        assertThat(outcomes(client, HOT)).isEqualTo(List.of("sent"));
        assertThat(outcomes(client, WARM)).isEqualTo(List.of("sent", "aborted"));
        assertThat(SalesforceHandoff.messageLog(client, COLD).getFirst().path("abort_reason").asText()).isEqualTo("not at threshold");
        assertThat(outcomes(client, EMAIL_ONLY)).as("no score change, no trigger").isEmpty();
        for (String lead : List.of(HOT, WARM))
            assertThat(SalesforceHandoff.messageLog(client, lead)).allSatisfy(m ->
                    assertThat(m.path("campaign_id").asText()).isEqualTo(SalesforceHandoff.CAMPAIGN_ID));

        for (String lead : FIRST) ledgersAfterFirst.put(lead, describe(seed.ledger(lead)));
        entriesAfterFirst = SeedLeads.entries(seed.stats());
    }

    @Test @Order(2)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void a_late_row_at_the_last_synced_maximum_is_applied_and_nothing_from_the_first_sync_twice() throws Exception {
        assertThat(firstMax).as("the first sync ran").isNotNull();
        insert(firstMax, LATE, "{\"lead score\": 130}");

        JsonNode run = sync();
        assertThat(run.path("job_status").asText()).as("%s", run).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).as("only the late row: %s", run).isEqualTo(1);
        assertThat(run.path("rows_already_synced").asLong()).as("the first sync's rows, all in the overlap: %s", run).isEqualTo(4);
        assertThat(run.path("rows_failed_with_errors").asLong()).as("%s", run).isZero();

        assertThat(seed.score(LATE)).isEqualTo(130);
        assertThat(describe(seed.ledger(LATE))).containsExactly("cdi null→130");
        JsonNode stats = seed.stats();
        assertThat(SeedLeads.entries(stats)).as("the late lead entered: %s", stats).isEqualTo(entriesAfterFirst + 1);
        await("PATCH for %s".formatted(LATE)).atMost(PATIENCE).until(() -> okPatches(salesforce, LATE).size() == 1);
        await("%s sent".formatted(LATE)).atMost(PATIENCE).until(() -> outcomes(client, LATE).equals(List.of("sent")));

        // Nothing of the first sync again: same scores, same ledgers, no new PATCH.
        assertThat(seed.scores(FIRST)).containsExactlyInAnyOrderEntriesOf(mapOf(HOT, 120, COLD, 40, EMAIL_ONLY, null, WARM, 105));
        for (String lead : FIRST) assertThat(describe(seed.ledger(lead))).as("ledger of %s", lead).isEqualTo(ledgersAfterFirst.get(lead));
        assertPatchCounts(Map.of(HOT, 1, WARM, 1, COLD, 0, EMAIL_ONLY, 0, LATE, 1), "after the second sync");

        // And a sync with nothing new applies nothing.
        JsonNode again = sync();
        assertThat(again.path("job_status").asText()).as("%s", again).isEqualTo("success");
        assertThat(again.path("rows_synced").asLong()).as("%s", again).isZero();
        assertThat(again.path("rows_already_synced").asLong()).as("%s", again).isEqualTo(5);
        assertThat(seed.score(WARM)).isEqualTo(105);
    }

    /** Every request the fake got for each lead (any status), held for a while: a duplicate would show. */
    private static void assertPatchCounts(Map<String, Integer> expected, String when) {
        await("PATCH counts stay " + expected + " " + when).during(Duration.ofSeconds(2)).atMost(PATIENCE).untilAsserted(() -> {
            Map<String, Integer> actual = new LinkedHashMap<>();
            for (String lead : expected.keySet()) actual.put(lead, salesforce.patchesFor(lead).size());
            assertThat(actual).as("PATCHes per lead %s: %s", when, salesforce.patches().stream().map(Recorded::path).toList())
                    .containsExactlyInAnyOrderEntriesOf(expected);
        });
    }

    private static JsonNode sync() {
        return CdiJobs.awaitEnd(client, CDI, CdiJobs.startSync(client, CDI), PATIENCE);
    }

    private static void insert(Instant updatedAt, String externalId, String payload) throws SQLException {
        sql("INSERT INTO " + TABLE + " (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, ?, ?::jsonb)",
                OffsetDateTime.ofInstant(updatedAt, ZoneOffset.UTC), externalId, payload);
    }

    private static void sql(String statement, Object... args) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", TestDatabases.postgresUser());
        if (TestDatabases.postgresPassword() != null) p.setProperty("password", TestDatabases.postgresPassword());
        try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), p); PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
            st.execute();
        }
    }

    /** A map that may hold null values (Map.of refuses them), in the order given. */
    private static Map<String, Integer> mapOf(Object... keyValues) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], (Integer) keyValues[i + 1]);
        return m;
    }
}
