package dev.kiln.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.campaign.CampaignState;
import dev.kiln.engine.canvas.CanvasState;
import dev.kiln.engine.Value;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A profile as compact JSON bytes, written and read with Jackson's streaming API (no data binding: this
 * runs for every profile a batch loads or commits). JSON rather than a binary format so an operator can
 * read a row with {@code convert_from(state, 'UTF8')::jsonb} or SQLite's {@code CAST(state AS TEXT)}.
 *
 * <p>Format version 1, keys kept short because every profile carries them:
 * <pre>
 * {"v":1, "id":user id, "x":external id, "c":created, "u":updated, "a":[[alias name, label]…],
 *  "s":{standard attributes}, "m":{custom attributes}, "e":{event: summary}, "p":{product: summary},
 *  "b":purchases summary, "n":sessions summary, "k":{Canvas id: position}, "g":{campaign id: receipt}}
 * </pre>
 * A map whose keys cannot be JSON field names Jackson reads back is written as {@code [key, value, …]}.
 * Empty parts are left out. A value is written as its JSON type when that is unambiguous (number, string,
 * boolean, array of strings); a time is {@code {"t":epoch ms}} and an object {@code {"o":{…}}}, so a
 * time never reads back as a number. An integral number is written without a fraction (except −0.0,
 * whose sign would be lost). A summary is {@code [first, last, count, day, n, Δday, n, …]}, days
 * ascending and delta-encoded, or {@code []} when nothing was recorded.
 *
 * <p>Inside object values, integers read back as {@link Long} (or {@link BigInteger} beyond 64 bits) and
 * numbers with a fraction or exponent as {@link Double}, which is what the engine's JSON trees hold.
 */
final class UserStateCodec {
    private UserStateCodec() {}

    static final int VERSION = 1;
    private static final double MAX_EXACT_LONG = 9.007199254740992E15; // 2^53

