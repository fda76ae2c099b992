package dev.kiln.store;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CommitBatch} as one journal record ({@link JournaledStore}): every field, in a fixed order, behind a
 * version byte. Strings are length-prefixed UTF-8 (-1 = null), so any value round-trips, however long.
 */
final class JournalCodec {
    private JournalCodec() {}

    /**
     * 3: the event log rows as the pages the materializer inserts ({@link EventPages.Encoded}), encoded once by the
     * committer; 1: the rows one by one (records journaled before; still read). 2 is never a version: it is the first
     * byte of an LZ4-compressed record.
     */
    static final int VERSION = 3;
    static final int VERSION_ROWS = 1;
    /** First byte of a record whose encoding is LZ4-compressed: then its length, then the compressed bytes. */
    static final int LZ4 = 2;
    private static final net.jpountz.lz4.LZ4Factory LZ4_FACTORY = net.jpountz.lz4.LZ4Factory.fastestInstance();

    /** The record as journaled: {@link #encode}'s bytes, LZ4-compressed when that makes them smaller. */
    static byte[] pack(byte[] raw) {
        if (raw.length < 256) return raw;
        return new Scratch().pack(raw, raw.length);
    }

    /**
     * The buffers of one encoding thread, kept from one record to the next: the encoder's array and LZ4's output. The
     * journal's committer encodes every commit (its record and its event log pages) in one; allocated afresh per
     * record, they and their copies were a quarter of the bytes allocated at full load on the scoring benchmark (JFR,
     * session 8). Not thread-safe; an array grown past {@link #KEEP_BYTES} is dropped after use.
     */
    static final class Scratch {
        static final int KEEP_BYTES = 16 << 20;
        final Out out = new Out(0);
        private byte[] packed = new byte[0];

        /** {@code raw[0, length)}, LZ4-compressed when that makes it smaller, as a new array of its exact length. */
        byte[] pack(byte[] raw, int length) {
            if (length < 256) return java.util.Arrays.copyOf(raw, length);
            net.jpountz.lz4.LZ4Compressor c = LZ4_FACTORY.fastCompressor();
            int max = 5 + c.maxCompressedLength(length);
            if (packed.length < max) packed = new byte[max];
            int n = c.compress(raw, 0, length, packed, 5, max - 5);
            if (n + 5 >= length) return java.util.Arrays.copyOf(raw, length);
            packed[0] = LZ4;
            packed[1] = (byte) (length >>> 24);
            packed[2] = (byte) (length >>> 16);
            packed[3] = (byte) (length >>> 8);
            packed[4] = (byte) length;
            return java.util.Arrays.copyOf(packed, n + 5);
        }

        /** Drops an array a rare huge record grew, so it is not held for the life of the store. */
        void trim() { trim(KEEP_BYTES); }

        void trim(int keep) {
            out.trim(keep);
            if (packed.length > keep) packed = new byte[0];
        }
    }

    /** {@link #encode}'s bytes back from a journaled record. */
    static byte[] unpack(byte[] record) {
        if (record.length == 0 || record[0] != LZ4) return record;
        if (record.length < 5) throw new StoreException("journal record is truncated: " + record.length + " bytes");
        int raw = ((record[1] & 0xff) << 24) | ((record[2] & 0xff) << 16) | ((record[3] & 0xff) << 8) | (record[4] & 0xff);
        if (raw < 0 || raw > (1 << 30)) throw new StoreException("journal record is corrupt: an uncompressed length of " + raw);
        byte[] out = new byte[raw];
        try {
            int n = LZ4_FACTORY.safeDecompressor().decompress(record, 5, record.length - 5, out, 0, raw);
            if (n != raw) throw new StoreException("journal record is truncated or corrupt: " + n + " of " + raw + " bytes");
        } catch (net.jpountz.lz4.LZ4Exception e) {
            throw new StoreException("journal record is truncated or corrupt: " + e.getMessage(), e);
        }
        return out;
    }

    /** The record of {@code b}, its event log rows as pages (tests; the committer has its pages already). */
    static byte[] encode(CommitBatch b) {
        return encode(b, EventPages.encodePages(b.events()), VERSION);
    }

