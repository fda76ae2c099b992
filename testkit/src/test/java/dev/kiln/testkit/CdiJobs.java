package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Starting a CDI sync over HTTP and reading its job status, for the CDI tests on a real server process. */
final class CdiJobs {
    private CdiJobs() {}

    /** {@code POST /cdi/integrations/{id}/sync}; returns the job id of the 202. */
    static String startSync(KilnClient client, String integration) {
        KilnClient.Response r = client.post("/cdi/integrations/" + integration + "/sync", "{}");
        assertThat(r.status()).as("start sync of %s: %s", integration, r).isEqualTo(202);
        return r.json().path("job_id").asText();
    }

    /** The job's entry in {@code GET /cdi/integrations/{id}/job_sync_status}. */
    static JsonNode job(KilnClient client, String integration, String jobId) {
        KilnClient.Response r = client.get("/cdi/integrations/" + integration + "/job_sync_status");
        assertThat(r.status()).as("job status: %s", r).isEqualTo(200);
        for (JsonNode j : r.json().path("results")) if (j.path("job_id").asText().equals(jobId)) return j;
        throw new AssertionError("no job " + jobId + " in " + r);
    }

    /** Waits (at most {@code patience}) until the job is no longer {@code running}; returns its last status. */
    static JsonNode awaitEnd(KilnClient client, String integration, String jobId, Duration patience) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await("job " + jobId + " of " + integration + " ends").atMost(patience).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    JsonNode job = job(client, integration, jobId);
                    last.set(job);
                    return !job.path("job_status").asText().equals("running");
                });
        return last.get();
    }
}
