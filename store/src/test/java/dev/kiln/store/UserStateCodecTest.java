package dev.kiln.store;

import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import dev.kiln.engine.campaign.CampaignState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserStateCodecTest {

    static LongStream seeds() { return LongStream.range(0, 300); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void random_profiles_round_trip_exactly(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 10; i++) {
            UserState u = RandomUserStates.next(r, "u" + seed + "-" + i);
            byte[] bytes = UserStateCodec.encode(u);
            UserState back = UserStateCodec.decode(bytes);
            String why = "seed " + seed + ", profile " + i + ": " + new String(bytes, StandardCharsets.UTF_8);
            assertThat(back).as(why).isEqualTo(u);
            assertThat(back.custom()).as(why).containsExactlyEntriesOf(u.custom());
            assertThat(UserStateCodec.encode(back)).as(why).isEqualTo(bytes);
        }
    }

    /** A lane encodes profile after profile with one {@link UserStateCodec.Writer}: each must come out as alone. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 17, 2026})
    void one_writer_encodes_profile_after_profile_as_alone(long seed) {
        Random r = new Random(seed);
        UserStateCodec.Writer writer = new UserStateCodec.Writer();
        UserRow.Encoder rows = new UserRow.Encoder();
        for (int i = 0; i < 400; i++) {
            UserState u = RandomUserStates.next(r, "u" + seed + "-" + i);
            byte[] alone = UserStateCodec.encode(u);
            assertThat(writer.encode(u)).as("seed %d, profile %d", seed, i).isEqualTo(alone);
            UserRow row = rows.of(u);
            assertThat(row.state()).as("seed %d, profile %d, row", seed, i).isEqualTo(alone);
            assertThat(row).usingRecursiveComparison().ignoringFields("state").isEqualTo(UserRow.of(u));
        }
    }

    @Test
    void time_number_and_string_stay_distinct() {
        UserState u = new UserState("u1", 1000);
        u.custom().put("as time", new Value.Time(1_780_000_000_000L));
        u.custom().put("as number", new Value.Num(1_780_000_000_000d));
        u.custom().put("as string", Value.str("1780000000000"));
        u.custom().put("as object", new Value.Obj(Map.of("t", 1L)));
        UserState back = UserStateCodec.decode(UserStateCodec.encode(u));
        assertThat(back.custom().get("as time")).isInstanceOf(Value.Time.class);
        assertThat(back.custom().get("as number")).isInstanceOf(Value.Num.class);
        assertThat(back.custom().get("as string")).isInstanceOf(Value.Str.class);
        assertThat(back.custom().get("as object")).isEqualTo(new Value.Obj(Map.of("t", 1L)));
        assertThat(back).isEqualTo(u);
    }

    @Test
    void numbers_keep_sign_of_zero_and_values_beyond_long_precision() {
        UserState u = new UserState("u1", 1000);
        double[] values = {-0.0, 0.0, 1.0, -3, 0.1, 9.007199254740994E15, 9.223372036854775807E18, -1e300, Double.MIN_VALUE};
        for (int i = 0; i < values.length; i++) u.custom().put("n" + i, new Value.Num(values[i]));
        UserState back = UserStateCodec.decode(UserStateCodec.encode(u));
        for (int i = 0; i < values.length; i++) {
            assertThat(((Value.Num) back.custom().get("n" + i)).value()).as("n" + i).isEqualTo(values[i]);
        }
        assertThat(Double.doubleToRawLongBits(((Value.Num) back.custom().get("n0")).value()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void integral_numbers_are_written_without_a_fraction() {
        UserState u = new UserState("u1", 1000);
        u.custom().put("lead score", new Value.Num(42));
        assertThat(new String(UserStateCodec.encode(u), StandardCharsets.UTF_8)).contains("\"lead score\":42}");
    }

    @Test
    void object_values_keep_long_and_double_apart() {
        Map<String, Object> tree = new java.util.LinkedHashMap<>();
        tree.put("long", 3L);
        tree.put("double", 3.0);
        tree.put("nan", Double.NaN);
        tree.put("negative zero", -0.0);
        tree.put("null", null);
        tree.put("list", java.util.Arrays.asList(1L, 1.5, null, "x", List.of(Map.of("deep", true))));
        UserState u = new UserState("u1", 1000);
        u.custom().put("o", new Value.Obj(tree));
        Value.Obj back = (Value.Obj) UserStateCodec.decode(UserStateCodec.encode(u)).custom().get("o");
        assertThat(back.value().get("long")).isEqualTo(3L);
        assertThat(back.value().get("double")).isEqualTo(3.0);
        assertThat(back).isEqualTo(u.custom().get("o"));
    }

    @Test
    void empty_profile_and_empty_summaries_round_trip() {
        UserState u = new UserState("u1", 1000);
        u.events().put("never", new EventSummary());
        assertThat(UserStateCodec.decode(UserStateCodec.encode(u))).isEqualTo(u);
    }

    @Test
    void summaries_keep_their_day_ring() {
        EventSummary s = new EventSummary();
        long day = 86_400_000L;
        for (int i = 0; i < 45; i++) s.record(1_780_000_000_000L + i * day, i + 1);
        UserState u = new UserState("u1", 1000);
        u.sessions(s);
        UserState back = UserStateCodec.decode(UserStateCodec.encode(u));
        assertThat(back.sessions().days()).containsExactly(s.days());
        assertThat(back.sessions().dailyCounts()).containsExactly(s.dailyCounts());
        assertThat(back.sessions().countInLastDays(7, 1_780_000_000_000L + 44 * day))
                .isEqualTo(s.countInLastDays(7, 1_780_000_000_000L + 44 * day));
    }

    @Test
    void names_and_values_with_unpaired_surrogates_stay_readable() {
        String lone = "x" + (char) 0xD800 + "y" + (char) 0xDC00;
        UserState u = new UserState("u" + lone, 1000);
        u.custom().put(lone, Value.str(lone));
        u.custom().put("plain", new Value.Arr(List.of(lone)));
        u.events().put(lone, RandomUserStates.summary(new Random(1)));
        u.products().put(lone, new EventSummary());
        UserState back = UserStateCodec.decode(UserStateCodec.encode(u));
        assertThat(back).isEqualTo(u);
        Value.Obj tree = new Value.Obj(Map.of(lone, 1L));
        u.custom().put("tree", tree);
        Value.Obj treeBack = (Value.Obj) UserStateCodec.decode(UserStateCodec.encode(u)).custom().get("tree");
        assertThat(treeBack.value()).containsOnlyKeys("x\uFFFDy\uFFFD");
    }

    @Test
    void campaign_receipts_round_trip_with_and_without_a_pending_message() {
        UserState u = new UserState("u1", 1000);
        CampaignState idle = new CampaignState();
        idle.lastSentAt = 1_780_000_000_123L;
        idle.sends = 3;
        CampaignState inFlight = new CampaignState();
        inFlight.pending = "msg-日本-\"1\"";
        inFlight.again = true;
        u.campaigns().put("welcome", idle);
        u.campaigns().put("hand-off", inFlight);

        byte[] bytes = UserStateCodec.encode(u);
        UserState back = UserStateCodec.decode(bytes);

        assertThat(back).isEqualTo(u);
        assertThat(back.campaigns()).containsOnlyKeys("welcome", "hand-off");
        CampaignState idleBack = back.campaigns().get("welcome");
        assertThat(idleBack.pending).isNull();
        assertThat(idleBack.again).isFalse();
        assertThat(idleBack.sends).isEqualTo(3);
        assertThat(idleBack.lastSentAt).isEqualTo(1_780_000_000_123L);
        CampaignState inFlightBack = back.campaigns().get("hand-off");
        assertThat(inFlightBack.pending).isEqualTo("msg-日本-\"1\"");
        assertThat(inFlightBack.again).isTrue();
        assertThat(inFlightBack.sends).isZero();
        assertThat(UserStateCodec.encode(back)).isEqualTo(bytes);
        // A profile without campaigns keeps none (and the key is left out).
        UserState none = new UserState("u2", 1000);
        assertThat(new String(UserStateCodec.encode(none), StandardCharsets.UTF_8)).doesNotContain("\"g\"");
        assertThat(UserStateCodec.decode(UserStateCodec.encode(none)).campaigns()).isEmpty();
    }

    @Test
    void decode_refuses_an_unknown_format_version() {
        byte[] future = "{\"v\":2,\"id\":\"u1\",\"c\":1,\"u\":1,\"z\":{\"new\":[1]}}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> UserStateCodec.decode(future))
                .isInstanceOf(StoreException.class).hasMessageContaining("version 2");
    }
}
