package dev.kiln.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BrazeTimeTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-11-28T10:00:00Z            | 2026-11-28T10:00:00Z",
            "2026-11-28T10:00:00.123Z        | 2026-11-28T10:00:00.123Z",
            "2026-11-28T12:00:00+02:00       | 2026-11-28T10:00:00Z",
            "2026-11-28T12:00:00+0200        | 2026-11-28T10:00:00Z",
            "2026-11-28T10:00:00             | 2026-11-28T10:00:00Z",
            "2026-11-28T10:00:00:250Z        | 2026-11-28T10:00:00.250Z",
            "2026-11-28T10:00:00:250-0100    | 2026-11-28T11:00:00.250Z",
            "2026-11-28                      | 2026-11-28T00:00:00Z",
            "2026-11-28 10:00:00             | 2026-11-28T10:00:00Z"})
    void accepts_braze_time_formats(String in, String expected) {
        assertThat(BrazeTime.parse(in)).contains(java.time.Instant.parse(expected).toEpochMilli());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2026-13-01", "2026-11-28T25:00:00Z", "28/11/2026", "2026-11-28Tgarbage", "12345"})
    void refuses_what_is_not_a_time(String in) {
        assertThat(BrazeTime.parse(in)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-03-01T09:00:00Z", "2026-03-01T09:00:00.1Z", "2026-03-01T09:00:00.123Z",
            "2026-03-01T09:00:00.123456789Z", "2026-03-01T09:00:00.1234567891Z", "1969-12-31T23:59:59.999Z",
            "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
            "0000-01-01T00:00:00Z", "0000-02-29T12:00:00Z", "9999-12-31T23:59:59.999Z", "2026-04-31T00:00:00Z",
            "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-01T24:00:00Z",
            "2026-03-01T09:60:00Z", "2026-03-01T09:00:60Z", "2026-03-01T09:00:00.Z", "2026-03-01T09:00:00,5Z",
            "2026-03-01T09:00:00+02:00", "2026-03-01", "2026-03-01T09:00:00:123Z", "2026-03-01 09:00:00Z",
            "2026-03-01T09:00:00z", "+2026-03-01T09:00:00Z", "2026-03-01T09:00:0aZ", "2026-03-01T09:00:00.12aZ"})
    void the_fast_path_reads_exactly_what_java_time_reads(String s) {
        assertThat(BrazeTime.parse(s)).isEqualTo(BrazeTime.parseSlow(s));
    }

    @Test
    void the_fast_path_agrees_with_java_time_on_random_and_mangled_times() {
        SplittableRandom random = new SplittableRandom(3);
        String alphabet = "0123456789-:T.Z+ z";
        int parsed = 0;
        for (int i = 0; i < 200_000; i++) {
            long millis = random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L); // years 0000..9999
            String s = BrazeTime.format(millis);
            if (random.nextBoolean()) s = s.substring(0, 19) + "." + String.format("%09d", random.nextLong(1_000_000_000L)).substring(0, 1 + random.nextInt(9)) + "Z";
            if (random.nextInt(3) == 0) {
                char[] c = s.toCharArray();
                c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                s = new String(c);
            }
            if (random.nextInt(3) == 0) { // a date that may not exist: day 29..31 of any month
                s = s.substring(0, 8) + (29 + random.nextInt(3)) + s.substring(10);
            }
            var fast = BrazeTime.parse(s);
            assertThat(fast).as(s).isEqualTo(BrazeTime.parseSlow(s));
            if (fast.isPresent()) parsed++;
            if (fast.isPresent() && s.equals(BrazeTime.format(millis))) assertThat(fast.get()).as("round trip").isEqualTo(millis);
        }
        assertThat(parsed).as("most strings are times").isGreaterThan(100_000);
    }
}
