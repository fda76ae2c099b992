package dev.kiln.delivery;

import dev.kiln.store.OutboxRow;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostGateTest {
    private static final String HOST = "crm.test:443";
    private final HostGate gate = new HostGate(64, 20, 10, 0.5, 30_000);
    private long now = TestClock.START;

    private static OutboxRow row(String id) {
        return new OutboxRow(id, "u", "c", null, null, 1, 0, 0, 0, "{}");
    }

    private void request(boolean failure) throws InterruptedException {
        HostGate.Permit p = gate.enter(HOST, row("x"), now, 100, 0);
        assertThat(p).isNotNull();
        gate.done(p, failure, now);
    }

    @Test void the_breaker_opens_when_half_of_the_last_requests_fail_with_enough_of_them() throws Exception {
        for (int i = 0; i < 4; i++) request(true); // 4 of 4 failed, but fewer than 10 requests
        assertThat(gate.isOpen(HOST)).isFalse();
        for (int i = 0; i < 5; i++) request(false);
        assertThat(gate.isOpen(HOST)).isFalse(); // 4 of 9
        request(true); // 5 of 10
        assertThat(gate.isOpen(HOST)).isTrue();
    }

    @Test void successes_keep_the_breaker_closed() throws Exception {
        for (int i = 0; i < 100; i++) request(i % 3 == 0); // a third fail
        assertThat(gate.isOpen(HOST)).isFalse();
    }

    @Test void a_paused_host_parks_messages_then_one_probe_decides() throws Exception {
        for (int i = 0; i < 10; i++) request(true);
        assertThat(gate.isOpen(HOST)).isTrue();

        assertThat(gate.enter(HOST, row("m1"), now, 100, 0)).isNull();
        assertThat(gate.enter(HOST, row("m2"), now, 100, 0)).isNull();
        assertThat(gate.parked()).isEqualTo(2);
        assertThat(gate.ready(now, 100)).isEmpty(); // still cooling down

        now += 30_000;
        assertThat(gate.ready(now, 100)).extracting(OutboxRow::messageId).containsExactly("m1"); // the probe candidate
        assertThat(gate.ready(now, 100)).isEmpty(); // one candidate per cool-down
        HostGate.Permit probe = gate.enter(HOST, row("m1"), now, 100, 0);
        assertThat(probe).isNotNull();
        assertThat(probe.probe).isTrue();
        assertThat(gate.enter(HOST, row("m3"), now, 100, 0)).isNull(); // while the probe is out, others park

        gate.done(probe, true, now); // the probe failed: paused again
        assertThat(gate.isOpen(HOST)).isTrue();
        assertThat(gate.ready(now + 1, 100)).isEmpty();

        now += 30_000;
        assertThat(gate.ready(now, 100)).extracting(OutboxRow::messageId).containsExactly("m2");
        HostGate.Permit second = gate.enter(HOST, row("m2"), now, 100, 0);
        gate.done(second, false, now); // the probe succeeded: closed, parked messages released
        assertThat(gate.isOpen(HOST)).isFalse();
        assertThat(gate.ready(now, 100)).extracting(OutboxRow::messageId).containsExactly("m3");
        assertThat(gate.parked()).isZero();
    }

    @Test void answers_to_requests_sent_before_the_breaker_opened_do_not_count() throws Exception {
        HostGate.Permit late = gate.enter(HOST, row("late"), now, 100, 0);
        for (int i = 0; i < 10; i++) request(true);
        gate.done(late, false, now);
        assertThat(gate.isOpen(HOST)).isTrue();
    }

    @Test void a_full_parking_refuses_to_keep_more_rows() throws Exception {
        for (int i = 0; i < 10; i++) request(true);
        assertThat(gate.enter(HOST, row("m1"), now, 2, 0)).isNull();
        assertThat(gate.enter(HOST, row("m2"), now, 2, 1)).isSameAs(HostGate.FULL);
        assertThat(gate.parked()).isEqualTo(1);
    }

    @Test void hosts_are_judged_separately() throws Exception {
        for (int i = 0; i < 10; i++) request(true);
        assertThat(gate.enter("other.test:443", row("o"), now, 100, 0)).isNotNull();
    }

    @Test void rate_limit_tokens_refill_smoothly() {
        RateLimits limits = new RateLimits();
        long t = TestClock.START;
        assertThat(limits.tryTake("c", 60, t)).isTrue(); // one per second
        assertThat(limits.tryTake("c", 60, t)).isFalse();
        assertThat(limits.millisUntilToken("c", 60, t)).isEqualTo(1000);
        assertThat(limits.tryTake("c", 60, t + 999)).isFalse();
        assertThat(limits.tryTake("c", 60, t + 1000)).isTrue();
        // 6000 per minute: at most a second's worth (100) after a long pause, not a minute's
        assertThat(limits.tryTake("fast", 6000, t)).isTrue();
        int taken = 0;
        while (limits.tryTake("fast", 6000, t + 3_600_000)) taken++;
        assertThat(taken).isEqualTo(100);
    }
}
