package dev.kiln.server.cdi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.definitions.CdiIntegration;
import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.UserAlias;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;
import dev.kiln.server.http.TrackRequests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One sync of one integration: streams the source's rows from {@code max − overlap} on (see {@link Watermark}),
 * turns each into an op as {@code /users/track} or {@code /users/delete} would, and submits them in batches
 * of {@code batch_size}, each ending with the watermark ({@link Op.Meta}) so that the rows and the progress
 * commit together. A bad row is recorded in the run with its reason and passed over; only a source or store
 * failure ends the run.
 */
final class CdiSync {
    /** Braze's limits per row. */
    static final int MAX_ATTRIBUTES = 250;
    static final int MAX_PAYLOAD_BYTES = 1024 * 1024;
    static final List<String> IDENTIFIERS = List.of("EXTERNAL_ID", "ALIAS_NAME", "ALIAS_LABEL", "BRAZE_ID", "EMAIL", "PHONE");
    private static final Set<String> CONTROL = Set.of("external_id", "user_alias", "braze_id", "_update_existing_only", "_merge_objects");
    /** Fields of a /users/track event or purchase object that name the user: a PAYLOAD must not hold them. */
    private static final Set<String> EVENT_IDENTIFIERS = Set.of("external_id", "user_alias", "braze_id", "email", "phone", "_update_existing_only");
    /** What an events / purchases PAYLOAD may hold (Braze's event and purchase objects without the identifier). */
    private static final Set<String> EVENT_FIELDS = fields("name", "time", "properties", "app_id");
    private static final Set<String> PURCHASE_FIELDS = fields("product_id", "currency", "price", "quantity", "time", "properties", "app_id");
    private static final long COMMIT_TIMEOUT_SECONDS = 120;

    private final CdiIntegration integration;
    private final KilnRuntime runtime;
    private final Function<dev.kiln.definitions.Connection.SecretRef, String> secrets;
    private final BooleanSupplier cancelled;
    private final CdiRun run;
    private final Source source;
    private final String metaKey;

    CdiSync(CdiIntegration integration, KilnRuntime runtime, Function<dev.kiln.definitions.Connection.SecretRef, String> secrets,
            BooleanSupplier cancelled, CdiRun run) {
        this.integration = integration;
        this.runtime = runtime;
        this.secrets = secrets;
        this.cancelled = cancelled;
        this.run = run;
        this.source = new Source(Source.Kind.CDI, integration.id());
        this.metaKey = watermarkKey(integration.id());
    }

    private static Set<String> fields(String... names) {
        return java.util.Collections.unmodifiableSequencedSet(new java.util.LinkedHashSet<>(List.of(names)));
    }

    static String watermarkKey(String id) { return "cdi:" + id; }

    /** Runs the sync to its end; failures end up in the run (status ERROR), never thrown. */
    void run() {
        try {
            sync();
        } catch (Cancelled c) {
            run.status = CdiRun.Status.CANCELLED;
        } catch (Exception e) {
            run.status = CdiRun.Status.ERROR;
            run.error = message(e);
        }
    }

