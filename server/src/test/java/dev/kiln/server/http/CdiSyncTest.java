package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CDI over a real KilnServer with a SQLite-file warehouse (the embedded default): rows become attribute
 * changes with source {@code cdi:<id>}; late rows with an equal UPDATED_AT are applied by the next sync;
 * nothing is applied twice; bad rows are skipped with reasons while the sync completes.
 */
class CdiSyncTest {
    static Path warehouse;
    static CanvasRoutesTest.Running kiln;

    @BeforeAll
    static void start() throws Exception {
        warehouse = Files.createTempDirectory("kiln-cdi-wh").resolve("warehouse.db");
        sql("CREATE TABLE lead_scores (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE counters (UPDATED_AT TEXT, EXTERNAL_ID TEXT, EMAIL TEXT, BRAZE_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE bad (UPDATED_AT TEXT, EXTERNAL_ID TEXT, EMAIL TEXT, BRAZE_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE gone (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
        String url = "jdbc:sqlite:" + warehouse;
        kiln = new CanvasRoutesTest.Running(Map.of(
                "cdi/scores.yaml", "id: scores\nname: Lead scores\nsource: { jdbc_url: '" + url + "', table: lead_scores }\n"
                        + "type: users.attributes\nschedule: { manual: true }\n",
                "cdi/counters.yaml", "id: counters\nname: Counters\nsource: { jdbc_url: '" + url + "', query: 'SELECT * FROM counters' }\n"
                        + "type: users.attributes\nschedule: { manual: true }\nbatch_size: 2\n",
                "cdi/bad.yaml", "id: bad\nname: Bad rows\nsource: { jdbc_url: '" + url + "', table: bad }\n"
                        + "type: users.attributes\nschedule: { manual: true }\nbatch_size: 3\n",
                "cdi/gone.yaml", "id: gone\nname: Deletes\nsource: { jdbc_url: '" + url + "', table: gone }\n"
                        + "type: users.delete\nschedule: { manual: true }\n",
                "cdi/missing.yaml", "id: missing\nname: Missing file\nsource: { jdbc_url: 'jdbc:sqlite:" + warehouse.resolveSibling("nope.db")
                        + "', table: t }\ntype: users.attributes\nschedule: { every: 1m }\n"));
    }

    @AfterAll static void stop() { if (kiln != null) kiln.close(); }

    static void sql(String statement, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + warehouse); PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
            st.execute();
        }
    }

    /** Starts a manual sync, waits for it to end, returns its job_sync_status entry. */
    static JsonNode sync(String id) {
        Http.Response r = kiln.post("/cdi/integrations/" + id + "/sync", "");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String job = r.json().path("job_id").asText();
        assertThat(job).isNotBlank();
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Http.Response s = kiln.get("/cdi/integrations/" + id + "/job_sync_status");
            assertThat(s.status()).as(s.toString()).isEqualTo(200);
            for (JsonNode run : s.json().path("results"))
                if (run.path("job_id").asText().equals(job) && !run.path("job_status").asText().equals("running")) {
                    found[0] = run;
                    return true;
                }
            return false;
        });
        return found[0];
    }

    static JsonNode history(String user, String attribute) {
        Http.Response r = kiln.get("/users/" + user + "/attributes/" + attribute.replace(" ", "%20") + "/history");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("changes");
    }

    static JsonNode profile(String user) {
        Http.Response r = kiln.post("/users/export/ids", "{\"external_ids\":[\"" + user + "\"]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("users").get(0);
    }

    @Test
    void a_row_sets_the_lead_score_with_source_cdi() throws Exception {
        String u = "u-" + UUID.randomUUID();
        sql("INSERT INTO lead_scores VALUES ('2024-05-01 10:00:00', ?, '{\"lead score\": 120}')", u);
        JsonNode run = sync("scores");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isGreaterThanOrEqualTo(1);
        JsonNode changes = history(u, "lead score");
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).path("new_value").asLong()).isEqualTo(120);
        assertThat(changes.get(0).path("source").path("label").asText()).isEqualTo("cdi:scores");
        assertThat(changes.get(0).path("source").path("integration_id").asText()).isEqualTo("scores");
    }

    @Test
    void late_rows_with_the_last_max_are_applied_and_nothing_is_applied_twice() throws Exception {
        String a = "a-" + UUID.randomUUID(), b = "b-" + UUID.randomUUID();
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T09:00:00Z', ?, '{\"visits\": {\"inc\": 1}}')", a);
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T10:00:00Z', ?, '{\"visits\": {\"inc\": 1}}')", a);
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T10:00:00Z', ?, '{\"visits\": {\"inc\": 5}}')", b);
        JsonNode first = sync("counters");
        assertThat(first.path("job_status").asText()).as(first.toString()).isEqualTo("success");
        assertThat(first.path("rows_synced").asLong()).isEqualTo(3);
        assertThat(profile(a).path("custom_attributes").path("visits").asLong()).isEqualTo(2);

        JsonNode again = sync("counters");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(3); // the rows in the look-back window (from 09:00)
        assertThat(profile(a).path("custom_attributes").path("visits").asLong()).isEqualTo(2);

        // Committed late in the warehouse with the same UPDATED_AT as the last synced maximum (Braze would
        // re-sync every row at that time; Kiln applies only the new one).
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T10:00:00Z', ?, '{\"visits\": {\"inc\": 10}}')", a);
        JsonNode late = sync("counters");
        assertThat(late.path("rows_synced").asLong()).as(late.toString()).isEqualTo(1);
        assertThat(profile(a).path("custom_attributes").path("visits").asLong()).isEqualTo(12);
        assertThat(profile(b).path("custom_attributes").path("visits").asLong()).isEqualTo(5);
        assertThat(history(a, "visits")).allSatisfy(c -> assertThat(c.path("source").path("label").asText()).isEqualTo("cdi:counters"));
    }

    @Test
    void bad_rows_are_skipped_with_reasons_and_the_sync_completes() throws Exception {
        String ok = "ok-" + UUID.randomUUID();
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 251; i++) many.append(i == 0 ? "" : ",").append("\"a").append(i).append("\": 1");
        many.append('}');
        String t = "2030-01-01T00:00:00Z";
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'bad-json', '{nope')", t);
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, EMAIL, PAYLOAD) VALUES (?, 'two', 'two@example.com', '{\"x\": 1}')", t);
        sql("INSERT INTO bad (UPDATED_AT, PAYLOAD) VALUES (?, '{\"x\": 1}')", t);
        sql("INSERT INTO bad (UPDATED_AT, BRAZE_ID, PAYLOAD) VALUES (?, 'no-such-user', '{\"x\": 1}')", t);
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'wide', ?)", t, many.toString());
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'badop', '{\"x\": {\"inc\": \"one\"}}')", t);
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, ?, '{\"visits\": {\"inc\": 1}}')", t, ok);
        JsonNode run = sync("bad");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(run.path("rows_failed_with_errors").asLong()).isEqualTo(6);
        assertThat(run.path("first_errors").findValuesAsText("reason")).anySatisfy(r -> assertThat(r).startsWith("PAYLOAD is not valid JSON"))
                .anySatisfy(r -> assertThat(r).startsWith("exactly one identifier is allowed per row, found EXTERNAL_ID and EMAIL"))
                .anySatisfy(r -> assertThat(r).startsWith("no identifier"))
                .contains("no such user")
                .anySatisfy(r -> assertThat(r).isEqualTo("PAYLOAD has 251 attributes; at most 250 per row"))
                .anySatisfy(r -> assertThat(r).contains("inc"));
        assertThat(run.path("first_errors")).anySatisfy(e -> {
            assertThat(e.path("row").asText()).isEqualTo("BRAZE_ID \"no-such-user\" at UPDATED_AT " + t);
            assertThat(e.path("reason").asText()).isEqualTo("no such user");
        });
        assertThat(profile(ok).path("custom_attributes").path("visits").asLong()).isEqualTo(1);
        // Bad rows are not reported again by the next sync (their fingerprints are in the watermark).
        JsonNode again = sync("bad");
        assertThat(again.path("rows_failed_with_errors").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_synced").asLong()).isZero();
    }

    @Test
    void delete_rows_delete_users() throws Exception {
        String u = "d-" + UUID.randomUUID();
        kiln.track("{\"attributes\":[{\"external_id\":\"" + u + "\",\"plan\":\"pro\"}]}");
        sql("INSERT INTO gone VALUES ('2024-01-01 00:00:00', ?, NULL)", u);
        sql("INSERT INTO gone VALUES ('2024-01-01 00:00:00', 'with-payload', '{}')");
        JsonNode run = sync("gone");
        assertThat(run.path("rows_synced").asLong()).as(run.toString()).isEqualTo(1);
        assertThat(run.path("first_errors").findValuesAsText("reason")).containsExactly("users.delete rows carry no PAYLOAD (it must be null)");
        Http.Response r = kiln.post("/users/export/ids", "{\"external_ids\":[\"" + u + "\"]}");
        assertThat(r.json().path("users")).isEmpty();
    }

    @Test
    void a_missing_warehouse_file_is_a_recorded_failure_and_integrations_are_listed() {
        await().atMost(Duration.ofSeconds(30)).until(() -> kiln.get("/cdi/integrations/missing/job_sync_status").json().path("results").size() > 0
                && !kiln.get("/cdi/integrations/missing/job_sync_status").json().path("results").get(0).path("job_status").asText().equals("running"));
        JsonNode run = kiln.get("/cdi/integrations/missing/job_sync_status").json().path("results").get(0);
        assertThat(run.path("job_status").asText()).isEqualTo("error");
        assertThat(run.path("trigger").asText()).isEqualTo("schedule");
        assertThat(run.path("error").asText()).contains("does not exist");
        Http.Response list = kiln.get("/cdi/integrations");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("results").findValuesAsText("integration_id")).containsExactly("bad", "counters", "gone", "missing", "scores");
        JsonNode missing = list.json().path("results").get(3);
        assertThat(missing.path("integration_type").asText()).isEqualTo("users.attributes");
        assertThat(missing.path("warehouse_type").asText()).isEqualTo("sqlite");
        assertThat(missing.path("last_job_status").asText()).isEqualTo("error");
        assertThat(missing.path("next_scheduled_run").asText()).isNotBlank();
    }

    @Test
    void unknown_integrations_are_404_and_scopes_are_checked() {
        assertThat(kiln.post("/cdi/integrations/nope/sync", "").status()).isEqualTo(404);
        String reader = kiln.keyWith(Scopes.CDI_READ);
        assertThat(kiln.http.post("/cdi/integrations/scores/sync", reader, "").status()).isEqualTo(403);
        assertThat(kiln.http.get("/cdi/integrations", reader).status()).isEqualTo(200);
    }
}