    // Non-numeric numbers are kept as tokens (not strings) so a NaN in an object tree comes back a Double.
    // Field names are attribute and event names, user data of unbounded variety: interning them
    // (String.intern) cost ~80% of decode time in a profile of random names, and canonicalising them grows a
    // shared symbol table for no gain, so both are off.
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static byte[] encode(UserState u) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(512)) {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                write(g, u);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode profile " + u.userId() + ": " + e.getMessage(), e);
        }
    }

    /** Encodes profile after profile with one kept generator and buffer ({@link KeptGenerator}): {@link #encode}'s bytes. */
    static final class Writer {
        private final KeptGenerator kept = new KeptGenerator(JSON);

        byte[] encode(UserState u) {
            try {
                return kept.write(g -> {
                    write(g, u);
                    return true;
                });
            } catch (IOException e) {
                throw new IllegalStateException("cannot encode profile " + u.userId() + ": " + e.getMessage(), e);
            }
        }
    }

    private static void write(JsonGenerator g, UserState u) throws IOException {
        g.writeStartObject();
        g.writeNumberField("v", VERSION);
        g.writeStringField("id", u.userId());
        if (u.externalId() != null) g.writeStringField("x", u.externalId());
        g.writeNumberField("c", u.createdAt());
        g.writeNumberField("u", u.updatedAt());
        if (!u.aliases().isEmpty()) {
            g.writeArrayFieldStart("a");
            for (UserAlias a : u.aliases()) {
                g.writeStartArray();
                g.writeString(a.name());
                g.writeString(a.label());
                g.writeEndArray();
            }
            g.writeEndArray();
        }
        writeValues(g, "s", u.standard());
        writeValues(g, "m", u.custom());
        writeSummaries(g, "e", u.events());
        writeSummaries(g, "p", u.products());
        if (!isEmpty(u.purchases())) { g.writeFieldName("b"); writeSummary(g, u.purchases()); }
        if (!isEmpty(u.sessions())) { g.writeFieldName("n"); writeSummary(g, u.sessions()); }
        if (!u.canvases().isEmpty()) writeCanvases(g, u.canvases());
        if (!u.campaigns().isEmpty()) writeCampaigns(g, u.campaigns());
        g.writeEndObject();
    }

    /** Canvas positions: id -> [version, step, entered, stepEntered, waitUntil, rankedBest, token, exitPending, lastEntry, entries, props]. */
    private static void writeCanvases(JsonGenerator g, Map<String, CanvasState> canvases) throws IOException {
        g.writeFieldName("k");
        g.writeStartObject();
        for (var e : canvases.entrySet()) {
            CanvasState c = e.getValue();
            g.writeFieldName(e.getKey());
            g.writeStartArray();
            g.writeNumber(c.version);
            if (c.step == null) g.writeNull(); else g.writeString(c.step);
            g.writeNumber(c.enteredAt);
            g.writeNumber(c.stepEnteredAt);
            g.writeNumber(c.waitUntil);
            g.writeNumber(c.rankedBest);
            g.writeNumber(c.timerToken);
            g.writeBoolean(c.exitPending);
            g.writeNumber(c.lastEntryAt);
            g.writeNumber(c.entries);
            writeTree(g, c.entryProperties);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Campaign receipts: id -> [lastSentAt, sends, pending message id or null, again, lastRun]. */
    private static void writeCampaigns(JsonGenerator g, Map<String, CampaignState> campaigns) throws IOException {
        g.writeFieldName("g");
        g.writeStartObject();
        for (var e : campaigns.entrySet()) {
            CampaignState c = e.getValue();
            g.writeFieldName(e.getKey());
            g.writeStartArray();
            g.writeNumber(c.lastSentAt);
            g.writeNumber(c.sends);
            if (c.pending == null) g.writeNull(); else g.writeString(c.pending);
            g.writeBoolean(c.again);
            g.writeNumber(c.lastRun);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static Map<String, CampaignState> readCampaigns(JsonParser p, JsonToken t) throws IOException {
        expect(p, t, JsonToken.START_OBJECT);
        Map<String, CampaignState> out = new java.util.LinkedHashMap<>();
        String id;
        while ((id = p.nextFieldName()) != null) {
            expect(p, p.nextToken(), JsonToken.START_ARRAY);
            CampaignState c = new CampaignState();
            p.nextToken(); c.lastSentAt = p.getLongValue();
            p.nextToken(); c.sends = p.getLongValue();
            c.pending = p.nextToken() == JsonToken.VALUE_NULL ? null : p.getText();
            p.nextToken(); c.again = p.getBooleanValue();
            p.nextToken(); c.lastRun = p.getLongValue();
            expect(p, p.nextToken(), JsonToken.END_ARRAY);
            out.put(id, c);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, CanvasState> readCanvases(JsonParser p, JsonToken t) throws IOException {
        expect(p, t, JsonToken.START_OBJECT);
        Map<String, CanvasState> out = new java.util.LinkedHashMap<>();
        String id;
        while ((id = p.nextFieldName()) != null) {
            expect(p, p.nextToken(), JsonToken.START_ARRAY);
            CanvasState c = new CanvasState();
            p.nextToken(); c.version = p.getIntValue();
            c.step = p.nextToken() == JsonToken.VALUE_NULL ? null : p.getText();
            p.nextToken(); c.enteredAt = p.getLongValue();
            p.nextToken(); c.stepEnteredAt = p.getLongValue();
            p.nextToken(); c.waitUntil = p.getLongValue();
            p.nextToken(); c.rankedBest = p.getIntValue();
            p.nextToken(); c.timerToken = p.getIntValue();
            p.nextToken(); c.exitPending = p.getBooleanValue();
            p.nextToken(); c.lastEntryAt = p.getLongValue();
            p.nextToken(); c.entries = p.getLongValue();
            Object props = readTree(p, p.nextToken());
            c.entryProperties = props instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            expect(p, p.nextToken(), JsonToken.END_ARRAY);
            out.put(id, c);
        }
        return out;
    }

    private static void writeValues(JsonGenerator g, String field, Map<String, Value> values) throws IOException {
        if (values.isEmpty()) return;
        g.writeFieldName(field);
        boolean asObject = keysReadable(values);
        if (asObject) g.writeStartObject(); else g.writeStartArray();
        for (Map.Entry<String, Value> e : values.entrySet()) {
            writeKey(g, e.getKey(), asObject);
            writeValue(g, e.getValue());
        }
        if (asObject) g.writeEndObject(); else g.writeEndArray();
    }

    // Jackson writes an unpaired surrogate in a field name (escaped) but refuses to read it back, while it
    // reads one in a string value. Such a name (an event named with a lone U+D800, sent escaped) would make
    // the profile unreadable, so a map holding one is written as alternating keys and values instead.
    private static boolean keysReadable(Map<String, ?> map) {
        for (String k : map.keySet()) if (hasUnpairedSurrogate(k)) return false;
        return true;
    }

    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else return true;
        }
        return false;
    }

    private static void writeKey(JsonGenerator g, String key, boolean asObject) throws IOException {
        if (asObject) g.writeFieldName(key);
        else g.writeString(key);
    }

    private static void writeValue(JsonGenerator g, Value v) throws IOException {
        switch (v) {
            case Value.Num n -> writeNum(g, n.value());
            case Value.Str s -> g.writeString(s.value());
            case Value.Bool b -> g.writeBoolean(b.value());
            case Value.Time t -> {
                g.writeStartObject();
                g.writeNumberField("t", t.epochMillis());
                g.writeEndObject();
            }
            case Value.Arr a -> {
                g.writeStartArray();
                for (String s : a.values()) g.writeString(s);
                g.writeEndArray();
            }
            case Value.Obj o -> {
                g.writeStartObject();
                g.writeFieldName("o");
                writeTree(g, o.value());
                g.writeEndObject();
            }
        }
    }

    private static void writeNum(JsonGenerator g, double d) throws IOException {
        boolean negativeZero = d == 0 && Double.doubleToRawLongBits(d) != 0;
        if (d == Math.rint(d) && Math.abs(d) < MAX_EXACT_LONG && !negativeZero) g.writeNumber((long) d);
        else g.writeNumber(d);
    }

    private static void writeTree(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber((long) i);
            case Short s -> g.writeNumber((long) s);
            case Byte b -> g.writeNumber((long) b);
            case Double d -> g.writeNumber(d); // always with a fraction or exponent, so it reads back a Double
            case Float f -> g.writeNumber(f.doubleValue());
            case BigInteger b -> g.writeNumber(b);
            case BigDecimal b -> g.writeNumber(b.doubleValue());
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(treeKey(String.valueOf(e.getKey())));
                    writeTree(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) writeTree(g, o);
                g.writeEndArray();
            }
            default -> throw new IllegalArgumentException("object attribute holds a " + v.getClass().getName()
                    + ", which JSON cannot hold");
        }
    }

    // Object trees come from parsed JSON, whose keys cannot hold an unpaired surrogate; should one appear
    // anyway it is replaced, so the profile stays readable (the one place where decoding is not exact).
    private static String treeKey(String key) {
        if (!hasUnpairedSurrogate(key)) return key;
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0, n = key.length(); i < n; i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(key.charAt(i + 1))) {
                sb.append(c).append(key.charAt(++i));
            } else sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
        }
        return sb.toString();
    }

    private static void writeSummaries(JsonGenerator g, String field, Map<String, EventSummary> summaries) throws IOException {
        if (summaries.isEmpty()) return;
        g.writeFieldName(field);
        boolean asObject = keysReadable(summaries);
        if (asObject) g.writeStartObject(); else g.writeStartArray();
        for (Map.Entry<String, EventSummary> e : summaries.entrySet()) {
            writeKey(g, e.getKey(), asObject);
            writeSummary(g, e.getValue());
        }
        if (asObject) g.writeEndObject(); else g.writeEndArray();
    }

    private static boolean isEmpty(EventSummary s) {
        return s.count() == 0 && s.first() == Long.MAX_VALUE && s.last() == Long.MIN_VALUE && s.days().length == 0;
    }

    private static void writeSummary(JsonGenerator g, EventSummary s) throws IOException {
        g.writeStartArray();
        if (!isEmpty(s)) {
            g.writeNumber(s.first());
            g.writeNumber(s.last());
            g.writeNumber(s.count());
            long[] days = s.days();
            int[] counts = s.dailyCounts();
            long previous = 0;
            for (int i = 0; i < days.length; i++) {
                g.writeNumber(days[i] - previous);
                g.writeNumber(counts[i]);
                previous = days[i];
            }
        }
        g.writeEndArray();
    }

    static UserState decode(byte[] bytes) {
        try (JsonParser p = JSON.createParser(bytes)) {
            return read(p);
        } catch (IOException | RuntimeException e) {
            throw new StoreException("cannot decode a stored profile: " + e.getMessage(), e);
        }
    }

    private static UserState read(JsonParser p) throws IOException {
        expect(p, p.nextToken(), JsonToken.START_OBJECT);
        String id = null, externalId = null;
        long created = 0, updated = 0;
        int version = -1;
        List<UserAlias> aliases = List.of();
        Map<String, Value> standard = Map.of(), custom = Map.of();
        Map<String, EventSummary> events = Map.of(), products = Map.of();
        EventSummary purchases = null, sessions = null;
        Map<String, CanvasState> canvases = Map.of();
        Map<String, CampaignState> campaigns = Map.of();
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "v" -> version = p.getIntValue();
                case "id" -> id = p.getText();
                case "x" -> externalId = p.getText();
                case "c" -> created = p.getLongValue();
                case "u" -> updated = p.getLongValue();
                case "a" -> aliases = readAliases(p, t);
                case "s" -> standard = readValues(p, t);
                case "m" -> custom = readValues(p, t);
                case "e" -> events = readSummaries(p, t);
                case "p" -> products = readSummaries(p, t);
                case "b" -> purchases = readSummary(p, t);
                case "n" -> sessions = readSummary(p, t);
                case "k" -> canvases = readCanvases(p, t);
                case "g" -> campaigns = readCampaigns(p, t);
                default -> p.skipChildren(); // a newer format; refused below by its version
            }
        }
        if (version != VERSION) throw new IOException("unsupported profile format version " + version + " (this build reads " + VERSION + ")");
        if (id == null) throw new IOException("profile without an id");
        UserState u = new UserState(id, created);
        u.touch(updated);
        u.externalId(externalId);
        u.aliases().addAll(aliases);
        u.standard().putAll(standard);
        u.custom().putAll(custom);
        u.events().putAll(events);
        u.products().putAll(products);
        if (purchases != null) u.purchases(purchases);
        if (sessions != null) u.sessions(sessions);
        u.canvases().putAll(canvases);
        u.campaigns().putAll(campaigns);
        return u;
    }

    private static List<UserAlias> readAliases(JsonParser p, JsonToken t) throws IOException {
        expect(p, t, JsonToken.START_ARRAY);
        List<UserAlias> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_ARRAY) {
            String name = p.nextTextValue();
            String label = p.nextTextValue();
            expect(p, p.nextToken(), JsonToken.END_ARRAY);
            out.add(new UserAlias(name, label));
        }
        return out;
    }

    private static Map<String, Value> readValues(JsonParser p, JsonToken t) throws IOException {
        Map<String, Value> out = new LinkedHashMap<>();
        if (t == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                String name = p.getText();
                out.put(name, readValue(p, p.nextToken()));
            }
            expect(p, p.currentToken(), JsonToken.END_ARRAY);
            return out;
        }
        expect(p, t, JsonToken.START_OBJECT);
        String name;
        while ((name = p.nextFieldName()) != null) out.put(name, readValue(p, p.nextToken()));
        return out;
    }

    private static Value readValue(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Value.Num(p.getDoubleValue());
            case VALUE_STRING -> new Value.Str(p.getText());
            case VALUE_TRUE -> new Value.Bool(true);
            case VALUE_FALSE -> new Value.Bool(false);
            case START_ARRAY -> {
                List<String> values = new ArrayList<>();
                while (p.nextToken() == JsonToken.VALUE_STRING) values.add(p.getText());
                expect(p, p.currentToken(), JsonToken.END_ARRAY);
                yield new Value.Arr(values);
            }
            case START_OBJECT -> {
                String tag = p.nextFieldName();
                JsonToken inner = p.nextToken();
                Value v;
                if ("t".equals(tag)) v = new Value.Time(p.getLongValue());
                else if ("o".equals(tag) && inner == JsonToken.START_OBJECT) v = new Value.Obj(readObject(p));
                else throw new IOException("unknown value tag '" + tag + "'");
                expect(p, p.nextToken(), JsonToken.END_OBJECT);
                yield v;
            }
            default -> throw new IOException("unexpected " + t + " for a value");
        };
    }

    private static Map<String, Object> readObject(JsonParser p) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        String name;
        while ((name = p.nextFieldName()) != null) out.put(name, readTree(p, p.nextToken()));
        return out;
    }

    private static Object readTree(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                List<Object> out = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) out.add(readTree(p, e));
                yield out;
            }
            default -> throw new IOException("unexpected " + t + " in an object value");
        };
    }

    private static Map<String, EventSummary> readSummaries(JsonParser p, JsonToken t) throws IOException {
        Map<String, EventSummary> out = new LinkedHashMap<>();
        if (t == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                String name = p.getText();
                out.put(name, readSummary(p, p.nextToken()));
            }
            expect(p, p.currentToken(), JsonToken.END_ARRAY);
            return out;
        }
        expect(p, t, JsonToken.START_OBJECT);
        String name;
        while ((name = p.nextFieldName()) != null) out.put(name, readSummary(p, p.nextToken()));
        return out;
    }

    private static EventSummary readSummary(JsonParser p, JsonToken t) throws IOException {
        expect(p, t, JsonToken.START_ARRAY);
        if (p.nextToken() == JsonToken.END_ARRAY) return new EventSummary();
        long first = p.getLongValue();
        long last = p.nextLongValue(0);
        long count = p.nextLongValue(0);
        long[] days = new long[EventSummary.DAYS];
        int[] counts = new int[EventSummary.DAYS];
        int n = 0;
        long day = 0;
        while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
            if (n == days.length) throw new IOException("more than " + EventSummary.DAYS + " days in a summary");
            day += p.getLongValue();
            days[n] = day;
            counts[n++] = p.nextIntValue(0);
        }
        expect(p, p.currentToken(), JsonToken.END_ARRAY);
        return EventSummary.restore(first, last, count, java.util.Arrays.copyOf(days, n), java.util.Arrays.copyOf(counts, n));
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + " but found " + actual + " at " + p.currentLocation());
    }
}
