package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** CDI through the HTTP API of an in-process server, and SQL on the warehouse the tests fill. */
final class CdiJobs {
    private CdiJobs() {}

    /** Starts a manual sync of {@code id} (202), waits for it to end, returns its job_sync_status entry. */
    static JsonNode sync(CanvasRoutesTest.Running kiln, String id) {
        Http.Response r = kiln.post("/cdi/integrations/" + id + "/sync", "");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String job = r.json().path("job_id").asText();
        assertThat(job).isNotBlank();
        return finished(kiln, id, job);
    }

    /** Waits for job {@code job} of {@code id} to end; returns its job_sync_status entry. */
    static JsonNode finished(CanvasRoutesTest.Running kiln, String id, String job) {
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

    /** Runs one statement with its parameters on the warehouse at {@code url}. */
    static void sql(String url, Properties props, String statement, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, props); PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
            st.execute();
        }
    }
}
