package dev.kiln.server.currents;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.definitions.CurrentsConnector;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Avro side of Currents: one schema per event type ({@code avro/<type>.avsc} next to this class, the same
 * fields as the tables in {@code docs/currents.md}), and the conversion of a {@link CurrentsMapper#map} record
 * into a record of that schema.
 *
 * <p>The conversion never fails on a user's data. A field the schema has no place for, or a value that cannot
 * take the field's type without loss, goes into the {@value #EXTRA} field: a JSON object of those names and their
 * values as {@code ndjson_gzip} would have written them (null when there are none). Conversions that lose nothing
 * are made: an integral number into a {@code long}, a number into a {@code double} when exact, a number or a
 * boolean into a {@code string} as its JSON text. A field marked {@code "encoding": "json"} (an {@code any} field
 * such as {@code old_value}) holds any value, JSON-encoded.
 */
final class CurrentsAvro {
    private static final Logger log = LoggerFactory.getLogger(CurrentsAvro.class);
    static final String EXTRA = "extra";
    static final String NAMESPACE = "dev.kiln.currents";
    /** The field property that marks an {@code any} field: its value is stored JSON-encoded. */
    static final String ENCODING = "encoding";
    private static final Object NO = new Object(); // "cannot convert without loss"
    private static final Map<String, Schema> SCHEMAS = load();
    private static final Map<String, Schema> OTHERS = new ConcurrentHashMap<>();

    private CurrentsAvro() {}

    /** The classpath resource holding the schema of {@code type}. */
    static String resource(String type) {
        return "avro/" + type + ".avsc";
    }

    private static Map<String, Schema> load() {
        Map<String, Schema> out = new LinkedHashMap<>();
        for (String type : CurrentsConnector.EVENT_TYPES) {
            try (InputStream in = CurrentsAvro.class.getResourceAsStream(resource(type))) {
                if (in == null) throw new IllegalStateException("the Avro schema " + resource(type) + " is missing from the build");
                out.put(type, new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Avro schema " + resource(type), e);
            }
        }
        return Map.copyOf(out);
    }

    /**
     * The schema of {@code type}. A type Kiln does not know (a newer event log read by an older build) gets the
     * common fields and {@value #EXTRA}, so its rows are still written, whole, rather than stopping the export.
     */
    static Schema schema(String type) {
        Schema s = SCHEMAS.get(type);
        return s != null ? s : OTHERS.computeIfAbsent(type, CurrentsAvro::fallback);
    }

    private static Schema fallback(String type) {
        log.warn("Currents: no Avro schema for event type {}; its fields other than id, time, user_id and external_user_id "
                + "are written to '{}'", type, EXTRA);
        String name = type.replaceAll("[^A-Za-z0-9_]", "_");
        if (name.isEmpty() || !Character.isLetter(name.charAt(0)) && name.charAt(0) != '_') name = "_" + name;
        return SchemaBuilder.record(name).namespace(NAMESPACE).doc("Kiln Currents event " + type + " (no schema of its own)")
                .fields()
                .requiredString("id").requiredLong("time").optionalString("user_id").optionalString("external_user_id")
                .optionalString(EXTRA)
                .endRecord();
    }

    /** {@code mapped} (a {@link CurrentsMapper#map} record) as a record of {@code schema}. */
    static GenericRecord record(Schema schema, Map<String, Object> mapped) {
        GenericData.Record r = new GenericData.Record(schema);
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : mapped.entrySet()) {
            Schema.Field f = EXTRA.equals(e.getKey()) ? null : schema.getField(e.getKey());
            Object v = f == null ? NO : convert(f, e.getValue());
            if (v == NO) extra.put(e.getKey(), e.getValue());
            else r.put(f.pos(), v);
        }
        if (!extra.isEmpty()) r.put(schema.getField(EXTRA).pos(), json(extra));
        return r;
    }

    private static Object convert(Schema.Field f, Object v) {
        if (v == null) return f.schema().isNullable() ? null : NO;
        if ("json".equals(f.getProp(ENCODING))) return json(v);
        return switch (valueType(f.schema())) {
            case STRING -> v instanceof String || v instanceof Boolean ? v.toString() : v instanceof Number ? json(v) : NO;
            case LONG -> toLong(v);
            case DOUBLE -> toDouble(v);
            case BOOLEAN -> v instanceof Boolean ? v : NO;
            default -> NO;
        };
    }

    /** The type of a field's values: the schema itself, or the branch of a {@code ["null", T]} union that is not null. */
    static Schema.Type valueType(Schema s) {
        if (s.getType() != Schema.Type.UNION) return s.getType();
        for (Schema branch : s.getTypes()) if (branch.getType() != Schema.Type.NULL) return branch.getType();
        return Schema.Type.NULL;
    }

    private static Object toLong(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof BigInteger b) return b.bitLength() < 64 ? b.longValue() : NO;
        if (v instanceof BigDecimal b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException e) {
                return NO;
            }
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            // exact: integral and inside the range of long (2^63 itself is not)
            return d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63 ? (Object) (long) d : NO;
        }
        return NO;
    }

    private static Object toDouble(Object v) {
        if (v instanceof Double || v instanceof Float) return ((Number) v).doubleValue();
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).doubleValue();
        if (v instanceof Long l) return (long) (double) l == l && l != Long.MAX_VALUE ? (Object) (double) l : NO;
        if (v instanceof BigInteger || v instanceof BigDecimal) {
            BigDecimal exact = v instanceof BigInteger b ? new BigDecimal(b) : (BigDecimal) v;
            double d = exact.doubleValue();
            return Double.isFinite(d) && new BigDecimal(d).compareTo(exact) == 0 ? (Object) d : NO;
        }
        return NO;
    }

    private static String json(Object v) {
        try {
            return CurrentsMapper.JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v); // values read from JSON always serialise; this is only a last resort
        }
    }
}
