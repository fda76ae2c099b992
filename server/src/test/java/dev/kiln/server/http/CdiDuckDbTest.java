package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CDI from a DuckDB file (the driver is bundled): {@code lead_scores} with a {@code TIMESTAMP} and with a
 * {@code TIMESTAMPTZ} {@code UPDATED_AT} and a {@code JSON} PAYLOAD; events whose time defaults to
 * UPDATED_AT. A {@code TIMESTAMP} (no time zone) is a UTC wall time whatever the JVM's default zone, and the
 * next sync's lower bound is compared as such (a late row inside the overlap is found).
 */
class CdiDuckDbTest {
    static final List<String> ZONES = List.of("Asia/Kolkata", "America/Los_Angeles", "Pacific/Kiritimati");
    static Path warehouse;
    static CanvasRoutesTest.Running kiln;

    @BeforeAll
    static void start() throws Exception {
        warehouse = Files.createTempDirectory("kiln-cdi-duck").resolve("warehouse.duckdb");
        sql("CREATE TABLE lead_scores (UPDATED_AT TIMESTAMP NOT NULL, EXTERNAL_ID VARCHAR, PAYLOAD JSON)");
        sql("CREATE TABLE lead_scores_tz (UPDATED_AT TIMESTAMPTZ NOT NULL, EXTERNAL_ID VARCHAR, PAYLOAD JSON)");
        sql("CREATE TABLE demo_events (UPDATED_AT TIMESTAMPTZ NOT NULL, EXTERNAL_ID VARCHAR, PAYLOAD JSON)");
        String url = "jdbc:duckdb:" + warehouse;
        Map<String, String> files = new LinkedHashMap<>();
        files.put("cdi/duck-scores.yaml", integration("duck-scores", url, "lead_scores", "users.attributes"));
        files.put("cdi/duck-scores-tz.yaml", integration("duck-scores-tz", url, "lead_scores_tz", "users.attributes"));
        files.put("cdi/duck-events.yaml", integration("duck-events", url, "demo_events", "users.events"));
        for (int i = 0; i < ZONES.size(); i++) {
            sql("CREATE TABLE zone_" + i + " (UPDATED_AT TIMESTAMP NOT NULL, EXTERNAL_ID VARCHAR, PAYLOAD JSON)");
            files.put("cdi/zone-" + i + ".yaml", integration("zone-" + i, url, "zone_" + i, "users.events"));
        }
        kiln = new CanvasRoutesTest.Running(files);
    }

    static String integration(String id, String url, String table, String type) {
        return "id: " + id + "\nname: " + id + "\nsource: { jdbc_url: '" + url + "', table: " + table + " }\ntype: " + type
                + "\nschedule: { manual: true }\nbatch_size: 2\n";
    }

    @AfterAll static void stop() { if (kiln != null) kiln.close(); }

    static void sql(String statement, Object... args) throws SQLException {
        CdiJobs.sql("jdbc:duckdb:" + warehouse, new java.util.Properties(), statement, args);
    }

    static JsonNode sync(String id) { return CdiJobs.sync(kiln, id); }

    static JsonNode changes(String user, String attribute) {
        Http.Response r = kiln.get("/users/" + user + "/attributes/" + attribute.replace(" ", "%20") + "/history");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("changes");
    }

    static JsonNode event(String user, String name) {
        Http.Response r = kiln.post("/users/export/ids", "{\"external_ids\":[\"" + user + "\"]}");
        for (JsonNode e : r.json().path("users").get(0).path("custom_events")) if (e.path("name").asText().equals(name)) return e;
        throw new AssertionError("no event " + name + " in " + r);
    }

    @Test
    void a_timestamp_row_with_a_json_payload_sets_the_score_and_is_never_applied_twice() throws Exception {
        String u = "duck-" + UUID.randomUUID(), late = "late-" + UUID.randomUUID();
        sql("INSERT INTO lead_scores VALUES (TIMESTAMP '2024-05-01 10:00:00.250', ?, '{\"lead score\": 120, \"visits\": {\"inc\": 1}}')", u);
        JsonNode run = sync("duck-scores");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(1);
        assertThat(run.path("last_timestamp_synced").asText()).as("a TIMESTAMP is a UTC wall time").isEqualTo("2024-05-01T10:00:00.250Z");
        JsonNode c = changes(u, "lead score");
        assertThat(c).hasSize(1);
        assertThat(c.get(0).path("new_value").asInt()).isEqualTo(120);
        assertThat(c.get(0).path("source").path("label").asText()).isEqualTo("cdi:duck-scores");

        sql("INSERT INTO lead_scores VALUES (TIMESTAMP '2024-05-01 10:00:00.250', ?, '{\"lead score\": 7}')", late);
        sql("INSERT INTO lead_scores VALUES (TIMESTAMP '2024-05-01 09:30:00', ?, '{\"visits\": {\"inc\": 1}}')", u); // late, inside the 1 h overlap
        JsonNode again = sync("duck-scores");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isEqualTo(2);
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(1);
        assertThat(kiln.custom(u).path("visits").asInt()).isEqualTo(2);
        assertThat(kiln.custom(late).path("lead score").asInt()).isEqualTo(7);
        JsonNode third = sync("duck-scores");
        assertThat(third.path("rows_synced").asLong()).as(third.toString()).isZero();
        assertThat(kiln.custom(u).path("visits").asInt()).isEqualTo(2);
    }

