package dev.kiln.store;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every field of a commit batch survives the journal record, whatever its strings hold. */
class JournalCodecTest {

    private static String text(Random r) {
        if (r.nextInt(6) == 0) return null;
        int len = r.nextInt(4) == 0 ? r.nextInt(70_000) : r.nextInt(40);
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            switch (r.nextInt(5)) {
                case 0 -> sb.append((char) ('À' + r.nextInt(200)));   // two UTF-8 bytes
                case 1 -> sb.appendCodePoint(0x1F600 + r.nextInt(50)); // a surrogate pair, four bytes
                default -> sb.append((char) (' ' + r.nextInt(95)));
            }
        }
        return sb.toString();
    }

    private static String id(Random r) { return "k" + r.nextInt(1_000_000); }

    private static Double num(Random r) { return r.nextBoolean() ? null : r.nextDouble() * 1e6 - 5e5; }

    static CommitBatch randomBatch(Random r) {
        List<UserRow> upserts = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            byte[] state = new byte[r.nextInt(600)];
            r.nextBytes(state);
            upserts.add(new UserRow(id(r), text(r), text(r), state, r.nextLong()));
        }
        Set<String> deletes = new HashSet<>();
        for (int i = r.nextInt(3); i > 0; i--) deletes.add(id(r));
        Map<String, String> identityPuts = new HashMap<>();
        for (int i = r.nextInt(3); i > 0; i--) identityPuts.put(id(r), id(r));
        Set<String> identityRemovals = new HashSet<>();
        for (int i = r.nextInt(3); i > 0; i--) identityRemovals.add(id(r));
        List<EventLogRow> events = new ArrayList<>();
        for (int i = r.nextInt(6); i > 0; i--)
            events.add(new EventLogRow(r.nextLong(), id(r), id(r), text(r), "users.behaviors.CustomEvent", r.nextLong(), text(r), r.nextLong()));
        List<TimerRow> timerPuts = new ArrayList<>(), timerDeletes = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) timerPuts.add(new TimerRow(id(r), text(r), r.nextInt(), r.nextLong()));
        for (int i = r.nextInt(3); i > 0; i--) timerDeletes.add(new TimerRow(id(r), id(r), r.nextInt(), r.nextLong()));
        List<LedgerRow> ledger = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--)
            ledger.add(new LedgerRow(r.nextLong(), id(r), text(r), r.nextLong(), num(r), num(r), num(r), text(r)));
        List<StatDelta> stats = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) stats.add(new StatDelta(id(r), text(r), text(r), r.nextLong(), r.nextLong()));
        List<OutboxRow> outboxPuts = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--)
            outboxPuts.add(new OutboxRow(id(r), id(r), text(r), text(r), text(r), r.nextInt(), r.nextLong(), r.nextLong(), r.nextInt(), text(r)));
        Set<String> outboxDeletes = new HashSet<>();
        for (int i = r.nextInt(3); i > 0; i--) outboxDeletes.add(id(r));
        List<MessageLogRow> messageLog = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--)
            messageLog.add(new MessageLogRow(r.nextLong(), id(r), id(r), text(r), text(r), text(r), text(r), r.nextLong(), text(r),
                    text(r), r.nextBoolean() ? null : r.nextInt(600), r.nextInt(), id(r), text(r), text(r)));
        Map<String, String> meta = new HashMap<>();
        for (int i = r.nextInt(3); i > 0; i--) meta.put(id(r), "" + text(r));
        return new CommitBatch(upserts, deletes, identityPuts, identityRemovals, events, timerPuts, timerDeletes, ledger, stats,
                outboxPuts, outboxDeletes, messageLog, meta);
    }

    private static void assertSame(CommitBatch a, CommitBatch b, String context) {
        assertThat(b.upserts()).as(context).hasSameSizeAs(a.upserts());
        for (int i = 0; i < a.upserts().size(); i++) {
            UserRow x = a.upserts().get(i), y = b.upserts().get(i);
            assertThat(List.of(String.valueOf(y.userId()), String.valueOf(y.externalId()), String.valueOf(y.email()), y.updatedAt()))
                    .as(context).isEqualTo(List.of(String.valueOf(x.userId()), String.valueOf(x.externalId()), String.valueOf(x.email()), x.updatedAt()));
            assertThat(y.state()).as(context).isEqualTo(x.state());
        }
        // Records compare by value, except UserRow's byte[] (checked above).
        assertThat(b.deletes()).as(context).isEqualTo(a.deletes());
        assertThat(b.identityPuts()).as(context).isEqualTo(a.identityPuts());
        assertThat(b.identityRemovals()).as(context).isEqualTo(a.identityRemovals());
        assertThat(b.events()).as(context).isEqualTo(a.events());
        assertThat(b.timerPuts()).as(context).isEqualTo(a.timerPuts());
        assertThat(b.timerDeletes()).as(context).isEqualTo(a.timerDeletes());
        assertThat(b.ledger()).as(context).isEqualTo(a.ledger());
        assertThat(b.stats()).as(context).isEqualTo(a.stats());
        assertThat(b.outboxPuts()).as(context).isEqualTo(a.outboxPuts());
        assertThat(b.outboxDeletes()).as(context).isEqualTo(a.outboxDeletes());
        assertThat(b.messageLog()).as(context).isEqualTo(a.messageLog());
        assertThat(b.metaPuts()).as(context).isEqualTo(a.metaPuts());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 99, 2026, 31_337})
    void random_batches_round_trip(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 40; i++) {
            CommitBatch batch = randomBatch(r);
            assertSame(batch, JournalCodec.decode(JournalCodec.encode(batch)), "seed " + seed + ", batch " + i);
            assertSame(batch, JournalCodec.decode(JournalCodec.unpack(JournalCodec.pack(JournalCodec.encode(batch)))),
                    "seed " + seed + ", batch " + i + ", packed");
            // A record journaled by a build before version 3 (rows one by one) still reads.
            assertSame(batch, JournalCodec.decode(JournalCodec.unpack(JournalCodec.pack(JournalCodec.encodeRows(batch)))),
                    "seed " + seed + ", batch " + i + ", version 1");
        }
    }

    /** The committer encodes every commit in one {@link JournalCodec.Scratch}: a record must not see its predecessors' bytes. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 11, 4242})
    void one_scratch_encodes_record_after_record_as_fresh_buffers_do(long seed) {
        Random r = new Random(seed);
        JournalCodec.Scratch scratch = new JournalCodec.Scratch();
        for (int i = 0; i < 60; i++) {
            String context = "seed " + seed + ", record " + i;
            CommitBatch batch = randomBatch(r);
            List<EventLogRow> events = new ArrayList<>();
            int n = r.nextInt(4) == 0 ? 0 : r.nextInt(3 * EventPages.PAGE_ROWS);
            for (int e = 0; e < n; e++)
                events.add(new EventLogRow(e + 1, "e" + e, "u" + r.nextInt(50), r.nextBoolean() ? null : "x" + e, "users.behaviors.CustomEvent",
                        r.nextLong(), "{\"n\":" + r.nextInt() + ",\"s\":\"" + "ab".repeat(r.nextInt(40)) + "\"}", r.nextLong()));
            List<EventPages.Encoded> fresh = EventPages.encodePages(events);
            List<EventPages.Encoded> reused = EventPages.encodePages(events, scratch);
            assertThat(reused).as(context).hasSameSizeAs(fresh);
            for (int p = 0; p < fresh.size(); p++)
                assertThat(reused.get(p).data()).as(context + ", page " + p).isEqualTo(fresh.get(p).data());
            byte[] packed = JournalCodec.encodePacked(batch, reused, scratch);
            byte[] raw = JournalCodec.encode(batch, fresh);
            assertThat(scratch.out.length()).as(context).isEqualTo(raw.length);
            assertThat(JournalCodec.unpack(packed)).as(context).isEqualTo(raw);
            CommitBatch back = JournalCodec.decode(JournalCodec.unpack(packed));
            assertThat(back.events()).as(context).isEqualTo(events);
            scratch.trim(r.nextBoolean() ? 1 << 20 : 64); // keeps the buffers, or drops them
        }
    }

    @Test
    void a_repetitive_record_is_journaled_compressed_and_a_damaged_one_is_refused() {
        // Repetitive ledger rows (event rows arrive as pages, compressed already).
        List<LedgerRow> ledger = new ArrayList<>();
        for (int i = 0; i < 200; i++)
            ledger.add(new LedgerRow(0, "u" + (i % 7), "lead score", 1_000, 1.0, 2.0, 1.0, "canvas:lead-scoring:v1:score:plus one"));
        CommitBatch batch = new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), List.of(), List.of(), List.of(), ledger, List.of());
        byte[] raw = JournalCodec.encode(batch);
        byte[] packed = JournalCodec.pack(raw);
        assertThat(packed[0]).isEqualTo((byte) JournalCodec.LZ4);
        assertThat(packed.length).isLessThan(raw.length / 3);
        assertThat(JournalCodec.unpack(packed)).isEqualTo(raw);
        byte[] cut = java.util.Arrays.copyOf(packed, packed.length - 10);
        assertThatThrownBy(() -> JournalCodec.unpack(cut)).isInstanceOf(StoreException.class).hasMessageContaining("corrupt");
        byte[] tiny = JournalCodec.encode(new CommitBatch(List.of(), Set.of("u1"), Map.of(), Set.of(), List.of()));
        assertThat(JournalCodec.pack(tiny)).isSameAs(tiny); // not worth compressing
    }

    @Test
    void event_rows_are_journaled_as_the_pages_the_materializer_inserts() {
        List<EventLogRow> events = new ArrayList<>();
        for (int i = 0; i < EventPages.PAGE_ROWS + 10; i++)
            events.add(new EventLogRow(i + 1, "e" + i, "u" + (i % 7), null, "users.behaviors.CustomEvent", 1_000, "{\"n\":" + i + "}", 2_000 + i));
        CommitBatch batch = new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), events);
        List<EventPages.Encoded> pages = EventPages.encodePages(events);
        assertThat(pages).extracting(EventPages.Encoded::rows).containsExactly(EventPages.PAGE_ROWS, 10);
        byte[] record = JournalCodec.encode(batch, pages);
        assertThat(record[0]).isEqualTo((byte) JournalCodec.VERSION);
        for (EventPages.Encoded p : pages)
            assertThat(indexOf(record, p.data())).as("page %d..%d inside the record", p.firstSeq(), p.lastSeq()).isNotNegative();
        assertThat(JournalCodec.decode(record).events()).isEqualTo(events);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void a_truncated_or_foreign_record_is_refused_with_a_reason() {
        byte[] whole = JournalCodec.encode(randomBatch(new Random(5)));
        assertThatThrownBy(() -> JournalCodec.decode(java.util.Arrays.copyOf(whole, whole.length - 3)))
                .isInstanceOf(StoreException.class).hasMessageContaining("truncated");
        byte[] other = whole.clone();
        other[0] = 9;
        assertThatThrownBy(() -> JournalCodec.decode(other)).isInstanceOf(StoreException.class).hasMessageContaining("version 9");
        byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> JournalCodec.decode(longer)).isInstanceOf(StoreException.class).hasMessageContaining("past its end");
    }
}
