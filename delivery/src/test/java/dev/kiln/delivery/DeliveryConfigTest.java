package dev.kiln.delivery;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryConfigTest {

    @Test void defaults_follow_braze() {
        DeliveryConfig c = DeliveryConfig.defaults();
        assertThat(c.maxAttempts()).isEqualTo(5);
        assertThat(c.maxRetryWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.perHostConcurrency()).isEqualTo(64);
        assertThat(c.breakerCooldown()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.toString()).contains("maxAttempts=5", "breaker=0.5 of last 20 (min 10)");
    }

    @Test void invalid_settings_are_refused_naming_the_setting() {
        DeliveryConfig d = DeliveryConfig.defaults();
        assertThatThrownBy(() -> d.withMaxAttempts(0)).hasMessage("delivery config: maxAttempts must be 1..100, was 0");
        assertThatThrownBy(() -> d.withRequestTimeout(Duration.ZERO)).hasMessage("delivery config: requestTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> d.withMaxBackoff(Duration.ofSeconds(1)))
                .hasMessage("delivery config: maxBackoff (PT1S) must be ≥ backoffBase (PT30S)");
        assertThatThrownBy(() -> d.withBreakerFailureRatio(1.5)).hasMessageContaining("breakerFailureRatio must be in (0, 1]");
        assertThatThrownBy(() -> d.withBreakerWindow(5)).hasMessageContaining("breakerMinRequests must be 1..breakerWindow (5), was 10");
        assertThatThrownBy(() -> d.withAllowHosts(List.of("10.0.0.0/40"))).hasMessageContaining("prefix length must be 0..32");
    }

    @Test void the_outbound_lists_make_the_policy() {
        OutboundPolicy p = DeliveryConfig.defaults().withDenyHosts(List.of("127.0.0.0/8")).outboundPolicy();
        assertThatThrownBy(() -> p.check(java.net.URI.create("http://127.0.0.1/"))).isInstanceOf(OutboundDeniedException.class);
    }
}