    /** The record of {@code b} with {@code pages}, which hold {@code b}'s event log rows. */
    static byte[] encode(CommitBatch b, List<EventPages.Encoded> pages) {
        return encode(b, pages, VERSION);
    }

    /** Tests: a record as builds before version 3 wrote it. */
    static byte[] encodeRows(CommitBatch b) {
        return encode(b, List.of(), VERSION_ROWS);
    }

    /**
     * The record of {@code b} with {@code pages} as journaled ({@link #pack}ed), encoded in {@code scratch}'s buffers;
     * {@code scratch.out.length()} is then its encoded (uncompressed) size.
     */
    static byte[] encodePacked(CommitBatch b, List<EventPages.Encoded> pages, Scratch scratch) {
        Out out = scratch.out;
        out.reset();
        encode(out, b, pages, VERSION);
        return scratch.pack(out.buf, out.n);
    }

    private static byte[] encode(CommitBatch b, List<EventPages.Encoded> pages, int version) {
        int pageBytes = 0;
        for (EventPages.Encoded p : pages) pageBytes += p.data().length + 40;
        Out out = new Out(4096 + b.upserts().size() * 512 + (version == VERSION ? pageBytes : b.events().size() * 384));
        encode(out, b, pages, version);
        return out.toByteArray();
    }

    private static void encode(Out out, CommitBatch b, List<EventPages.Encoded> pages, int version) {
        {
            out.writeByte(version);
            out.writeInt(b.upserts().size());
            for (UserRow u : b.upserts()) {
                str(out, u.userId());
                str(out, u.externalId());
                str(out, u.email());
                out.writeInt(u.state().length);
                out.write(u.state());
                out.writeLong(u.updatedAt());
            }
            strings(out, b.deletes());
            map(out, b.identityPuts());
            strings(out, b.identityRemovals());
            if (version == VERSION) {
                out.writeInt(pages.size());
                for (EventPages.Encoded p : pages) {
                    out.writeLong(p.firstSeq());
                    out.writeLong(p.lastSeq());
                    out.writeInt(p.rows());
                    out.writeLong(p.minRecordedAt());
                    out.writeLong(p.maxRecordedAt());
                    out.writeBytes(p.data());
                }
            } else {
                out.writeInt(b.events().size());
                for (EventLogRow e : b.events()) event(out, e);
            }
            timers(out, b.timerPuts());
            timers(out, b.timerDeletes());
            out.writeInt(b.ledger().size());
            for (LedgerRow l : b.ledger()) {
                out.writeLong(l.seq());
                str(out, l.userId());
                str(out, l.name());
                out.writeLong(l.time());
                dbl(out, l.oldValue());
                dbl(out, l.newValue());
                dbl(out, l.delta());
                str(out, l.source());
            }
            out.writeInt(b.stats().size());
            for (StatDelta s : b.stats()) {
                str(out, s.canvasId());
                str(out, s.metric());
                str(out, s.key());
                out.writeLong(s.bucket());
                out.writeLong(s.delta());
            }
            out.writeInt(b.outboxPuts().size());
            for (OutboxRow o : b.outboxPuts()) {
                str(out, o.messageId());
                str(out, o.userId());
                str(out, o.campaignId());
                str(out, o.canvasId());
                str(out, o.stepId());
                out.writeInt(o.version());
                out.writeLong(o.createdAt());
                out.writeLong(o.dueAt());
                out.writeInt(o.attempts());
                str(out, o.snapshot());
            }
            strings(out, b.outboxDeletes());
            out.writeInt(b.messageLog().size());
            for (MessageLogRow m : b.messageLog()) {
                out.writeLong(m.seq());
                str(out, m.messageId());
                str(out, m.userId());
                str(out, m.externalId());
                str(out, m.campaignId());
                str(out, m.canvasId());
                str(out, m.stepId());
                out.writeLong(m.time());
                str(out, m.method());
                str(out, m.url());
                out.writeBoolean(m.statusCode() != null);
                if (m.statusCode() != null) out.writeInt(m.statusCode());
                out.writeInt(m.attempt());
                str(out, m.outcome());
                str(out, m.detail());
                str(out, m.excerpt());
            }
            map(out, b.metaPuts());
        }
    }

