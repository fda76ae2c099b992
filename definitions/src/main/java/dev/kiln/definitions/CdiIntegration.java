package dev.kiln.definitions;

import java.util.Objects;

/**
 * A {@code cdi/*.yaml} document: a Cloud Data Ingestion integration, Braze's way of syncing users from a
 * warehouse table or query (see {@code docs/cdi.md}).
 *
 * <pre>
 * id: lead-scores
 * name: Lead scores from the warehouse
 * source:
 *   jdbc_url: jdbc:postgresql://warehouse:5432/analytics
 *   user: kiln                              # optional
 *   password: { env: WAREHOUSE_PASSWORD }   # optional; or { file: /run/secrets/warehouse }
 *   table: lead_scores                      # or query: SELECT … (exactly one)
 * type: users.attributes                    # or users.events, users.purchases, users.delete
 * schedule: { every: 15m }                  # or { manual: true }
 * batch_size: 1000                          # optional
 * overlap: 1h                               # optional: how far back each sync looks for late rows
 * </pre>
 *
 * @param everyMillis   the schedule's interval, or null for {@code manual: true}
 * @param overlapMillis the look-back below the last synced maximum {@code UPDATED_AT} (see {@code docs/cdi.md})
 */
public record CdiIntegration(String id, String name, String jdbcUrl, String user, Connection.SecretRef password,
                             String table, String query, Type type, Long everyMillis, int batchSize, long overlapMillis) {
    public static final int DEFAULT_BATCH_SIZE = 1000;
    public static final int MAX_BATCH_SIZE = 10_000;
    public static final long DEFAULT_OVERLAP_MILLIS = 3_600_000L;

    public enum Type {
        USERS_ATTRIBUTES("users.attributes"), USERS_EVENTS("users.events"), USERS_PURCHASES("users.purchases"),
        USERS_DELETE("users.delete");
        private final String word;
        Type(String word) { this.word = word; }
        public String word() { return word; }
    }

    public CdiIntegration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(type, "type");
        if ((table == null) == (query == null)) throw new IllegalArgumentException("exactly one of table or query");
    }

    public boolean manual() { return everyMillis == null; }

    /** The rows this integration reads, as a FROM item: the table name or the query in parentheses. */
    public String from() { return table != null ? table : "(" + query + ")"; }
}
