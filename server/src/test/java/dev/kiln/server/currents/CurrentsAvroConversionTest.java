package dev.kiln.server.currents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Currents record becomes an Avro record of its type's schema: values of another JSON type are converted when
 * nothing is lost, and everything else (unknown fields, values that do not fit) lands in {@code extra}, never an
 * exception.
 */
class CurrentsAvroConversionTest {
    static final long T = 1_700_000_123_456L;

    static GenericRecord convert(String type, String data) {
        EventLogRow row = new EventLogRow(7, "ev-1", "uid-1", "ext-1", type, T, data, T);
        return roundTrip(CurrentsAvro.schema(type), CurrentsAvro.record(CurrentsAvro.schema(type), CurrentsMapper.map(row)));
    }

    /** Writes the record to an in-memory container file and reads it back with the standard reader. */
    static GenericRecord roundTrip(Schema schema, GenericRecord record) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
                w.create(schema, bytes);
                w.append(record);
            }
            try (DataFileReader<GenericRecord> r = new DataFileReader<>(new SeekableByteArrayInput(bytes.toByteArray()),
                    new GenericDatumReader<>())) {
                return r.next();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }

    static JsonNode extra(GenericRecord r) throws IOException {
        String e = str(r, CurrentsAvro.EXTRA);
        assertThat(e).as("extra").isNotNull();
        return CurrentsMapper.JSON.readTree(e);
    }

    @Test
    void a_purchase_keeps_its_types_and_time_is_epoch_seconds() {
        GenericRecord r = convert("users.behaviors.Purchase",
                "{\"product_id\":\"plan\",\"currency\":\"USD\",\"price\":9.5,\"quantity\":3,\"properties\":{\"a\":1},\"source\":\"s\"}");
        assertThat(str(r, "id")).isEqualTo("ev-1");
        assertThat(r.get("time")).isEqualTo(T / 1000);
        assertThat(str(r, "external_user_id")).isEqualTo("ext-1");
        assertThat(r.get("price")).isEqualTo(9.5);
        assertThat(r.get("quantity")).isEqualTo(3L);
        assertThat(str(r, "properties")).isEqualTo("{\"a\":1}");
        assertThat(r.get(CurrentsAvro.EXTRA)).isNull();
    }

    @Test
    void numbers_are_converted_when_exact_and_otherwise_kept_whole_in_extra() throws IOException {
        GenericRecord r = convert("users.behaviors.Purchase",
                "{\"product_id\":12345,\"currency\":\"EUR\",\"price\":9,\"quantity\":2.0,\"properties\":{},\"source\":\"s\"}");
        assertThat(str(r, "product_id")).isEqualTo("12345");
        assertThat(r.get("price")).isEqualTo(9.0);
        assertThat(r.get("quantity")).isEqualTo(2L);
        assertThat(r.get(CurrentsAvro.EXTRA)).isNull();

        GenericRecord lossy = convert("users.behaviors.Purchase",
                "{\"product_id\":\"p\",\"currency\":\"EUR\",\"price\":\"9.50\",\"quantity\":2.5,\"properties\":{},\"source\":\"s\"}");
        assertThat(lossy.get("price")).isNull();
        assertThat(lossy.get("quantity")).isNull();
        assertThat(extra(lossy).get("price").asText()).isEqualTo("9.50");
        assertThat(extra(lossy).get("quantity").asDouble()).isEqualTo(2.5);
    }

    @Test
    void integers_too_large_for_a_long_or_inexact_as_a_double_go_to_extra() throws IOException {
        GenericRecord r = convert("users.messages.webhook.Retry",
                "{\"dispatch_id\":\"m\",\"attempt\":123456789012345678901234567890,\"status_code\":503}");
        assertThat(r.get("attempt")).isNull();
        assertThat(r.get("status_code")).isEqualTo(503L);
        assertThat(extra(r).get("attempt").bigIntegerValue().toString()).isEqualTo("123456789012345678901234567890");

        GenericRecord d = convert("users.attributes.Change", "{\"name\":\"n\",\"delta\":9007199254740993,\"source\":\"s\"}");
        assertThat(d.get("delta")).isNull(); // 2^53 + 1 has no exact double
        assertThat(extra(d).get("delta").asLong()).isEqualTo(9_007_199_254_740_993L);
    }

    @Test
    void reserved_event_properties_outside_the_schema_or_of_the_wrong_shape_go_to_extra() throws IOException {
        GenericRecord r = convert("users.messages.email.Open", """
                {"name":"kiln.email.open","properties":{"email_address":"a@b.test","campaign_id":"c1","is_amp":"yes",
                 "machine_open":true,"utm_source":"news","canvas_step_id":{"nested":1},"extra":"mine"},"source":"users/track:r"}""");
        assertThat(str(r, "email_address")).isEqualTo("a@b.test");
        assertThat(str(r, "campaign_id")).isEqualTo("c1");
        assertThat(str(r, "machine_open")).isEqualTo("true"); // a boolean into a string field, as its JSON text
        assertThat(str(r, "source")).isEqualTo("users/track:r");
        assertThat(r.get("is_amp")).isNull();
        assertThat(r.get("canvas_step_id")).isNull();
        JsonNode extra = extra(r);
        assertThat(extra.get("is_amp").asText()).isEqualTo("yes");
        assertThat(extra.get("utm_source").asText()).isEqualTo("news");
        assertThat(extra.get("canvas_step_id").get("nested").asInt()).isEqualTo(1);
        assertThat(extra.get("extra").asText()).isEqualTo("mine");
        assertThat(extra.size()).isEqualTo(4);
    }

    @Test
    void attribute_values_of_any_type_are_json_encoded_and_null_stays_null() {
        GenericRecord list = convert("users.attributes.Change",
                "{\"name\":\"tags\",\"old_value\":null,\"new_value\":[\"a\",\"b\"],\"source\":\"s\"}");
        assertThat(list.get("old_value")).isNull();
        assertThat(str(list, "new_value")).isEqualTo("[\"a\",\"b\"]");
        GenericRecord score = convert("users.attributes.Change",
                "{\"name\":\"lead score\",\"old_value\":40,\"new_value\":52.5,\"delta\":12.5,\"source\":\"s\"}");
        assertThat(str(score, "old_value")).isEqualTo("40");
        assertThat(str(score, "new_value")).isEqualTo("52.5");
        assertThat(score.get("delta")).isEqualTo(12.5);
        GenericRecord text = convert("users.attributes.Change",
                "{\"name\":\"tier\",\"old_value\":\"gold\",\"new_value\":{\"k\":true},\"source\":\"s\"}");
        assertThat(str(text, "old_value")).isEqualTo("\"gold\"");
        assertThat(str(text, "new_value")).isEqualTo("{\"k\":true}");
        assertThat(text.get(CurrentsAvro.EXTRA)).isNull();
    }

    @Test
    void a_type_without_a_schema_gets_the_common_fields_and_everything_else_in_extra() throws IOException {
        GenericRecord r = convert("users.future.Thing", "{\"a\":1,\"b\":\"x\"}");
        assertThat(r.getSchema().getFullName()).isEqualTo("dev.kiln.currents.users_future_Thing");
        assertThat(str(r, "id")).isEqualTo("ev-1");
        assertThat(str(r, "user_id")).isEqualTo("uid-1");
        assertThat(extra(r).get("a").asInt()).isEqualTo(1);
        assertThat(extra(r).get("b").asText()).isEqualTo("x");
    }

    /**
     * Random properties (names from the schema and others, values of every JSON type) on every event type: the
     * conversion never throws, the record is written and read back, and each property is in its field or in
     * {@code extra} — never both, never neither.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20240601})
    void odd_data_never_throws_and_every_property_is_kept(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100; i++) {
            String type = CurrentsConnector.EVENT_TYPES.get(random.nextInt(CurrentsConnector.EVENT_TYPES.size()));
            Schema schema = CurrentsAvro.schema(type);
            Map<String, Object> props = new LinkedHashMap<>();
            int n = random.nextInt(6);
            for (int k = 0; k < n; k++) {
                String name = random.nextBoolean()
                        ? schema.getFields().get(random.nextInt(schema.getFields().size())).name()
                        : "p" + random.nextInt(5);
                props.put(name, randomValue(random, 2));
            }
            Map<String, Object> data = new LinkedHashMap<>(props);
            data.put("name", "kiln.x");
            data.put("properties", props);
            String json = CurrentsMapper.JSON.writeValueAsString(data);
            EventLogRow row = new EventLogRow(i + 1, "ev-" + i, "uid", random.nextBoolean() ? null : "ext", type, T, json, T);
            Map<String, Object> mapped = CurrentsMapper.map(row);
            GenericRecord r = roundTrip(schema, CurrentsAvro.record(schema, mapped));

            JsonNode extra = r.get(CurrentsAvro.EXTRA) == null ? CurrentsMapper.JSON.createObjectNode()
                    : CurrentsMapper.JSON.readTree(r.get(CurrentsAvro.EXTRA).toString());
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, Object> e : mapped.entrySet()) {
                Schema.Field f = e.getKey().equals(CurrentsAvro.EXTRA) ? null : schema.getField(e.getKey());
                boolean inField = f != null && r.get(f.pos()) != null;
                boolean inExtra = extra.has(e.getKey());
                if (e.getValue() == null) {
                    if (inField) lost.add(e.getKey() + " (null became a value)");
                } else if (inField == inExtra) {
                    lost.add(e.getKey() + (inField ? " (in both)" : " (in neither)"));
                } else if (inExtra) {
                    assertThat(extra.get(e.getKey())).as("%s in extra", e.getKey()).isEqualTo(CurrentsMapper.JSON.valueToTree(e.getValue()));
                }
            }
            assertThat(lost).as("seed %d, %s %s", seed, type, json).isEmpty();
            assertThat(extra.size()).as("extra holds only names of the record").isLessThanOrEqualTo(mapped.size());
        }
    }

    static Object randomValue(SplittableRandom random, int depth) {
        return switch (random.nextInt(depth > 0 ? 10 : 8)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt(-1000, 1000);
            case 3 -> random.nextLong();
            case 4 -> random.nextDouble() * 1e6;
            case 5 -> (double) random.nextInt(100); // integral double
            case 6 -> "s" + random.nextInt(100);
            case 7 -> new java.math.BigInteger(80, new java.util.Random(random.nextLong()));
            case 8 -> {
                List<Object> l = new ArrayList<>();
                l.add(randomValue(random, depth - 1));
                l.add(randomValue(random, depth - 1));
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("k", randomValue(random, depth - 1));
                yield m;
            }
        };
    }
}
