package dev.kiln.delivery;

import dev.kiln.engine.Input.MessageOutcome.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Delivery's meters, named once here. */
final class DeliveryMetrics {
    final Map<Kind, Counter> outcomes = new EnumMap<>(Kind.class);
    final Counter requests;
    final DistributionSummary attempts;
    final Counter reauthorized;
    final Counter commitFailures;
    final Timer render;
    final Timer send;
    final AtomicLong lagMillis = new AtomicLong();

    DeliveryMetrics(MeterRegistry r, Supplier<Number> inFlight, Supplier<Number> parked) {
        for (Kind k : Kind.values())
            outcomes.put(k, Counter.builder("kiln.delivery.outcomes").tag("outcome", k.name().toLowerCase(Locale.ROOT))
                    .description("Webhook attempts by outcome (sent, aborted, failed, retry)").register(r));
        requests = Counter.builder("kiln.delivery.requests").description("Webhook HTTP requests sent (attempts that reached the network)").register(r);
        attempts = DistributionSummary.builder("kiln.delivery.attempts").description("Attempts a message took until it ended (sent, aborted, failed)").register(r);
        reauthorized = Counter.builder("kiln.delivery.reauthorized").description("401 answers retried once with a fresh connection token").register(r);
        commitFailures = Counter.builder("kiln.delivery.commit.failures").description("Outcome submissions whose commit failed").register(r);
        render = Timer.builder("kiln.delivery.render").description("Time to render a webhook (connected content included)").register(r);
        send = Timer.builder("kiln.delivery.send.latency").description("Webhook request latency").publishPercentileHistogram().register(r);
        Gauge.builder("kiln.delivery.in.flight", inFlight).description("Messages being rendered, sent or committed").register(r);
        Gauge.builder("kiln.delivery.parked", parked).description("Messages waiting in memory for a paused host or a rate limit").register(r);
        Gauge.builder("kiln.delivery.outbox.lag", lagMillis, l -> l.get() / 1000.0).baseUnit("seconds")
                .description("How late the oldest due message not yet started is").register(r);
    }
}
