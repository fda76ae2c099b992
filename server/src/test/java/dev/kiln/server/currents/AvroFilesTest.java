package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.kiln.server.currents.CurrentsFiles.append;
import static dev.kiln.server.currents.CurrentsFiles.files;
import static dev.kiln.server.currents.CurrentsFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code format: avro} through a real store and exporter: the files are Avro object container files that Avro's
 * standard {@link DataFileReader} reads back whole, with the type's schema in the header.
 */
class AvroFilesTest {
    static final long T = 1_700_000_123_456L; // 2023-11-14T22:15:23Z
    static final int N = 90;
    static final Pattern NAME = Pattern.compile("w\\.(\\d+)-(\\d+)\\.avro");

    @TempDir Path dir;
    JdbcStore store;
    Path out;

    @BeforeEach void open() {
        store = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + dir.resolve("kiln.db")));
        out = dir.resolve("currents");
    }

    @AfterEach void close() { store.close(); }

    /** N events of six types over two hours; {@code expected} gets each event's fields as the files must hold them. */
    static List<EventLogRow> events(Map<String, Map<String, Object>> expected) {
        List<EventLogRow> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            long time = T + (i / 6 % 2) * 3_600_000L + i * 1000L; // every type in two hours
            Map<String, Object> want = new LinkedHashMap<>();
            want.put("extra", null);
            String id, type, data;
            switch (i % 6) {
                case 0 -> {
                    id = "custom-" + i; type = "users.behaviors.CustomEvent";
                    data = "{\"name\":\"webinar\",\"properties\":{\"i\":" + i + "},\"source\":\"users/track:r" + i + "\"}";
                    want.put("name", "webinar"); want.put("properties", "{\"i\":" + i + "}"); want.put("source", "users/track:r" + i);
                }
                case 1 -> {
                    id = "purchase-" + i; type = "users.behaviors.Purchase";
                    data = "{\"product_id\":\"plan\",\"currency\":\"EUR\",\"price\":" + (i + 0.5) + ",\"quantity\":" + i
                            + ",\"properties\":{},\"source\":\"s\"}";
                    want.put("product_id", "plan"); want.put("price", i + 0.5); want.put("quantity", (long) i); want.put("properties", "{}");
                }
                case 2 -> {
                    id = "entry-" + i; type = "users.canvas.Entry";
                    data = "{\"canvas_id\":\"seed\",\"canvas_name\":\"Seed\",\"canvas_version\":" + i + ",\"canvas_step_id\":\"paths\"}";
                    want.put("canvas_id", "seed"); want.put("canvas_version", (long) i); want.put("canvas_step_id", "paths");
                }
                case 3 -> {
                    id = "change-" + i; type = "users.attributes.Change";
                    data = "{\"name\":\"lead score\",\"old_value\":" + i + ",\"new_value\":" + (i + 10) + ",\"delta\":10,\"source\":\"s\"}";
                    want.put("name", "lead score"); want.put("old_value", Integer.toString(i)); want.put("new_value", Integer.toString(i + 10));
                    want.put("delta", 10.0);
                }
                case 4 -> {
                    id = "open-" + i; type = "users.messages.email.Open";
                    data = "{\"name\":\"kiln.email.open\",\"properties\":{\"email_address\":\"u" + i + "@x.test\",\"is_amp\":true,"
                            + "\"utm_source\":\"news\"},\"source\":\"s\"}";
                    want.put("email_address", "u" + i + "@x.test"); want.put("is_amp", true); want.put("extra", "{\"utm_source\":\"news\"}");
                }
                default -> {
                    id = "future-" + i; type = "users.future.Thing"; // no schema: common fields, the rest in extra
                    data = "{\"k\":" + i + "}";
                    want.put("extra", "{\"k\":" + i + "}");
                }
            }
            want.put("time", Math.floorDiv(time, 1000L));
            want.put("user_id", "u-" + id);
            want.put("external_user_id", "ext-" + id);
            want.put("event_type", type);
            expected.put(id, want);
            rows.add(row(id, type, time, data));
        }
        return rows;
    }

    @Test
    void avro_files_are_read_back_whole_by_the_standard_reader() throws IOException {
        Map<String, Map<String, Object>> expected = new HashMap<>();
        append(store, events(expected));
        CurrentsConnector connector = new CurrentsConnector("w", List.of("users.*"), new CurrentsConnector.Files(out.toString(), "avro", 1, 7));
        try (Currents c = Currents.start(store, List.of(connector), new SimpleMeterRegistry(), CurrentsExporterTest.FAST)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> c.prunableThroughSeq() == N);
        }

        List<Path> files = files(out);
        assertThat(files).isNotEmpty().allSatisfy(p -> assertThat(p.getFileName().toString()).matches(NAME.pattern()));
        List<String> ids = new ArrayList<>();
        Set<String> seenTypes = new HashSet<>();
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            assertThat(m.matches()).isTrue();
            long first = Long.parseLong(m.group(1)), last = Long.parseLong(m.group(2));
            String type = f.getParent().getParent().getFileName().toString().substring("event_type=".length());
            seenTypes.add(type);
            int records = 0;
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
                assertThat(r.getMetaString("avro.codec")).isEqualTo("deflate");
                assertThat(r.getSchema()).isEqualTo(CurrentsAvro.schema(type));
                if (!type.equals("users.future.Thing")) assertThat(r.getSchema()).isEqualTo(avsc(type));
                for (GenericRecord rec : r) {
                    records++;
                    String id = rec.get("id").toString();
                    ids.add(id);
                    Map<String, Object> want = expected.get(id);
                    assertThat(want).as("an exported id %s", id).isNotNull();
                    assertThat(want.get("event_type")).as("%s in the directory of its type", id).isEqualTo(type);
                    assertThat(f.getParent().getFileName().toString())
                            .isEqualTo("date=" + CurrentsMapper.HOUR.format(java.time.Instant.ofEpochSecond((Long) want.get("time"))));
                    want.forEach((field, value) -> {
                        if (field.equals("event_type")) return;
                        Object got = rec.get(field);
                        assertThat(got instanceof CharSequence ? got.toString() : got).as("%s.%s", id, field).isEqualTo(value);
                    });
                }
            }
            assertThat(records).as("records in %s", f).isPositive().isLessThanOrEqualTo((int) (last - first + 1));
        }
        assertThat(ids).hasSize(N).doesNotHaveDuplicates();
        assertThat(seenTypes).hasSize(6);
    }

    @Test
    void a_clean_stop_completes_the_open_avro_files_and_leaves_no_tmp() throws IOException {
        Map<String, Map<String, Object>> expected = new HashMap<>();
        append(store, events(expected));
        CurrentsConnector connector = new CurrentsConnector("w", List.of("users.canvas.*", "users.behaviors.*"),
                new CurrentsConnector.Files(out.toString(), "avro", 300, 15_000));
        try (Currents c = Currents.start(store, List.of(connector), new SimpleMeterRegistry(), CurrentsExporterTest.FAST)) {
            // a long roll_seconds: the files are still being written until the stop completes them
            await().atMost(Duration.ofSeconds(30)).until(() -> files(out).size() == 6);
            assertThat(files(out)).allSatisfy(p -> assertThat(p.toString()).endsWith(".tmp"));
        }
        List<Path> files = files(out);
        assertThat(files).hasSize(6).allSatisfy(p -> assertThat(p.toString()).endsWith(".avro"));
        Set<String> ids = new HashSet<>();
        for (Path f : files)
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
                for (GenericRecord rec : r) assertThat(ids.add(rec.get("id").toString())).isTrue();
            }
        assertThat(ids).hasSize(N / 2).allSatisfy(id -> assertThat(id).matches("(custom|purchase|entry)-\\d+"));
        assertThat(store.meta("currents:w")).contains(Integer.toString(N));
    }

    static Schema avsc(String type) throws IOException {
        try (InputStream in = CurrentsAvro.class.getResourceAsStream(CurrentsAvro.resource(type))) {
            return new Schema.Parser().parse(in);
        }
    }
}
