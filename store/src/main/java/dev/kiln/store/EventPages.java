package dev.kiln.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The event log as pages (table {@code event_pages}, migration V5): up to {@link #PAGE_ROWS} rows of one commit
 * (or one materializer run), consecutive in seq order, encoded together ({@link JournalCodec#encodeEventsPacked}, then
 * LZ4). A page costs the single writer one insert where rows cost one each: on the scoring benchmark the event log
 * was four of the eight rows written per event. Readers decode pages and skip the rows they do not want.
 *
 * <p>Rows of the old per-row table {@code event_log} (databases from before V5) are read first and pruned as before;
 * every seq in a page is above them. The highest seq ever handed out is the largest of the pages' {@code last_seq}
 * and {@code meta event_log:high_water}, which V5 set from the old table's counter and every prune of pages raises
 * before it deletes any, so a pruned seq is never handed out again.
 */
public final class EventPages {
    private EventPages() {}

    /** Rows per page: big enough that a page is one cheap insert, small enough that a reader decodes little it skips. */
    static final int PAGE_ROWS = 256;
    static final String HIGH_WATER_KEY = "event_log:high_water";

    private static final String INSERT = "INSERT INTO event_pages (first_seq, last_seq, row_count, min_recorded_at,"
            + " max_recorded_at, data) VALUES (?, ?, ?, ?, ?, ?)";

    /** The rows of a page as stored (public: the kill -9 checks read the SQLite file without a store). */
    public static List<EventLogRow> decode(byte[] data) {
        return JournalCodec.decodeEvents(JournalCodec.unpack(data));
    }

    /** One page ready to insert: its columns, {@code data} encoded and compressed. */
    record Encoded(long firstSeq, long lastSeq, int rows, long minRecordedAt, long maxRecordedAt, byte[] data) {}

    /**
     * {@code rows} (seqs assigned, ascending) as pages of up to {@link #PAGE_ROWS}. The write-behind journal's committer
     * encodes a commit's pages here, so its materializer (the store's busiest thread) only inserts them.
     */
    static List<Encoded> encodePages(List<EventLogRow> rows) {
        return encodePages(rows, new JournalCodec.Scratch());
    }

    /** {@link #encodePages(List)} in the buffers of {@code scratch} (the committer's, reused). */
    static List<Encoded> encodePages(List<EventLogRow> rows, JournalCodec.Scratch scratch) {
        List<Encoded> pages = new java.util.ArrayList<>((rows.size() + PAGE_ROWS - 1) / PAGE_ROWS);
        for (int from = 0; from < rows.size(); from += PAGE_ROWS) {
            List<EventLogRow> page = rows.subList(from, Math.min(rows.size(), from + PAGE_ROWS));
            long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
            for (EventLogRow e : page) {
                min = Math.min(min, e.recordedAt());
                max = Math.max(max, e.recordedAt());
            }
            pages.add(new Encoded(page.getFirst().seq(), page.getLast().seq(), page.size(), min, max,
                    JournalCodec.encodeEventsPacked(page, scratch)));
        }
        return pages;
    }

    /** Appends {@code rows} (seqs assigned, ascending, above every stored seq) as pages. */
    static void append(Writer w, List<EventLogRow> rows) throws SQLException {
        appendEncoded(w, encodePages(rows));
    }

    /** Appends pages (seqs ascending, above every stored seq). */
    static void appendEncoded(Writer w, List<Encoded> pages) throws SQLException {
        if (pages.isEmpty()) return;
        PreparedStatement ps = w.statement(INSERT);
        for (Encoded p : pages) {
            bind(ps, p);
            ps.addBatch();
        }
        ps.executeBatch();
    }

    private static void bind(PreparedStatement ps, Encoded p) throws SQLException {
        ps.setLong(1, p.firstSeq());
        ps.setLong(2, p.lastSeq());
        ps.setInt(3, p.rows());
        ps.setLong(4, p.minRecordedAt());
        ps.setLong(5, p.maxRecordedAt());
        ps.setBytes(6, p.data());
    }

    private static final String LAST_SEQ = "SELECT last_seq FROM event_pages ORDER BY first_seq DESC LIMIT 1";

    /** The last seq in a page, 0 without pages. */
    static long lastSeq(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LAST_SEQ)) {
            return lastSeq(ps);
        }
    }

    private static long lastSeq(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    /**
     * The highest seq ever handed out (pruned or not), 0 for a new database, on the writer's kept statements (a plain
     * commit reads it each time). The old table's rows need no look: V5 put its counter into the meta value, and it
     * gets no rows since.
     */
    static long highWater(Writer w) throws SQLException {
        long high = lastSeq(w.statement(LAST_SEQ));
        PreparedStatement ps = w.statement("SELECT value FROM meta WHERE key = ?");
        ps.setString(1, HIGH_WATER_KEY);
        try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) high = Math.max(high, Long.parseLong(rs.getString(1)));
        }
        return high;
    }

    /** Rows with {@code seq > afterSeq}, ascending, at most {@code limit}, from the pages only. */
    static List<EventLogRow> read(Connection c, long afterSeq, int limit) throws SQLException {
        // The page holding afterSeq + 1, if any, starts at or below it; every later page starts above it.
        long start = afterSeq + 1;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT first_seq FROM event_pages WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1")) {
            ps.setLong(1, afterSeq + 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) start = rs.getLong(1);
            }
        }
        List<EventLogRow> out = new ArrayList<>(Math.min(limit, 1024));
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT data FROM event_pages WHERE first_seq >= ? ORDER BY first_seq LIMIT ?")) {
            ps.setLong(1, start);
            // Pages hold at least one row: limit + 1 pages always cover limit rows past the first.
            ps.setInt(2, limit + 1);
            ps.setFetchSize(16);
            try (ResultSet rs = ps.executeQuery()) {
                while (out.size() < limit && rs.next()) {
                    for (EventLogRow e : decode(rs.getBytes(1))) {
                        if (e.seq() <= afterSeq) continue;
                        out.add(e);
                        if (out.size() == limit) break;
                    }
                }
            }
        }
        return out;
    }

    private record Page(long firstSeq, long lastSeq, int rows, long maxRecordedAt, byte[] data) {}

    /**
     * Deletes the rows recorded before {@code recordedBefore} with {@code seq <= throughSeq}, in transactions of a few
     * hundred pages; a page with rows to keep is rewritten with them. Returns how many rows were deleted.
     */
    static long prune(Writer w, long recordedBefore, long throughSeq) {
        long total = 0;
        long after = Long.MIN_VALUE;
        while (true) {
            final long from = after;
            long[] result = w.inTransaction("pruning the event log", x -> {
                Connection c = x.connection();
                List<Page> pages = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, last_seq, row_count, max_recorded_at, data"
                        + " FROM event_pages WHERE first_seq > ? AND first_seq <= ? AND min_recorded_at < ?"
                        + " ORDER BY first_seq LIMIT 256")) {
                    ps.setLong(1, from);
                    ps.setLong(2, throughSeq);
                    ps.setLong(3, recordedBefore);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next())
                            pages.add(new Page(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getLong(4), rs.getBytes(5)));
                    }
                }
                if (pages.isEmpty()) return new long[] {0, Long.MAX_VALUE};
                // Raised before any page goes: the pages' last seq must not vanish with them.
                long high = highWater(x);
                PreparedStatement meta = x.statement(Commits.UPSERT_META);
                meta.setString(1, HIGH_WATER_KEY);
                meta.setString(2, Long.toString(high));
                meta.setLong(3, System.currentTimeMillis());
                meta.executeUpdate();
                long deleted = 0;
                PreparedStatement delete = x.statement("DELETE FROM event_pages WHERE first_seq = ?");
                PreparedStatement insert = x.statement(INSERT);
                for (Page p : pages) {
                    if (p.maxRecordedAt() < recordedBefore && p.lastSeq() <= throughSeq) {
                        delete.setLong(1, p.firstSeq());
                        delete.executeUpdate();
                        deleted += p.rows();
                        continue;
                    }
                    List<EventLogRow> keep = new ArrayList<>();
                    for (EventLogRow e : decode(p.data())) {
                        if (e.recordedAt() >= recordedBefore || e.seq() > throughSeq) keep.add(e);
                    }
                    if (keep.size() == p.rows()) continue;
                    delete.setLong(1, p.firstSeq());
                    delete.executeUpdate();
                    deleted += p.rows() - keep.size();
                    if (!keep.isEmpty()) {
                        bind(insert, encodePages(keep).getFirst()); // fewer rows than the page held: one page
                        insert.executeUpdate();
                    }
                }
                return new long[] {deleted, pages.getLast().firstSeq()};
            });
            total += result[0];
            if (result[1] == Long.MAX_VALUE) return total;
            after = result[1];
        }
    }
}
