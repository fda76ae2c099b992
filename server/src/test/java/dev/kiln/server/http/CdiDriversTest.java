package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.jdbc.JdbcSources;
import dev.kiln.server.jdbc.TestDriverJar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A CDI sync whose source driver comes from the drivers directory (a jar built at test time, see
 * {@link TestDriverJar}): the rows are applied through it; with another drivers directory the sync fails with
 * an error that names the directory.
 */
class CdiDriversTest {
    static Path dir, drivers;
    static Path before;
    static CanvasRoutesTest.Running kiln;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kiln-cdi-drivers");
        drivers = dir.resolve("drivers");
        TestDriverJar.build(drivers);
        Path db = dir.resolve("warehouse.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE lead_scores (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
            st.execute("INSERT INTO lead_scores VALUES ('2024-05-01 10:00:00', 'via-driver', '{\"lead score\": 42}')");
        }
        before = JdbcSources.driversDirectory();
        JdbcSources.driversDirectory(drivers); // what `kiln serve --drivers DIR` does before it starts the server
        kiln = new CanvasRoutesTest.Running(Map.of("cdi/custom.yaml", "id: custom\nname: Through a driver jar\n"
                + "source: { jdbc_url: 'jdbc:kilntest:" + db + "', table: lead_scores }\ntype: users.attributes\nschedule: { manual: true }\n"));
    }

    @AfterAll
    static void stop() {
        JdbcSources.driversDirectory(before);
        if (kiln != null) kiln.close();
    }

    static JsonNode sync() { return CdiJobs.sync(kiln, "custom"); }

    @Test
    void a_sync_reads_through_a_driver_from_the_drivers_directory_and_names_the_directory_without_it() {
        int connects = TestDriverJar.connects();
        JsonNode run = sync();
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(1);
        assertThat(TestDriverJar.connects()).as("the sync connected through the jar's driver").isEqualTo(connects + 1);
        assertThat(kiln.custom("via-driver").path("lead score").asInt()).isEqualTo(42);
        assertThat(kiln.get("/cdi/integrations").json().path("results").get(0).path("warehouse_type").asText()).isEqualTo("kilntest");

        Path elsewhere = dir.resolve("other-drivers");
        JdbcSources.driversDirectory(elsewhere);
        try {
            JsonNode failed = sync();
            assertThat(failed.path("job_status").asText()).as(failed.toString()).isEqualTo("error");
            assertThat(failed.path("error").asText()).startsWith("source: no JDBC driver accepts jdbc:kilntest: URLs")
                    .contains("drivers directory " + elsewhere.toAbsolutePath() + " (does not exist)")
                    .doesNotContain("warehouse.db");
        } finally {
            JdbcSources.driversDirectory(drivers);
        }
    }
}
