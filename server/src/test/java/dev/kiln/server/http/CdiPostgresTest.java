package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.store.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CDI from a PostgreSQL warehouse over a real KilnServer: a {@code lead_scores} row (timestamptz UPDATED_AT,
 * jsonb PAYLOAD) sets the profile's score with ledger source {@code cdi:<id>}; a second manual sync while one
 * runs is 409; events rows with a {@code timestamp} (no time zone) UPDATED_AT happen at that UTC wall time, whatever
 * the JVM's zone. Skipped with a notice when PostgreSQL is unreachable, unless {@code CI=true}.
 */
class CdiPostgresTest {
    static TestDatabases.PostgresSchema schema;
    static CanvasRoutesTest.Running kiln;

    @BeforeAll
    static void start() throws Exception {
        schema = TestDatabases.postgresSchema();
        sql("CREATE TABLE lead_scores (UPDATED_AT timestamptz NOT NULL, EXTERNAL_ID text, PAYLOAD jsonb)");
        sql("CREATE TABLE demo_events (UPDATED_AT timestamp NOT NULL, EXTERNAL_ID text, PAYLOAD jsonb)");
        String src = "source: { jdbc_url: '" + schema.url() + "', user: " + TestDatabases.postgresUser() + ", ";
        kiln = new CanvasRoutesTest.Running(Map.of(
                "cdi/pg-scores.yaml", "id: pg-scores\nname: Lead scores\n" + src + "table: lead_scores }\n"
                        + "type: users.attributes\nschedule: { manual: true }\n",
                "cdi/pg-events.yaml", "id: pg-events\nname: Events\n" + src + "table: demo_events }\n"
                        + "type: users.events\nschedule: { manual: true }\n",
                "cdi/slow.yaml", "id: slow\nname: Slow\n" + src
                        + "query: 'SELECT l.* FROM lead_scores l CROSS JOIN (SELECT pg_sleep(1.5)) s' }\n"
                        + "type: users.attributes\nschedule: { manual: true }\n"));
    }

    @AfterAll
    static void stop() {
        if (kiln != null) kiln.close();
        if (schema != null) schema.close();
    }

    static void sql(String statement, Object... args) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", TestDatabases.postgresUser());
        if (TestDatabases.postgresPassword() != null) p.setProperty("password", TestDatabases.postgresPassword());
        CdiJobs.sql(schema.url(), p, statement, args);
    }

    static JsonNode finished(String id, String job) { return CdiJobs.finished(kiln, id, job); }

    @Test
    void a_postgres_row_sets_the_lead_score_with_source_cdi_and_a_concurrent_sync_is_409() throws Exception {
        sql("INSERT INTO lead_scores VALUES (now() - interval '1 minute', 'pg-lead', '{\"lead score\": 120}'::jsonb)");
        Http.Response started = kiln.post("/cdi/integrations/pg-scores/sync", "");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        JsonNode run = finished("pg-scores", started.json().path("job_id").asText());
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(1);
        JsonNode changes = kiln.get("/users/pg-lead/attributes/lead%20score/history").json().path("changes");
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).path("new_value").asLong()).isEqualTo(120);
        assertThat(changes.get(0).path("source").path("label").asText()).isEqualTo("cdi:pg-scores");

        // A late row with the same UPDATED_AT as the last max is applied; the first is not applied again.
        sql("INSERT INTO lead_scores SELECT UPDATED_AT, 'pg-late', '{\"lead score\": 7}'::jsonb FROM lead_scores WHERE EXTERNAL_ID = 'pg-lead'");
        JsonNode again = finished("pg-scores", kiln.post("/cdi/integrations/pg-scores/sync", "").json().path("job_id").asText());
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isEqualTo(1);
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(1);

        Http.Response slow = kiln.post("/cdi/integrations/slow/sync", "");
        assertThat(slow.status()).as(slow.toString()).isEqualTo(202);
        Http.Response busy = kiln.post("/cdi/integrations/slow/sync", "");
        assertThat(busy.status()).as(busy.toString()).isEqualTo(409);
        assertThat(busy.message()).contains("already running");
        JsonNode done = finished("slow", slow.json().path("job_id").asText());
        assertThat(done.path("job_status").asText()).as(done.toString()).isEqualTo("success");
    }

    @Test
    void event_rows_with_a_timestamp_without_time_zone_happen_at_its_utc_wall_time_whatever_the_jvm_zone() throws Exception {
        java.util.TimeZone before = java.util.TimeZone.getDefault();
        try {
            java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Kolkata"));
            sql("INSERT INTO demo_events VALUES ('2024-06-01 08:15:30.125', 'pg-ev', '{\"name\": \"demo_requested\"}'::jsonb)");
            JsonNode run = finished("pg-events", kiln.post("/cdi/integrations/pg-events/sync", "").json().path("job_id").asText());
            assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
            assertThat(run.path("rows_synced").asLong()).isEqualTo(1);
            assertThat(run.path("last_timestamp_synced").asText()).isEqualTo("2024-06-01T08:15:30.125Z");
            // Late, inside the 1 h overlap: found only if the bound is bound as a UTC wall time too.
            sql("INSERT INTO demo_events VALUES ('2024-06-01 07:20:00', 'pg-ev', '{\"name\": \"demo_requested\", \"properties\": {\"late\": true}}'::jsonb)");
            JsonNode again = finished("pg-events", kiln.post("/cdi/integrations/pg-events/sync", "").json().path("job_id").asText());
            assertThat(again.path("rows_synced").asLong()).as(again.toString()).isEqualTo(1);
            assertThat(again.path("rows_already_synced").asLong()).isEqualTo(1);
            JsonNode user = kiln.post("/users/export/ids", "{\"external_ids\":[\"pg-ev\"]}").json().path("users").get(0);
            JsonNode demo = user.path("custom_events").get(0);
            assertThat(demo.path("count").asInt()).isEqualTo(2);
            assertThat(demo.path("first").asText()).isEqualTo("2024-06-01T07:20:00Z");
            assertThat(demo.path("last").asText()).isEqualTo("2024-06-01T08:15:30.125Z");
        } finally {
            java.util.TimeZone.setDefault(before);
        }
    }
}