    /**
     * The encoder's buffer: big-endian like {@link DataInputStream} reads, strings as length + UTF-8 (see
     * {@link #writeString}). Measured on the scoring benchmark, the {@code DataOutputStream} version spent most of the
     * committer's Java time in growing its array.
     */
    static final class Out {
        private byte[] buf;
        private int n;

        Out(int capacity) { buf = new byte[capacity]; }

        void reset() { n = 0; }

        int length() { return n; }

        void trim(int keep) {
            if (buf.length > keep) buf = new byte[0];
        }

        private void room(int more) {
            if (n + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }

        void writeByte(int v) {
            room(1);
            buf[n++] = (byte) v;
        }

        void writeBoolean(boolean v) { writeByte(v ? 1 : 0); }

        void writeInt(int v) {
            room(4);
            buf[n] = (byte) (v >>> 24);
            buf[n + 1] = (byte) (v >>> 16);
            buf[n + 2] = (byte) (v >>> 8);
            buf[n + 3] = (byte) v;
            n += 4;
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        void writeDouble(double v) { writeLong(Double.doubleToLongBits(v)); }

        void write(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        /**
         * Length-prefixed UTF-8. {@code getBytes} is the JDK's vectorised path (a Latin-1 string without high bytes is
         * one array copy); a loop over {@code charAt} was 43 % of the committer thread's samples (JFR, scoring bench), and
         * again 45 % when tried once more in session 7 (against 22 % for this).
         */
        void writeString(String s) {
            writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void writeBytes(byte[] utf8) {
            room(4 + utf8.length);
            writeInt(utf8.length);
            System.arraycopy(utf8, 0, buf, n, utf8.length);
            n += utf8.length;
        }

        byte[] toByteArray() { return java.util.Arrays.copyOf(buf, n); }
    }

    static CommitBatch decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != VERSION && version != VERSION_ROWS)
                throw new StoreException("journal record of version " + version + " cannot be read (this build reads "
                        + VERSION_ROWS + " and " + VERSION + ")");
            int n = in.readInt();
            List<UserRow> upserts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = str(in), ext = str(in), email = str(in);
                byte[] state = new byte[in.readInt()];
                in.readFully(state);
                upserts.add(new UserRow(id, ext, email, state, in.readLong()));
            }
            Set<String> deletes = strings(in);
            Map<String, String> identityPuts = map(in);
            Set<String> identityRemovals = strings(in);
            n = in.readInt();
            List<EventLogRow> events = new ArrayList<>(version == VERSION ? n * EventPages.PAGE_ROWS : n);
            for (int i = 0; i < n; i++) {
                if (version == VERSION_ROWS) {
                    events.add(event(in));
                    continue;
                }
                in.readLong(); // first and last seq, recorded-at bounds: in the page's rows too
                in.readLong();
                int rows = in.readInt();
                in.readLong();
                in.readLong();
                List<EventLogRow> page = EventPages.decode(bytes(in));
                if (page.size() != rows)
                    throw new StoreException("journal record is corrupt: an event log page of " + rows + " rows holds " + page.size());
                events.addAll(page);
            }
            List<TimerRow> timerPuts = timers(in), timerDeletes = timers(in);
            n = in.readInt();
            List<LedgerRow> ledger = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ledger.add(new LedgerRow(in.readLong(), str(in), str(in), in.readLong(), dbl(in), dbl(in), dbl(in), str(in)));
            }
            n = in.readInt();
            List<StatDelta> stats = new ArrayList<>(n);
            for (int i = 0; i < n; i++) stats.add(new StatDelta(str(in), str(in), str(in), in.readLong(), in.readLong()));
            n = in.readInt();
            List<OutboxRow> outboxPuts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                outboxPuts.add(new OutboxRow(str(in), str(in), str(in), str(in), str(in), in.readInt(), in.readLong(),
                        in.readLong(), in.readInt(), str(in)));
            }
            Set<String> outboxDeletes = strings(in);
            n = in.readInt();
            List<MessageLogRow> messageLog = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long seq = in.readLong();
                String messageId = str(in), userId = str(in), externalId = str(in), campaignId = str(in), canvasId = str(in),
                        stepId = str(in);
                long time = in.readLong();
                String method = str(in), url = str(in);
                Integer status = in.readBoolean() ? in.readInt() : null;
                int attempt = in.readInt();
                messageLog.add(new MessageLogRow(seq, messageId, userId, externalId, campaignId, canvasId, stepId, time, method,
                        url, status, attempt, str(in), str(in), str(in)));
            }
            Map<String, String> metaPuts = map(in);
            if (in.read() != -1) throw new StoreException("journal record has bytes past its end");
            return new CommitBatch(upserts, deletes, identityPuts, identityRemovals, events, timerPuts, timerDeletes, ledger,
                    stats, outboxPuts, outboxDeletes, messageLog, metaPuts);
        } catch (IOException e) {
            throw new StoreException("journal record is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    /** A page of the event log ({@link EventPages}): its own version byte, then the rows, each with its seq. */
    static final int EVENT_PAGE_VERSION = 1;

    /** A page of {@code rows} as stored ({@link #pack}ed), encoded in {@code scratch}'s buffers. */
    static byte[] encodeEventsPacked(List<EventLogRow> rows, Scratch scratch) {
        Out out = scratch.out;
        out.reset();
        encodeEvents(out, rows);
        return scratch.pack(out.buf, out.n);
    }

    private static void encodeEvents(Out out, List<EventLogRow> rows) {
        out.writeByte(EVENT_PAGE_VERSION);
        out.writeInt(rows.size());
        for (EventLogRow e : rows) event(out, e);
    }

    static List<EventLogRow> decodeEvents(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != EVENT_PAGE_VERSION)
                throw new StoreException("event log page of version " + version + " cannot be read (this build reads " + EVENT_PAGE_VERSION + ")");
            int n = in.readInt();
            if (n < 0 || n > data.length) throw new StoreException("event log page is corrupt: it claims " + n + " rows");
            List<EventLogRow> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) rows.add(event(in));
            if (in.read() != -1) throw new StoreException("event log page has bytes past its end");
            return rows;
        } catch (IOException e) {
            throw new StoreException("event log page is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    private static void event(Out out, EventLogRow e) {
        out.writeLong(e.seq());
        str(out, e.id());
        str(out, e.userId());
        str(out, e.externalId());
        str(out, e.type());
        out.writeLong(e.time());
        bytes(out, e.json());
        out.writeLong(e.recordedAt());
    }

    private static EventLogRow event(DataInputStream in) throws IOException {
        return new EventLogRow(in.readLong(), str(in), str(in), str(in), str(in), in.readLong(), bytes(in), in.readLong());
    }

    /** Bytes in the layout of {@link #str}: a string's UTF-8 bytes read back as bytes are the same field. */
    private static void bytes(Out out, byte[] b) {
        if (b == null) out.writeInt(-1);
        else out.writeBytes(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void str(Out out, String s) {
        if (s == null) out.writeInt(-1);
        else out.writeString(s);
    }

    private static String str(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void dbl(Out out, Double d) {
        out.writeBoolean(d != null);
        if (d != null) out.writeDouble(d);
    }

    private static Double dbl(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readDouble() : null;
    }

    private static void strings(Out out, Set<String> set) {
        out.writeInt(set.size());
        for (String s : set) str(out, s);
    }

    private static Set<String> strings(DataInputStream in) throws IOException {
        int n = in.readInt();
        Set<String> out = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) out.add(str(in));
        return out;
    }

    private static void map(Out out, Map<String, String> map) {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            str(out, e.getKey());
            str(out, e.getValue());
        }
    }

    private static Map<String, String> map(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, String> out = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) out.put(str(in), str(in));
        return out;
    }

    private static void timers(Out out, List<TimerRow> rows) {
        out.writeInt(rows.size());
        for (TimerRow t : rows) {
            str(out, t.userId());
            str(out, t.canvasId());
            out.writeInt(t.token());
            out.writeLong(t.dueAt());
        }
    }

    private static List<TimerRow> timers(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<TimerRow> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new TimerRow(str(in), str(in), in.readInt(), in.readLong()));
        return out;
    }
}