    private static String message(Exception e) {
        if (e instanceof SQLException s) return "source: " + s.getMessage();
        if (e instanceof ExecutionException x && x.getCause() != null) return "store: " + x.getCause();
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static final class Cancelled extends RuntimeException {
        Cancelled() { super("cancelled", null, false, false); }
    }

    private void sync() throws Exception {
        Watermark wm = Watermark.parse(runtime.store().meta(metaKey).orElse(null));
        run.lastTimestamp = wm.max;
        checkSqliteFile(integration.jdbcUrl());
        Properties props = new Properties();
        if (integration.user() != null) props.setProperty("user", integration.user());
        if (integration.password() != null) props.setProperty("password", secrets.apply(integration.password()));
        try (Connection c = dev.kiln.server.jdbc.JdbcSources.connect(integration.jdbcUrl(), props)) {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            Columns cols = columns(c);
            String where = wm.started() ? " WHERE t." + cols.q(cols.updatedAt) + " >= ?" : "";
            StringBuilder order = new StringBuilder(" ORDER BY t." + cols.q(cols.updatedAt));
            for (String id : IDENTIFIERS) if (cols.has(id)) order.append(", t.").append(cols.q(cols.name(id)));
            String sql = "SELECT * FROM " + integration.from() + " t" + where + order;
            long from = wm.started() ? wm.from(integration.overlapMillis()) : Long.MIN_VALUE;
            try (PreparedStatement st = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                st.setFetchSize(integration.batchSize());
                if (wm.started()) TimeColumn.bind(st, 1, from, wm.shape);
                try (ResultSet rs = st.executeQuery()) {
                    Batch batch = new Batch();
                    while (rs.next()) {
                        if (cancelled.getAsBoolean()) throw new Cancelled();
                        row(rs, cols, wm, from, batch);
                        if (batch.rows >= integration.batchSize()) flush(batch, wm);
                    }
                    if (batch.rows > 0) flush(batch, wm);
                }
            } finally {
                c.rollback();
            }
        }
        run.status = run.skipped > 0 ? CdiRun.Status.PARTIAL : CdiRun.Status.SUCCESS;
    }

    /** A missing SQLite file would be created empty by the driver; say what is wrong instead. */
    private static void checkSqliteFile(String url) {
        if (!url.startsWith("jdbc:sqlite:")) return;
        String path = url.substring("jdbc:sqlite:".length());
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        if (path.startsWith("file:")) path = path.substring(5);
        if (path.isEmpty() || path.equals(":memory:")) return;
        if (!Files.isRegularFile(Path.of(path)))
            throw new IllegalStateException("source: the SQLite file " + path + " does not exist (resolved from "
                    + Path.of("").toAbsolutePath() + ")");
    }

    /** The source's columns (upper-cased name → real name), from an empty read. */
    private record Columns(Map<String, String> byUpper, String updatedAt, boolean updatedAtZoned, String payload) {
        boolean has(String upper) { return byUpper.containsKey(upper); }
        String name(String upper) { return byUpper.get(upper); }
        String q(String real) { return "\"" + real.replace("\"", "\"\"") + "\""; }
    }

    private Columns columns(Connection c) throws SQLException {
        Map<String, String> byUpper = new HashMap<>();
        boolean zoned = false;
        try (PreparedStatement st = c.prepareStatement("SELECT * FROM " + integration.from() + " t WHERE 1 = 0");
             ResultSet rs = st.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String upper = md.getColumnLabel(i).toUpperCase(Locale.ROOT);
                byUpper.put(upper, md.getColumnLabel(i));
                if (upper.equals("UPDATED_AT")) zoned = TimeColumn.zoned(md.getColumnType(i), md.getColumnTypeName(i));
            }
        }
        if (!byUpper.containsKey("UPDATED_AT")) throw new IllegalStateException("source: the rows have no UPDATED_AT column (columns: "
                + String.join(", ", byUpper.values()) + ")");
        if (IDENTIFIERS.stream().noneMatch(byUpper::containsKey))
            throw new IllegalStateException("source: the rows have no identifier column: one of EXTERNAL_ID, ALIAS_NAME and ALIAS_LABEL,"
                    + " BRAZE_ID, EMAIL or PHONE is required");
        if (integration.type() != CdiIntegration.Type.USERS_DELETE && !byUpper.containsKey("PAYLOAD"))
            throw new IllegalStateException("source: the rows have no PAYLOAD column (" + integration.type().word() + " needs one)");
        return new Columns(byUpper, byUpper.get("UPDATED_AT"), zoned, byUpper.get("PAYLOAD"));
    }

    /** Rows waiting for the next submission: their ops, and what each row was (for skip reasons). */
    private static final class Batch {
        final List<Op> ops = new ArrayList<>();
        final List<String> described = new ArrayList<>();
        /** Rows since the last flush, bad ones included (their fingerprints ride with the next watermark). */
        int rows;
    }

    private void row(ResultSet rs, Columns cols, Watermark wm, long from, Batch batch) throws SQLException {
        Object rawTime = rs.getObject(cols.updatedAt);
        TimeColumn.Time time = TimeColumn.read(rawTime, cols.updatedAtZoned);
        String timeText = rawTime == null ? "null" : rawTime.toString();
        String payload = cols.payload == null ? null : rs.getString(cols.payload);
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        for (String id : IDENTIFIERS) if (cols.has(id)) {
            String v = rs.getString(cols.name(id));
            if (v != null) ids.put(id, v);
        }
        String who = ids.isEmpty() ? "a row without identifier" : describe(ids);
        String described = who + " at UPDATED_AT " + timeText;
        if (time == null) {
            // Cannot be placed in the watermark: reported on every sync until fixed.
            run.read++;
            run.skip(described, rawTime == null ? "UPDATED_AT is null" : "UPDATED_AT is not a timestamp: " + clip(timeText));
            return;
        }
        if (time.millis() < from) return; // below the window: the bound is floored to the second
        run.read++;
        String fp = fingerprint(ids, time.millis(), payload);
        if (wm.seen(fp)) {
            run.alreadySynced++;
            return;
        }
        wm.add(fp, time.millis(), time.shape());
        batch.rows++;
        String inputId = "cdi:" + integration.id() + ":" + fp;
        try {
            Op op = switch (integration.type()) {
                case USERS_DELETE -> deleteOp(ids, payload, inputId);
                case USERS_ATTRIBUTES -> attributesOp(ids, payload, inputId);
                case USERS_EVENTS -> eventOp(ids, payload, inputId, time.millis(), false);
                case USERS_PURCHASES -> eventOp(ids, payload, inputId, time.millis(), true);
            };
            batch.ops.add(op);
            batch.described.add(described);
        } catch (BadRow e) {
            run.skip(described, e.getMessage());
        }
    }

