package dev.kiln.server.currents;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.server.jdbc.JdbcSources;
import dev.kiln.store.EventLogRow;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code jdbc} sink: one row per event in a warehouse table, inserted idempotently by event {@code id}.
 *
 * <p>The table is created when absent with the columns {@code id} (primary key), {@code type}, {@code time}
 * (epoch seconds, UTC), {@code user_id}, {@code external_user_id}, {@code payload} (the Currents record of
 * {@link CurrentsMapper#map} as JSON: {@code jsonb} on PostgreSQL, {@code JSON} on DuckDB, text elsewhere),
 * {@code seq} (the event log seq) and {@code exported_at} (the database's clock at insert). Rows are buffered;
 * {@link #confirm} inserts them in one transaction with JDBC batching (PostgreSQL rewrites a batch into multi-row
 * INSERTs; DuckDB, whose batches run row by row, gets its appender into a staging table instead) and commits.
 *
 * <p>Idempotence: PostgreSQL, DuckDB and SQLite insert with {@code ON CONFLICT (id) DO NOTHING}, so a replay
 * after a crash leaves one row per id. Other databases ("portable" mode) get standard SQL only: inside the
 * transaction the writer reads which ids of the batch the table already holds ({@code SELECT id ... WHERE id IN
 * (...)}) and inserts the others; the primary key refuses any race, which fails the batch and it is retried.
 *
 * <p>One connection per writer, opened at the first write and closed by {@link #close} or by any failure (the
 * exporter then creates a new writer). DuckDB is the exception: a DuckDB file admits one process at a time, so
 * the connection is opened for each {@link #confirm} and closed after it, leaving the file to readers between
 * flushes. The password is read from its secret reference at each connect and never appears in a message.
 */
final class JdbcSinkWriter implements SinkWriter {
    private static final Logger log = LoggerFactory.getLogger(JdbcSinkWriter.class);
    /** As the definitions' check: letters, digits, '_' and '$', up to catalog.schema.table. */
    static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*){0,2}");
    static final List<String> COLUMNS = List.of("id", "type", "time", "user_id", "external_user_id", "payload", "seq", "exported_at");
    /** DuckDB's staging table (per connection): its appender is ~30 times faster than its JDBC batches, which run row by row. */
    static final String DUCKDB_STAGE = "kiln_currents_stage";
    /** Ids per {@code IN (...)} lookup in portable mode. */
    static final int PORTABLE_IDS_PER_LOOKUP = 200;
    private static final int MAX_MESSAGE = 600;

    enum Dialect {
        POSTGRESQL, DUCKDB, SQLITE, PORTABLE;

        static Dialect of(String jdbcUrl) {
            String u = jdbcUrl.toLowerCase(Locale.ROOT);
            if (u.startsWith("jdbc:postgresql:")) return POSTGRESQL;
            if (u.startsWith("jdbc:duckdb:")) return DUCKDB;
            if (u.startsWith("jdbc:sqlite:")) return SQLITE;
            return PORTABLE;
        }
    }

    /** One buffered event, ready to bind. */
    private record Pending(String id, String type, long time, String userId, String externalUserId, String payload, long seq) {}

    private final String connectorId;
    private final CurrentsConnector.Jdbc sink;
    private final SinkWriters.SinkContext context;
    private final Dialect dialect;
    private final Timer commits;
    private final List<Pending> rows = new ArrayList<>();
    private long firstAt;
    private Connection connection;
    private String quote = "\"";
    private PreparedStatement insert;
    /** The password of the open connection, to scrub from messages; null when none. */
    private String password;

    JdbcSinkWriter(String connectorId, CurrentsConnector.Jdbc sink, SinkWriters.SinkContext context) {
        this(connectorId, sink, context, Dialect.of(sink.jdbcUrl()));
    }

    /** With a dialect forced (tests run the portable mode on SQLite). */
    JdbcSinkWriter(String connectorId, CurrentsConnector.Jdbc sink, SinkWriters.SinkContext context, Dialect dialect) {
        if (!TABLE.matcher(sink.table()).matches())
            throw new IllegalArgumentException("Currents " + connectorId + ": table name '" + sink.table()
                    + "' is not letters, digits and '_' (schema.table allowed)");
        this.connectorId = connectorId;
        this.sink = sink;
        this.context = context;
        this.dialect = dialect;
        this.commits = Timer.builder("kiln.currents.jdbc.commits").tag("connector", connectorId)
                .description("Currents jdbc sink transactions (one per confirmed batch)").register(context.registry());
    }

    Dialect dialect() { return dialect; }

    @Override public void write(EventLogRow row, long nowMillis) throws SQLException {
        if (connection == null && dialect != Dialect.DUCKDB) connection(); // a dead database fails before rows pile up
        String payload;
        try {
            payload = CurrentsMapper.JSON.writeValueAsString(CurrentsMapper.map(row));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write event " + row.id() + " (seq " + row.seq() + ") as JSON: " + e.getOriginalMessage(), e);
        }
        if (rows.isEmpty()) firstAt = nowMillis;
        rows.add(new Pending(row.id(), row.type(), Math.floorDiv(row.time(), 1000L), row.userId(), row.externalId(), payload, row.seq()));
    }

    @Override public int pending() { return rows.size(); }

    @Override public boolean full() { return rows.size() >= sink.batchEvents(); }

    @Override public long confirmBy() {
        return rows.isEmpty() ? Long.MAX_VALUE : firstAt + sink.flushMillis();
    }

    @Override public int confirm() throws SQLException {
        if (rows.isEmpty()) return 0;
        Connection c = connection();
        long started = System.nanoTime();
        try {
            switch (dialect) {
                case POSTGRESQL, SQLITE -> batch(c, rows);
                case DUCKDB -> appendAndInsert(c);
                case PORTABLE -> portable(c);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            SQLException failure = failure("cannot insert " + rows.size() + " events into " + sink.table(), e);
            closeConnection();
            throw failure;
        }
        commits.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        int n = rows.size();
        rows.clear();
        if (dialect == Dialect.DUCKDB) closeConnection();
        return n;
    }

    @Override public void discard() {
        rows.clear();
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException | RuntimeException e) {
                closeConnection();
            }
        }
    }

    @Override public Map<String, Object> describe() { return SinkWriters.describe(sink); }

    @Override public void close() {
        rows.clear();
        closeConnection();
    }

    // ---- the connection and the table ----

    private Connection connection() throws SQLException {
        if (connection != null) return connection;
        Properties props = new Properties();
        if (sink.user() != null) props.setProperty("user", sink.user());
        password = null;
        if (sink.password() != null) {
            password = context.secrets().apply(sink.password());
            props.setProperty("password", password);
        }
        if (dialect == Dialect.POSTGRESQL) {
            props.setProperty("reWriteBatchedInserts", "true");
            props.setProperty("ApplicationName", "kiln-currents-" + connectorId);
        }
        Connection c;
        try {
            c = JdbcSources.connect(sink.jdbcUrl(), props);
        } catch (SQLException | RuntimeException e) {
            throw failure("cannot connect to " + sink.jdbcUrl() + (sink.user() == null ? "" : " as " + sink.user()), e);
        }
        try {
            prepareTable(c);
            c.setAutoCommit(false);
            if (dialect != Dialect.DUCKDB) insert = c.prepareStatement(insertSql());
        } catch (SQLException | RuntimeException e) {
            SQLException failure = failure("cannot create or use table " + sink.table() + " at " + sink.jdbcUrl(), e);
            closeQuietly(c);
            throw failure;
        }
        connection = c;
        return c;
    }

    /** Creates the table when absent, with auto-commit on (DDL is committed at once). */
    private void prepareTable(Connection c) throws SQLException {
        c.setAutoCommit(true);
        if (dialect == Dialect.PORTABLE) {
            String q = c.getMetaData().getIdentifierQuoteString();
            quote = q == null || q.isBlank() ? "" : q.strip();
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT " + col("id") + " FROM " + sink.table() + " WHERE 1 = 0").close();
                return; // it exists
            } catch (SQLException absent) {
                // create it below; if it exists after all, the CREATE says why
            }
            try (Statement st = c.createStatement()) {
                st.execute(createSql(false));
            }
            log.info("Currents {}: created table {}", connectorId, sink.table());
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute(createSql(true));
        }
    }

    String createSql(boolean ifNotExists) {
        String text, payload, key, exportedAt;
        switch (dialect) {
            case POSTGRESQL -> { key = "text"; text = "text"; payload = "jsonb"; exportedAt = "timestamptz NOT NULL DEFAULT now()"; }
            case DUCKDB -> { key = "TEXT"; text = "TEXT"; payload = "JSON"; exportedAt = "TIMESTAMPTZ NOT NULL DEFAULT current_timestamp"; }
            case SQLITE -> { key = "TEXT"; text = "TEXT"; payload = "TEXT"; exportedAt = "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"; }
            default -> { key = "VARCHAR(255)"; text = "VARCHAR(255)"; payload = "TEXT"; exportedAt = "TIMESTAMP DEFAULT CURRENT_TIMESTAMP"; }
        }
        return "CREATE TABLE " + (ifNotExists ? "IF NOT EXISTS " : "") + sink.table() + " ("
                + col("id") + " " + key + " NOT NULL PRIMARY KEY, "
                + col("type") + " " + text + " NOT NULL, "
                + col("time") + " BIGINT NOT NULL, "
                + col("user_id") + " " + text + ", "
                + col("external_user_id") + " " + text + ", "
                + col("payload") + " " + payload + " NOT NULL, "
                + col("seq") + " BIGINT NOT NULL, "
                + col("exported_at") + " " + exportedAt + ")";
    }

    /** The INSERT of one row, idempotent where the dialect allows. */
    String insertSql() {
        String values = dialect == Dialect.POSTGRESQL ? "(?, ?, ?, ?, ?, ?::jsonb, ?)" : "(?, ?, ?, ?, ?, ?, ?)";
        return "INSERT INTO " + sink.table() + " (" + insertColumns() + ") VALUES " + values
                + (dialect == Dialect.PORTABLE ? "" : " ON CONFLICT (" + col("id") + ") DO NOTHING");
    }

    private String insertColumns() {
        StringBuilder cols = new StringBuilder();
        for (int i = 0; i < 7; i++) cols.append(i == 0 ? "" : ", ").append(col(COLUMNS.get(i)));
        return cols.toString();
    }

    private String col(String name) { return quote + name + quote; }

    // ---- inserting ----

    private static int bind(PreparedStatement st, int at, Pending p) throws SQLException {
        st.setString(at++, p.id());
        st.setString(at++, p.type());
        st.setLong(at++, p.time());
        st.setString(at++, p.userId());
        st.setString(at++, p.externalUserId());
        st.setString(at++, p.payload());
        st.setLong(at++, p.seq());
        return at;
    }

    /** One JDBC batch (PostgreSQL rewrites it into multi-row INSERTs: {@code reWriteBatchedInserts}). */
    private void batch(Connection c, List<Pending> these) throws SQLException {
        if (these.isEmpty()) return;
        for (Pending p : these) {
            bind(insert, 1, p);
            insert.addBatch();
        }
        insert.executeBatch();
    }

    /**
     * DuckDB: the rows go through its appender into a temporary staging table, then one
     * {@code INSERT ... SELECT ... ON CONFLICT (id) DO NOTHING} moves them, all in the transaction.
     */
    private void appendAndInsert(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE TEMP TABLE " + DUCKDB_STAGE + " (id TEXT, type TEXT, time BIGINT, user_id TEXT,"
                    + " external_user_id TEXT, payload TEXT, seq BIGINT)");
        }
        try (org.duckdb.DuckDBAppender a = c.unwrap(org.duckdb.DuckDBConnection.class).createAppender("temp", "main", DUCKDB_STAGE)) {
            for (Pending p : rows) {
                a.beginRow();
                a.append(p.id());
                a.append(p.type());
                a.append(p.time());
                if (p.userId() == null) a.appendNull(); else a.append(p.userId());
                if (p.externalUserId() == null) a.appendNull(); else a.append(p.externalUserId());
                a.append(p.payload());
                a.append(p.seq());
                a.endRow();
            }
        }
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + sink.table() + " (" + insertColumns() + ") SELECT id, type, time, user_id, external_user_id, payload, seq FROM temp.main."
                    + DUCKDB_STAGE + " ON CONFLICT (" + col("id") + ") DO NOTHING");
            st.execute("DROP TABLE temp.main." + DUCKDB_STAGE);
        }
    }

    /** Standard SQL only: look up which ids are there, insert the others in one batch. */
    private void portable(Connection c) throws SQLException {
        Set<String> present = new HashSet<>();
        for (int i = 0; i < rows.size(); i += PORTABLE_IDS_PER_LOOKUP) {
            List<Pending> chunk = rows.subList(i, Math.min(rows.size(), i + PORTABLE_IDS_PER_LOOKUP));
            StringBuilder sql = new StringBuilder("SELECT ").append(col("id")).append(" FROM ").append(sink.table())
                    .append(" WHERE ").append(col("id")).append(" IN (");
            for (int k = 0; k < chunk.size(); k++) sql.append(k == 0 ? "?" : ", ?");
            sql.append(")");
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                for (int k = 0; k < chunk.size(); k++) st.setString(k + 1, chunk.get(k).id());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) present.add(rs.getString(1));
                }
            }
        }
        List<Pending> missing = new ArrayList<>(rows.size() - present.size());
        for (Pending p : rows) if (!present.contains(p.id())) missing.add(p);
        batch(c, missing);
    }

    // ---- failures ----

    /**
     * An exception saying {@code what} failed and why (the first underlying database message), with the
     * password replaced wherever it appears. The original is kept as the cause only if no message in it holds
     * the password.
     */
    SQLException failure(String what, Exception e) {
        String why = reason(e);
        SQLException out = new SQLException(scrub("Currents " + connectorId + " jdbc sink: " + what + ": " + why),
                e instanceof SQLException s ? s.getSQLState() : null);
        if (!leaks(e)) out.initCause(e);
        return out;
    }

    private static String reason(Exception e) {
        Throwable t = e;
        // A batch's own message repeats the statement with its values; the database's reason is the next one.
        if (e instanceof BatchUpdateException b && b.getNextException() != null) t = b.getNextException();
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        else if (!(t instanceof SQLException)) m = t.getClass().getSimpleName() + ": " + m;
        m = m.strip();
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "…" : m;
    }

    private String scrub(String message) {
        return password == null || password.isEmpty() ? message : message.replace(password, "***");
    }

    /** Whether any message reachable from {@code e} (causes, suppressed, next exceptions) holds the password. */
    private boolean leaks(Throwable e) {
        if (password == null || password.isEmpty()) return false;
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>(List.of(e));
        while (!todo.isEmpty()) {
            Throwable t = todo.removeLast();
            if (t == null || !seen.add(t)) continue;
            if (String.valueOf(t.getMessage()).contains(password) || t.toString().contains(password)) return true;
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
            if (t instanceof SQLException s) todo.add(s.getNextException());
        }
        return false;
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        insert = null; // closed with its connection
        if (c != null) closeQuietly(c);
    }

    private void closeQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) c.rollback();
        } catch (SQLException | RuntimeException e) {
            // closing is what matters
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("Currents {}: closing the jdbc connection: {}", connectorId, scrub(e.toString()));
        }
    }
}
