package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The CDI source of the data benchmark: a table {@code kiln_bench_data_cdi_…} in the local PostgreSQL (dropped by
 * {@link #close()}) with Braze's columns {@code UPDATED_AT timestamptz, EXTERNAL_ID text, PAYLOAD jsonb}, filled
 * with COPY. Row {@code i} is for {@code lead-(i mod leads)} at {@code UPDATED_AT = base + i × spacing} (all in
 * the past, each row later than the one before) with {@code {"lead score": n}}, n in 1..1000 and never the
 * lead's previous value, so every row changes the score and triggers the seed Canvas. The lead's last row
 * holds the value its profile must end with.
 */
final class DataCdi implements AutoCloseable {
    static final String INTEGRATION = "bench-pg";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String pgUrl;
    final String table;
    private final int leads;
    private final long spacingMillis;
    private final long baseMillis;
    private final int[] last;
    private final SplittableRandom random;
    private long written;

    private DataCdi(String pgUrl, String table, int leads, long spacingMillis, long baseMillis, long seed) {
        this.pgUrl = pgUrl;
        this.table = table;
        this.leads = leads;
        this.spacingMillis = spacingMillis;
        this.baseMillis = baseMillis;
        this.last = new int[leads];
        this.random = new SplittableRandom(seed);
    }

    /**
     * Creates the table. {@code plannedRows} (every fill together) sets the base so that the last row's
     * UPDATED_AT is a minute before now.
     */
    static DataCdi create(String pgUrl, int leads, long plannedRows, long spacingMillis, long seed) {
        String table = "kiln_bench_data_cdi_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"))
                + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        long base = System.currentTimeMillis() - 60_000 - plannedRows * spacingMillis;
        try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (UPDATED_AT timestamptz NOT NULL, EXTERNAL_ID text NOT NULL, PAYLOAD jsonb NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the CDI source table " + table + " at " + safe(pgUrl) + ": " + e.getMessage(), e);
        }
        return new DataCdi(pgUrl, table, leads, spacingMillis, base, seed);
    }

    static String safe(String url) { return url.replaceAll("(?i)password=[^&;]*", "password=***"); }

    long written() { return written; }

    /** Appends {@code rows} rows with COPY (text format), then indexes and analyzes the table; returns the seconds taken. */
    double fill(long rows) {
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(pgUrl)) {
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (UPDATED_AT, EXTERNAL_ID, PAYLOAD) FROM STDIN");
            try {
                StringBuilder b = new StringBuilder(1 << 20);
                for (long k = 0; k < rows; k++) {
                    long i = written + k;
                    int lead = (int) (i % leads);
                    int v;
                    do v = 1 + random.nextInt(1000); while (v == last[lead]);
                    last[lead] = v;
                    b.append(Instant.ofEpochMilli(baseMillis + i * spacingMillis)).append('\t')
                            .append("lead-").append(lead).append('\t')
                            .append("{\"lead score\": ").append(v).append("}\n");
                    if (b.length() > (1 << 20) - 256) {
                        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
                        in.writeToCopy(bytes, 0, bytes.length);
                        b.setLength(0);
                    }
                }
                byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
                if (bytes.length > 0) in.writeToCopy(bytes, 0, bytes.length);
                in.endCopy();
            } finally {
                if (in.isActive()) in.cancelCopy();
            }
            written += rows;
            try (Statement s = c.createStatement()) {
                s.execute("CREATE INDEX IF NOT EXISTS " + table + "_updated ON " + table + " (UPDATED_AT, EXTERNAL_ID)");
                s.execute("ANALYZE " + table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot fill the CDI source table " + table + ": " + e.getMessage(), e);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The lead score {@code lead-i}'s profile must hold after a sync of every row written so far (0: no row yet). */
    int expected(int lead) { return last[lead]; }

    /** Writes {@code cdi/bench-pg.yaml}: this table, users.attributes, manual schedule, Kiln's defaults otherwise. */
    void writeIntegration(Path definitions, Integer batchSize) {
        String yaml = "id: " + INTEGRATION + "\n"
                + "name: Kiln bench data (PostgreSQL table " + table + ")\n"
                + "source:\n"
                + "  jdbc_url: '" + pgUrl.replace("'", "''") + "'\n"
                + "  table: " + table + "\n"
                + "type: users.attributes\n"
                + "schedule: { manual: true }\n"
                + (batchSize == null ? "" : "batch_size: " + batchSize + "\n");
        try {
            Files.createDirectories(definitions.resolve("cdi"));
            Files.writeString(definitions.resolve("cdi").resolve(INTEGRATION + ".yaml"), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write cdi/" + INTEGRATION + ".yaml", e);
        }
    }

    // ---- the sync, over HTTP -------------------------------------------------------------------------

    /** One {@code job_sync_status} entry. */
    record Job(String id, String status, long read, long synced, long failed, long alreadySynced, String start, String finish,
               String error, List<String> firstErrors) {
        boolean running() { return status.equals("running"); }
    }

    /** {@code POST /cdi/integrations/bench-pg/sync}; returns the job id. */
    static String startSync(HttpClient http, TrackLoad track) {
        try {
            HttpResponse<String> r = http.send(track.post("/cdi/integrations/" + INTEGRATION + "/sync", ""), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) throw new IllegalStateException("POST /cdi/integrations/" + INTEGRATION + "/sync answered " + r.statusCode() + ": " + r.body());
            return JSON.readTree(r.body()).path("job_id").asText();
        } catch (IOException e) {
            throw new IllegalStateException("POST sync failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The job {@code jobId} from {@code GET /cdi/integrations/bench-pg/job_sync_status}. */
    static Job job(HttpClient http, URI base, String key, String jobId) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/cdi/integrations/" + INTEGRATION + "/job_sync_status"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("job_sync_status answered " + r.statusCode() + ": " + r.body());
            for (JsonNode j : JSON.readTree(r.body()).path("results")) {
                if (!j.path("job_id").asText().equals(jobId)) continue;
                List<String> errors = new ArrayList<>();
                j.path("first_errors").forEach(e -> errors.add(e.path("row").asText() + ": " + e.path("reason").asText()));
                return new Job(jobId, j.path("job_status").asText(), j.path("rows_read").asLong(), j.path("rows_synced").asLong(),
                        j.path("rows_failed_with_errors").asLong(), j.path("rows_already_synced").asLong(), j.path("sync_start_time").asText(null),
                        j.path("sync_finish_time").asText(null), j.hasNonNull("error") ? j.get("error").asText() : null, errors);
            }
            throw new IllegalStateException("job " + jobId + " is not in job_sync_status: " + r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET job_sync_status failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- the check ----------------------------------------------------------------------------------

    /** Sampled profiles: how many were read, held the expected score, were missing; a few mismatches. */
    record Check(int sampled, int matched, int missing, List<String> mismatches) {
        boolean ok() { return matched == sampled; }
    }

    /**
     * Reads {@code sample} random leads (among those with a row) through {@code POST /users/export/ids}, 50 per
     * request, and compares {@code custom_attributes."lead score"} with their last row's value.
     */
    Check verify(HttpClient http, TrackLoad track, int sample, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int withRows = (int) Math.min(leads, written);
        int n = Math.min(sample, withRows);
        List<Integer> picked = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (picked.size() < n) {
            int i = r.nextInt(withRows);
            if (seen.add(i)) picked.add(i);
        }
        int matched = 0, missing = 0;
        List<String> mismatches = new ArrayList<>();
        for (int from = 0; from < picked.size(); from += 50) {
            List<Integer> chunk = picked.subList(from, Math.min(picked.size(), from + 50));
            StringBuilder body = new StringBuilder("{\"external_ids\":[");
            for (int k = 0; k < chunk.size(); k++) body.append(k == 0 ? "" : ",").append("\"lead-").append(chunk.get(k)).append('"');
            body.append("],\"fields_to_export\":[\"external_id\",\"custom_attributes\"]}");
            JsonNode users;
            try {
                HttpResponse<String> resp = http.send(track.post("/users/export/ids", body.toString()), HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200) throw new IllegalStateException("/users/export/ids answered " + resp.statusCode() + ": " + resp.body());
                users = JSON.readTree(resp.body()).path("users");
            } catch (IOException e) {
                throw new IllegalStateException("/users/export/ids failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
            users.forEach(u -> byId.put(u.path("external_id").asText(), u));
            for (int lead : chunk) {
                JsonNode u = byId.get("lead-" + lead);
                if (u == null) {
                    missing++;
                    if (mismatches.size() < 5) mismatches.add("lead-" + lead + ": no profile");
                    continue;
                }
                JsonNode score = u.path("custom_attributes").path("lead score");
                if (score.isNumber() && score.asDouble() == expected(lead)) matched++;
                else if (mismatches.size() < 5) mismatches.add("lead-" + lead + ": lead score " + score + ", expected " + expected(lead));
            }
        }
        return new Check(n, matched, missing, mismatches);
    }

    /** Drops the table. */
    @Override public void close() {
        try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        } catch (SQLException e) {
            System.out.println("  ! could not drop the CDI source table " + table + ": " + e.getMessage());
        }
    }

    @Override public String toString() { return "PostgreSQL table " + table; }
}