    private static final class BadRow extends RuntimeException {
        BadRow(String message) { super(message, null, false, false); }
    }

    private static String describe(Map<String, String> ids) {
        List<String> parts = new ArrayList<>();
        ids.forEach((k, v) -> parts.add(k + " " + clip(v)));
        return String.join(", ", parts);
    }

    private static String clip(String s) {
        return s.length() > 80 ? "\"" + s.substring(0, 80) + "…\"" : "\"" + s + "\"";
    }

    /** The one identifier of a row, as Braze's columns allow. */
    private static ObjectNode identifier(Map<String, String> ids) {
        List<String> kinds = new ArrayList<>();
        if (ids.containsKey("EXTERNAL_ID")) kinds.add("EXTERNAL_ID");
        if (ids.containsKey("ALIAS_NAME") || ids.containsKey("ALIAS_LABEL")) kinds.add("ALIAS_NAME and ALIAS_LABEL");
        for (String k : List.of("BRAZE_ID", "EMAIL", "PHONE")) if (ids.containsKey(k)) kinds.add(k);
        if (kinds.isEmpty()) throw new BadRow("no identifier: one of EXTERNAL_ID, ALIAS_NAME and ALIAS_LABEL, BRAZE_ID or EMAIL is required");
        if (kinds.size() > 1) throw new BadRow("exactly one identifier is allowed per row, found " + String.join(" and ", kinds));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        switch (kinds.get(0)) {
            case "EXTERNAL_ID" -> o.put("external_id", ids.get("EXTERNAL_ID"));
            case "BRAZE_ID" -> o.put("braze_id", ids.get("BRAZE_ID"));
            case "EMAIL" -> o.put("email", ids.get("EMAIL"));
            case "PHONE" -> throw new BadRow("PHONE is not supported as an identifier yet; use EXTERNAL_ID, ALIAS_NAME and ALIAS_LABEL,"
                    + " BRAZE_ID or EMAIL");
            default -> {
                if (!ids.containsKey("ALIAS_NAME") || !ids.containsKey("ALIAS_LABEL"))
                    throw new BadRow("an alias needs both ALIAS_NAME and ALIAS_LABEL");
                o.putObject("user_alias").put("alias_name", ids.get("ALIAS_NAME")).put("alias_label", ids.get("ALIAS_LABEL"));
            }
        }
        return o;
    }

