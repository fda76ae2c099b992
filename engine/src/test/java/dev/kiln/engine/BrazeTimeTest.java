package dev.kiln.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
}
