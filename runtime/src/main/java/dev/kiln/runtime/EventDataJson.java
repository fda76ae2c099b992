package dev.kiln.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.KeptGenerator;

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
    /** A lane's: one thread at a time. */
    private final KeptGenerator kept;

    EventDataJson(ObjectMapper mapper) {
        this.mapper = mapper;
        this.kept = new KeptGenerator(mapper.getFactory());
    }

    byte[] write(Map<String, Object> data) {
        try {
            byte[] plain = kept.write(g -> tree(g, data));
            return plain != null ? plain : mapper.writeValueAsBytes(data);
        } catch (IOException e) {
            throw new UncheckedIOException("event data is not serialisable", e);
        }
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