    @Test
    void a_timestamptz_row_is_its_instant_whatever_offset_it_was_written_with() throws Exception {
        String u = "duck-tz-" + UUID.randomUUID(), other = "duck-tz-other-" + UUID.randomUUID();
        sql("INSERT INTO lead_scores_tz VALUES (TIMESTAMPTZ '2024-05-01 12:00:00.500+02', ?, '{\"lead score\": 55}')", u);
        JsonNode run = sync("duck-scores-tz");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("last_timestamp_synced").asText()).isEqualTo("2024-05-01T10:00:00.500Z");
        // The same instant written with another offset: found by the next sync (≥ the bound), the first row not again.
        sql("INSERT INTO lead_scores_tz VALUES (TIMESTAMPTZ '2024-05-01 06:00:00.500-04', ?, '{\"lead score\": 56}')", other);
        JsonNode again = sync("duck-scores-tz");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isEqualTo(1);
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(1);
        assertThat(kiln.custom(u).path("lead score").asInt()).isEqualTo(55);
        assertThat(kiln.custom(other).path("lead score").asInt()).isEqualTo(56);
    }

    @Test
    void event_rows_from_duckdb_happen_at_updated_at_unless_they_say_otherwise() throws Exception {
        String u = "duck-ev-" + UUID.randomUUID();
        sql("INSERT INTO demo_events VALUES (TIMESTAMPTZ '2024-06-01 08:15:30.125+00', ?, '{\"name\": \"demo_requested\", \"properties\": {\"source\": \"duckdb\"}}')", u);
        sql("INSERT INTO demo_events VALUES (TIMESTAMPTZ '2024-06-02 08:00:00+00', ?, '{\"name\": \"webinar_registered\", \"time\": \"2024-05-30T00:00:00Z\"}')", u);
        JsonNode run = sync("duck-events");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(2);
        assertThat(event(u, "demo_requested").path("first").asText()).isEqualTo("2024-06-01T08:15:30.125Z");
        assertThat(event(u, "webinar_registered").path("first").asText()).isEqualTo("2024-05-30T00:00:00Z");
        JsonNode again = sync("duck-events");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isZero();
        assertThat(event(u, "demo_requested").path("count").asInt()).isEqualTo(1);
    }

    /**
     * The JVM's default zone must not move a TIMESTAMP: read as a UTC wall time, and the lower bound of the next
     * sync bound as one (a bound shifted by the zone's offset would miss the late row or read too far back).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void a_timestamp_is_a_utc_wall_time_whatever_the_jvm_zone(int zone) throws Exception {
        TimeZone before = TimeZone.getDefault();
        String u = "zone-" + UUID.randomUUID();
        String id = "zone-" + zone, table = "zone_" + zone;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone(ZONES.get(zone)));
            sql("INSERT INTO " + table + " VALUES (TIMESTAMP '2024-08-01 10:00:00', ?, '{\"name\": \"first\"}')", u);
            JsonNode run = sync(id);
            assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
            assertThat(run.path("last_timestamp_synced").asText()).isEqualTo("2024-08-01T10:00:00Z");
            assertThat(event(u, "first").path("first").asText()).isEqualTo("2024-08-01T10:00:00Z");
            sql("INSERT INTO " + table + " VALUES (TIMESTAMP '2024-08-01 09:00:01', ?, '{\"name\": \"late\"}')", u); // inside the overlap
            sql("INSERT INTO " + table + " VALUES (TIMESTAMP '2024-08-01 08:59:58', ?, '{\"name\": \"too_late\"}')", u); // below it
            JsonNode again = sync(id);
            assertThat(again.path("rows_synced").asLong()).as(again.toString()).isEqualTo(1);
            assertThat(again.path("rows_already_synced").asLong()).isEqualTo(1);
            assertThat(again.path("rows_read").asLong()).as("the bound is max − overlap, as a UTC wall time: %s", again).isEqualTo(2);
            assertThat(event(u, "late").path("first").asText()).isEqualTo("2024-08-01T09:00:01Z");
        } finally {
            TimeZone.setDefault(before);
        }
    }
}
