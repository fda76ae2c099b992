package dev.kiln.runtime;

import dev.kiln.engine.campaign.Campaign;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class CampaignSchedulerTest {
    @ParameterizedTest(name = "start {0}, every {1}, now {2} -> {3}")
    @CsvSource({
            "1000, , 999, -1",        // not yet
            "1000, , 1000, 1000",     // once, due now
            "1000, , 99999, 1000",    // once, long ago
            "1000, 100, 1099, 1000",
            "1000, 100, 1100, 1100",
            "1000, 100, 1350, 1300",
    })
    void the_latest_run_is_the_last_occurrence_at_or_before_now(long start, Long every, long now, long expected) {
        assertThat(CampaignScheduler.latestRun(new Campaign.Schedule(start, every), now)).isEqualTo(expected);
    }
}