    /** The row's PAYLOAD as a JSON object: at most 1 MB, valid JSON (the API's reader and limits), an object. */
    private static JsonNode payloadObject(String payload, String whatObject) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PAYLOAD_BYTES) throw new BadRow("PAYLOAD is " + bytes.length + " bytes; at most 1 MB (" + MAX_PAYLOAD_BYTES + ") per row");
        JsonNode p;
        try {
            p = TrackRequests.readJson(bytes);
        } catch (RuntimeException e) {
            throw new BadRow("PAYLOAD is not valid JSON: " + e.getMessage());
        }
        if (p == null || !p.isObject())
            throw new BadRow("PAYLOAD must be a JSON object " + whatObject + ", was " + (p == null ? "empty" : p.getNodeType().toString().toLowerCase(Locale.ROOT)));
        return p;
    }

    private Op attributesOp(Map<String, String> ids, String payload, String inputId) {
        ObjectNode obj = identifier(ids);
        if (payload == null) throw new BadRow("PAYLOAD is null; users.attributes rows need a JSON object (use null values to unset attributes)");
        JsonNode p = payloadObject(payload, "of attributes");
        if (p.size() > MAX_ATTRIBUTES) throw new BadRow("PAYLOAD has " + p.size() + " attributes; at most " + MAX_ATTRIBUTES + " per row");
        for (var e : p.properties()) {
            String k = e.getKey();
            if (CONTROL.contains(k) || (k.equals("email") && obj.has("email")))
                throw new BadRow("PAYLOAD must not hold " + k + ": the row's identifier comes from its columns");
            obj.set(k, e.getValue());
        }
        // As Braze's CDI: a row creates the user it names, except by braze_id (AttributeParser never creates then).
        obj.put("_update_existing_only", false);
        TrackRequests.One one = TrackRequests.attributes(obj, inputId, source);
        if (!one.ok()) throw new BadRow(one.reason());
        return one.op();
    }

    /**
     * A users.events or users.purchases row: its PAYLOAD is one event or purchase object of /users/track without
     * the identifier (that comes from the row's columns); {@code time} defaults to the row's UPDATED_AT, as Braze.
     */
    private Op eventOp(Map<String, String> ids, String payload, String inputId, long updatedAt, boolean purchase) {
        ObjectNode obj = identifier(ids);
        String what = purchase ? "users.purchases" : "users.events";
        Set<String> fields = purchase ? PURCHASE_FIELDS : EVENT_FIELDS;
        if (payload == null) throw new BadRow("PAYLOAD is null; " + what + " rows need a JSON object with " + (purchase
                ? "product_id, currency and price" : "name"));
        JsonNode p = payloadObject(payload, purchase ? "with product_id, currency and price" : "with name");
        for (var e : p.properties()) {
            String k = e.getKey();
            if (EVENT_IDENTIFIERS.contains(k)) throw new BadRow("PAYLOAD must not hold " + k + ": the row's identifier comes from its columns");
            if (!fields.contains(k))
                throw new BadRow("PAYLOAD has an unknown field \"" + clipKey(k) + "\"; a " + what + " PAYLOAD may hold " + String.join(", ", fields));
            obj.set(k, e.getValue());
        }
        if (!p.hasNonNull("time")) obj.put("time", BrazeTime.format(updatedAt));
        // As Braze's CDI: a row creates the user it names, except by braze_id (EventParser never creates then).
        obj.put("_update_existing_only", false);
        TrackRequests.One one = purchase ? TrackRequests.purchase(obj, inputId, source) : TrackRequests.event(obj, inputId, source);
        if (!one.ok()) throw new BadRow(one.reason());
        return one.op();
    }

    private static String clipKey(String k) {
        return k.length() > 80 ? k.substring(0, 80) + "…" : k;
    }

    private Op deleteOp(Map<String, String> ids, String payload, String inputId) {
        if (payload != null && !payload.isBlank()) throw new BadRow("users.delete rows carry no PAYLOAD (it must be null)");
        ObjectNode obj = identifier(ids);
        Identifier who;
        if (obj.has("external_id")) who = new Identifier.ExternalId(nonEmpty(obj.get("external_id").asText(), "EXTERNAL_ID"));
        else if (obj.has("braze_id")) who = new Identifier.BrazeId(nonEmpty(obj.get("braze_id").asText(), "BRAZE_ID"));
        else if (obj.has("email")) who = new Identifier.Email(nonEmpty(obj.get("email").asText(), "EMAIL"));
        else who = new Identifier.Alias(new UserAlias(nonEmpty(obj.path("user_alias").path("alias_name").asText(), "ALIAS_NAME"),
                nonEmpty(obj.path("user_alias").path("alias_label").asText(), "ALIAS_LABEL")));
        return new Op.Apply(who, false, new Input.Delete(inputId, source));
    }

    private static String nonEmpty(String v, String column) {
        if (v.isBlank()) throw new BadRow(column + " is empty");
        return v;
    }

    /** Identifier, UPDATED_AT and PAYLOAD: a row changed in any of them is a new row. 64 bits of SHA-256. */
    static String fingerprint(Map<String, String> ids, long updatedAt, String payload) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            StringBuilder sb = new StringBuilder();
            ids.forEach((k, v) -> sb.append(k).append('=').append(v).append('\u0000'));
            sb.append(updatedAt).append('\u0000').append(payload == null ? "\u0001null" : payload);
            byte[] h = md.digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Submits the batch's ops and the watermark covering them as one submission; waits for the commit. */
    private void flush(Batch batch, Watermark wm) throws Exception {
        wm.prune(integration.overlapMillis());
        List<Op> ops = new ArrayList<>(batch.ops);
        ops.add(new Op.Meta(metaKey, wm.toJson()));
        List<Outcome> outcomes;
        try {
            outcomes = runtime.submit(ops).get(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("store: the commit took longer than " + COMMIT_TIMEOUT_SECONDS + " s");
        }
        for (int i = 0; i < batch.ops.size(); i++) {
            Outcome o = outcomes.get(i);
            if (o.ok()) run.applied++;
            else run.skip(batch.described.get(i), o.error());
        }
        run.lastTimestamp = wm.max;
        batch.ops.clear();
        batch.described.clear();
        batch.rows = 0;
    }
}
