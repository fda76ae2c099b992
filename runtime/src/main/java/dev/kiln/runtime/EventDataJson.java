package dev.kiln.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * An event log row's data (a map of JSON-like values) as UTF-8 JSON, written with Jackson's streaming generator:
 * databind's map serializer, which looks up a serializer for every value, was about a fifth of a lane's samples on
 * the scoring benchmark, where every event writes four rows (the event, the score change, the Canvas exit and
 * entry). The bytes are those {@code mapper.writeValueAsBytes(data)} gives (same factory, same generator calls); a
 * map holding anything but strings, numbers, booleans, nulls, lists and string-keyed maps is handed to the mapper.
 */
final class EventDataJson {
    private final ObjectMapper mapper;
    /**
     * One generator writes row after row (root values without a separator) into one buffer: created per row, the
     * generator, its context and the buffer were a tenth of the bytes allocated at full load on the scoring benchmark
     * (JFR, session 8). Dropped after a row it could not write, so a half-written value never leaks into the next.
     * Not thread-safe: a lane's, used by one thread at a time.
     */
    private final ByteArrayBuilder out = new ByteArrayBuilder(512);
    private JsonGenerator g;

    EventDataJson(ObjectMapper mapper) { this.mapper = mapper; }

    byte[] write(Map<String, Object> data) {
        try {
            if (g == null) {
                g = mapper.getFactory().createGenerator(out);
                g.setRootValueSeparator(null);
            }
            out.reset();
            boolean plain;
            try {
                plain = tree(g, data);
                if (plain) g.flush();
            } catch (IOException | RuntimeException e) {
                discard();
                throw e;
            }
            if (plain) return out.toByteArray();
            discard();
            return mapper.writeValueAsBytes(data);
        } catch (IOException e) {
            throw new UncheckedIOException("event data is not serialisable", e);
        }
    }

    private void discard() {
        JsonGenerator old = g;
        g = null;
        try {
            old.close();
        } catch (IOException | RuntimeException ignored) {
            // closing only ends what was left half-written, into a buffer the next row resets
        }
        out.reset();
    }

    /** Writes {@code v}; false (with the output unusable) when it holds a type this does not write. */
    private static boolean tree(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f);
            case Short s -> g.writeNumber(s);
            case BigInteger b -> g.writeNumber(b);
            case BigDecimal b -> g.writeNumber(b);
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) return false;
                    g.writeFieldName(k);
                    if (!tree(g, e.getValue())) return false;
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) if (!tree(g, o)) return false;
                g.writeEndArray();
            }
            default -> { return false; }
        }
        return true;
    }
}
