package dev.kiln.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming writer of event data gives the bytes the mapper gives, for every value type, nested, and falls back for others. */
class EventDataJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final EventDataJson writer = new EventDataJson(mapper);

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 7_777})
    void writes_what_the_mapper_writes(long seed) throws Exception {
        Random r = new Random(seed);
        for (int i = 0; i < 300; i++) {
            Map<String, Object> data = map(r, 0, i % 10 == 0);
            byte[] expected = mapper.writeValueAsBytes(data);
            assertThat(new String(writer.write(data), StandardCharsets.UTF_8))
                    .as("seed %d, map %d", seed, i).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        }
    }

    private static Map<String, Object> map(Random r, int depth, boolean foreign) {
        Map<String, Object> m = r.nextBoolean() ? new LinkedHashMap<>() : new HashMap<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) m.put(string(r), value(r, depth, foreign));
        if (foreign && depth == 0) m.put("odd", r.nextBoolean() ? new Date(r.nextLong(1L << 40)) : UUID.nameUUIDFromBytes(new byte[]{(byte) r.nextInt()}));
        return m;
    }

    private static Object value(Random r, int depth, boolean foreign) {
        int kind = r.nextInt(depth < 3 ? 14 : 12);
        return switch (kind) {
            case 0 -> null;
            case 1 -> string(r);
            case 2 -> r.nextBoolean();
            case 3 -> r.nextInt();
            case 4 -> r.nextLong();
            case 5 -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
            case 6 -> (float) r.nextGaussian();
            case 7 -> (short) r.nextInt();
            case 8 -> new BigInteger(100, r);
            case 9 -> new BigDecimal(new BigInteger(70, r), r.nextInt(20) - 5);
            case 10 -> List.of(Double.NaN, Double.NEGATIVE_INFINITY, -0.0).get(r.nextInt(3));
            case 11 -> (long) r.nextInt(1000);
            case 12 -> map(r, depth + 1, foreign);
            default -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) l.add(value(r, depth + 1, foreign));
                yield l;
            }
        };
    }

    private static String string(Random r) {
        String[] pieces = {"lead score", "démo", "\"quoted\"", "tab\t", "\u0001", "😀", "\uD800", "name", "", "é\\/"};
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(3); i >= 0; i--) b.append(pieces[r.nextInt(pieces.length)]);
        return b.toString();
    }
}
