package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code cdi/*.yaml}: Cloud Data Ingestion integrations (see {@link CdiIntegration} and {@code docs/cdi.md}).
 * The password is only ever a place to read it from, as in connections.
 */
final class CdiKind implements DocumentKind<CdiIntegration> {
    static final List<String> KEYS = List.of("id", "name", "source", "type", "schedule", "batch_size", "overlap");
    static final List<String> SOURCE_KEYS = List.of("jdbc_url", "user", "password", "table", "query");
    static final List<String> TYPES = List.of("users.attributes", "users.events", "users.purchases", "users.delete");
    /** A table name, optionally schema-qualified; quoted names are written as a query instead. */
    static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*){0,2}");

    @Override public String folder() { return "cdi"; }

    @Override public String singular() { return "CDI integration"; }

    @Override public String plural() { return "CDI integrations"; }

    @Override public CdiIntegration parse(JsonNode document, ProblemSink problems) {
        CountingSink sink = new CountingSink(problems);
        Cursor root = Cursor.root(document, sink);
        if (!root.isMapping()) {
            root.problem("expected a mapping with id, name, source, type and schedule, got " + root.describe());
            return null;
        }
        Documents.refuseUnknownKeys(root, KEYS);
        Optional<String> id = Documents.id(root);
        Optional<String> name = Documents.name(root);
        Cursor source = root.field("source");
        String url = null, user = null, table = null, query = null;
        Connection.SecretRef password = null;
        if (!source.isMapping()) {
            source.problem(source.present() ? "expected a mapping with jdbc_url and table or query, got " + source.describe() : "required");
        } else {
            Documents.refuseUnknownKeys(source, SOURCE_KEYS);
            url = jdbcUrl(source.field("jdbc_url"));
            Cursor u = source.field("user");
            if (u.present()) user = u.text("a user name as text").orElse(null);
            Cursor p = source.field("password");
            if (p.present()) password = ConnectionKind.secret(p);
            Cursor t = source.field("table"), q = source.field("query");
            if (t.present() && q.present()) source.problem("give table or query, not both");
            else if (!t.present() && !q.present()) source.problem("required: table (a table or view name) or query (a SELECT)");
            else if (t.present()) {
                table = t.text("a table name such as lead_scores or analytics.lead_scores").orElse(null);
                if (table != null && !TABLE.matcher(table).matches()) {
                    t.problem("expected a table name of letters, digits and '_' (schema.table allowed), got " + t.describe()
                            + "; write anything else as query: SELECT * FROM …");
                    table = null;
                }
            } else {
                query = q.text("a SELECT statement").orElse(null);
                if (query != null) {
                    String trimmed = query.strip();
                    while (trimmed.endsWith(";")) trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
                    if (trimmed.contains(";")) {
                        q.problem("one SELECT statement only (found ';' inside)");
                        query = null;
                    } else if (!trimmed.toLowerCase(Locale.ROOT).matches("(?s)(select|with)\\b.*")) {
                        q.problem("expected a SELECT (or WITH … SELECT) statement, got " + q.describe());
                        query = null;
                    } else query = trimmed;
                }
            }
        }
        CdiIntegration.Type type = type(root.field("type"));
        Long every = null;
        boolean scheduleOk = false;
        Cursor schedule = root.field("schedule");
        if (!schedule.isMapping()) {
            schedule.problem(schedule.present() ? "expected { every: 15m } or { manual: true }, got " + schedule.describe()
                    : "required: { every: 15m } or { manual: true }");
        } else {
            Documents.refuseUnknownKeys(schedule, List.of("every", "manual"));
            Cursor e = schedule.field("every"), m = schedule.field("manual");
            if (e.present() && m.present()) schedule.problem("give every or manual, not both");
            else if (e.present()) {
                Optional<Long> ms = Durations.millis(e);
                if (ms.isPresent() && ms.get() < Durations.MINUTE) e.problem("at least 1m between syncs, got " + e.describe());
                else if (ms.isPresent()) { every = ms.get(); scheduleOk = true; }
            } else if (m.present()) scheduleOk = m.flag();
            else schedule.problem("required: every (such as 15m) or manual: true");
        }
        int batch = CdiIntegration.DEFAULT_BATCH_SIZE;
        Cursor b = root.field("batch_size");
        if (b.present()) batch = b.whole("a whole number of rows from 1 to " + CdiIntegration.MAX_BATCH_SIZE, 1, CdiIntegration.MAX_BATCH_SIZE)
                .map(Long::intValue).orElse(-1);
        long overlap = CdiIntegration.DEFAULT_OVERLAP_MILLIS;
        Cursor o = root.field("overlap");
        if (o.present()) overlap = Durations.millis(o).orElse(-1L);
        if (sink.count() > 0 || id.isEmpty() || name.isEmpty() || url == null || type == null || !scheduleOk
                || (table == null && query == null) || batch < 1 || overlap < 0) return null;
        return new CdiIntegration(id.get(), name.get(), url, user, password, table, query, type, every, batch, overlap);
    }

    static String jdbcUrl(Cursor c) {
        Optional<String> url = c.text("a JDBC URL such as jdbc:postgresql://host:5432/db or jdbc:sqlite:./kiln-data/warehouse.db");
        if (url.isEmpty()) return null;
        if (!url.get().startsWith("jdbc:")) {
            c.problem("expected a JDBC URL starting with jdbc:, such as jdbc:postgresql://host:5432/db");
            return null;
        }
        if (url.get().toLowerCase(Locale.ROOT).matches(".*[?&;]password=.*")) {
            // Never echo the URL: it holds a secret.
            c.problem("must not hold a password: write source.password: { env: VARIABLE_NAME } or { file: /path/to/secret }");
            return null;
        }
        return url.get();
    }

    private static CdiIntegration.Type type(Cursor t) {
        if (!t.present()) {
            t.problem("required: " + Words.oneOf(TYPES));
            return null;
        }
        if (t.node().isTextual()) {
            String w = t.node().textValue();
            for (CdiIntegration.Type type : CdiIntegration.Type.values()) if (type.word().equals(w)) return type;
            t.problem("unknown CDI type; " + Words.suggest(w, TYPES));
            return null;
        }
        t.problem("expected " + Words.oneOf(TYPES) + ", got " + t.describe());
        return null;
    }

    @Override public String toString() { return "cdi"; }
}
