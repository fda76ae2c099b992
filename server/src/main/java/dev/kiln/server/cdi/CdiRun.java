package dev.kiln.server.cdi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One sync of one integration: its counters while it runs and its outcome after. Counters are written by the
 * sync's thread and read by status requests, hence volatile; the record is persisted as JSON under
 * {@code cdi-run:<integration>:<slot>} in the meta table (the last {@link CdiService#KEPT_RUNS} runs).
 */
public final class CdiRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many skip reasons a run keeps (the first ones). */
    public static final int KEPT_REASONS = 20;

    public enum Status { RUNNING, SUCCESS, PARTIAL, ERROR, CANCELLED, INTERRUPTED }

    /** A skipped row: which one ({@code row} describes its identifier and UPDATED_AT) and why. */
    public record Reason(String row, String reason) {}

    public final String jobId;
    public final String integrationId;
    /** manual, schedule or cli. */
    public final String trigger;
    public final long startedAt;
    volatile Status status = Status.RUNNING;
    volatile long endedAt;
    volatile long read, applied, skipped, alreadySynced;
    /** The highest UPDATED_AT synced when the run ended (epoch ms), or MIN_VALUE. */
    volatile long lastTimestamp = Long.MIN_VALUE;
    volatile String error;
    final List<Reason> reasons = new ArrayList<>();

    CdiRun(String jobId, String integrationId, String trigger, long startedAt) {
        this.jobId = jobId;
        this.integrationId = integrationId;
        this.trigger = trigger;
        this.startedAt = startedAt;
    }

    public Status status() { return status; }
    public long endedAt() { return endedAt; }
    public long read() { return read; }
    public long applied() { return applied; }
    public long skipped() { return skipped; }
    public long alreadySynced() { return alreadySynced; }
    public long lastTimestamp() { return lastTimestamp; }
    public String error() { return error; }

    public synchronized List<Reason> reasons() { return List.copyOf(reasons); }

    synchronized void skip(String row, String reason) {
        skipped++;
        if (reasons.size() < KEPT_REASONS) reasons.add(new Reason(row, reason));
    }

    synchronized String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("job_id", jobId).put("integration_id", integrationId).put("trigger", trigger).put("started_at", startedAt)
                .put("status", status.name()).put("ended_at", endedAt).put("read", read).put("applied", applied)
                .put("skipped", skipped).put("already_synced", alreadySynced).put("last_timestamp", lastTimestamp);
        if (error != null) o.put("error", error);
        ArrayNode r = o.putArray("reasons");
        for (Reason x : reasons) r.addObject().put("row", x.row()).put("reason", x.reason());
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CdiRun parse(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            CdiRun run = new CdiRun(o.path("job_id").asText(), o.path("integration_id").asText(), o.path("trigger").asText(),
                    o.path("started_at").asLong());
            run.status = Status.valueOf(o.path("status").asText("ERROR"));
            run.endedAt = o.path("ended_at").asLong();
            run.read = o.path("read").asLong();
            run.applied = o.path("applied").asLong();
            run.skipped = o.path("skipped").asLong();
            run.alreadySynced = o.path("already_synced").asLong();
            run.lastTimestamp = o.path("last_timestamp").asLong(Long.MIN_VALUE);
            run.error = o.hasNonNull("error") ? o.get("error").asText() : null;
            o.path("reasons").forEach(r -> run.reasons.add(new Reason(r.path("row").asText(), r.path("reason").asText())));
            return run;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** One line for logs and the CLI. */
    public String summary() {
        return "CDI " + integrationId + " job " + jobId + ": " + status.name().toLowerCase(java.util.Locale.ROOT) + ", " + read + " rows read, "
                + applied + " applied, " + skipped + " skipped, " + alreadySynced + " already synced" + (error == null ? "" : "; " + error);
    }
}
