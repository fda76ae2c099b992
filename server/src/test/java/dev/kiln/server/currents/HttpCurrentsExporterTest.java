package dev.kiln.server.currents;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.definitions.Connection;
import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.delivery.OutboundPolicy;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The http sink driven by a real exporter over a real SQLite store, against a MockWebServer collector that
 * fails, then recovers: nothing is lost, the cursor ends at the last seq, ingest never waits, Retry-After is
 * honoured.
 */
class HttpCurrentsExporterTest {
    static final String TOKEN = "Bearer xk-live-7c1d9e0b55";
    static final Connection.SecretRef AUTH = Connection.SecretRef.file("/run/secrets/collector");

    @TempDir Path dir;
    JdbcStore store;
    final MockWebServer server = new MockWebServer();
    final Collector collector = new Collector();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<CurrentsExporter> exporters = new ArrayList<>();

    @BeforeEach void open() throws IOException {
        store = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + dir.resolve("kiln.db")));
        server.setDispatcher(collector);
        server.start();
    }

    @AfterEach void close() {
        exporters.forEach(CurrentsExporter::stop);
        server.close();
        store.close();
    }

    /** Answers with {@link #answer}, records every request, and the ids of every event it accepted (2xx). */
    static final class Collector extends Dispatcher {
        volatile Function<RecordedRequest, MockResponse> answer = r -> status(200);
        final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
        final List<String> accepted = new CopyOnWriteArrayList<>();

        @Override public MockResponse dispatch(RecordedRequest request) {
            requests.add(request);
            MockResponse response = answer.apply(request);
            if (response.getCode() / 100 == 2) {
                try {
                    for (JsonNode e : CurrentsFiles.JSON.readTree(request.getBody().utf8()).get("events")) accepted.add(e.get("id").asText());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return response;
        }

        Set<String> acceptedIds() { return Set.copyOf(accepted); }
    }

    static MockResponse status(int code) { return new MockResponse.Builder().code(code).build(); }

    static MockResponse unavailable(String retryAfter) {
        return new MockResponse.Builder().code(503).setHeader("Retry-After", retryAfter).body("busy").build();
    }

    CurrentsExporter start(int batch, Duration retryMax) {
        CurrentsConnector c = new CurrentsConnector("h", List.of("users.behaviors.*"),
                new CurrentsConnector.Http(server.url("/collect").toString(), Map.of("X-Source", "kiln"), AUTH, batch, 100, 5_000));
        CurrentsConfig config = CurrentsConfig.defaults().withPoll(Duration.ofMillis(20)).withRetryMax(retryMax);
        Function<Connection.SecretRef, String> secrets = ref -> TOKEN;
        CurrentsExporter e = new CurrentsExporter(c, store, config, new SinkWriters.SinkContext(registry, secrets, OutboundPolicy.defaults()));
        exporters.add(e);
        return e.start();
    }

    /** Appends events {@code prefix0..prefix(n-1)}; returns their ids. */
    Set<String> append(String prefix, int n) {
        List<EventLogRow> rows = CurrentsExporterTest.customEvents(prefix, n);
        CurrentsFiles.append(store, rows);
        return rows.stream().map(EventLogRow::id).collect(Collectors.toSet());
    }

    @Test
    void a_collector_answering_503_then_200_receives_every_event_and_ingest_goes_on() {
        collector.answer = r -> unavailable("1");
        Set<String> ids = new java.util.HashSet<>(append("a", 230));
        CurrentsExporter e = start(50, Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(15)).until(() -> collector.requests.size() >= 2);
        assertThat(e.lastError()).contains("HTTP 503").contains("Retry-After 1000 ms");
        assertThat(e.cursor()).isZero();
        assertThat(collector.accepted).isEmpty();

        // ingest while the sink fails: commits return, the lag grows
        ids.addAll(append("b", 40));
        assertThat(store.lastEventSeq()).isEqualTo(270);
        assertThat(e.lag()).isEqualTo(270);

        collector.answer = r -> status(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> e.cursor() == 270);
        assertThat(collector.acceptedIds()).isEqualTo(ids);
        assertThat(store.meta("currents:h")).contains("270");
        assertThat(e.lag()).isZero();
        assertThat(e.exportedEvents()).isEqualTo(270);
        // every batch was retried whole: a failed request and the accepted one carry the same key and ids
        RecordedRequest failed = collector.requests.get(0);
        RecordedRequest first = collector.requests.stream().filter(r -> r.getBody().utf8().contains("\"a0\"")).reduce((x, y) -> y).orElseThrow();
        assertThat(failed.getHeaders().get("Idempotency-Key")).isEqualTo("h:1-50").isEqualTo(first.getHeaders().get("Idempotency-Key"));
        assertThat(failed.getBody().utf8()).isEqualTo(first.getBody().utf8());
        assertThat(collector.requests).allSatisfy(r -> {
            assertThat(r.getHeaders().get("Authorization")).isEqualTo(TOKEN);
            assertThat(r.getHeaders().get("X-Source")).isEqualTo("kiln");
        });
    }

    @Test
    void a_retry_after_longer_than_the_backoff_is_waited_even_while_new_events_wake_the_exporter() {
        collector.answer = r -> collector.requests.size() == 1 ? unavailable("4") : status(200);
        Set<String> ids = new java.util.HashSet<>(append("a", 5));
        CurrentsExporter e = start(100, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> e.lastRetryWait() > 0);
        assertThat(e.lastRetryWait()).as("max(backoff 1 s, Retry-After 4 s)").isEqualTo(4_000);
        for (int i = 0; i < 10; i++) {
            ids.addAll(append("w" + i + "-", 1));
            e.wake();
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> collector.requests.size() == 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> e.cursor() == 15);
        assertThat(collector.acceptedIds()).isEqualTo(ids);
    }

    @Test
    void a_retry_after_beyond_retry_max_is_capped() {
        collector.answer = r -> collector.requests.size() == 1
                ? new MockResponse.Builder().code(429).setHeader("Retry-After", "3600").build() : status(200);
        Set<String> ids = append("a", 3);
        CurrentsExporter e = start(100, Duration.ofMillis(1_500));
        await().atMost(Duration.ofSeconds(15)).until(() -> e.cursor() == 3);
        assertThat(e.lastRetryWait()).isEqualTo(1_500);
        assertThat(e.lastError()).contains("HTTP 429");
        assertThat(collector.acceptedIds()).isEqualTo(ids);
    }

    @Test
    void a_collector_answering_400_forever_loses_nothing_and_everything_arrives_once_it_recovers() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger("dev.kiln");
        logger.addAppender(logs);
        try {
            // a collector that echoes what it was sent, the Authorization header included
            collector.answer = r -> new MockResponse.Builder().code(400)
                    .body("{\"error\":\"bad batch\",\"auth\":\"" + r.getHeaders().get("Authorization") + "\"}").build();
            Set<String> ids = new java.util.HashSet<>(append("a", 60));
            CurrentsExporter e = start(25, Duration.ofMillis(300));
            await().atMost(Duration.ofSeconds(10)).until(() -> collector.requests.size() >= 3);
            assertThat(e.lastError()).contains("HTTP 400").contains("bad batch").doesNotContain(TOKEN).doesNotContain("xk-live");
            assertThat(e.cursor()).isZero();
            assertThat(e.lag()).isEqualTo(60);

            ids.addAll(append("b", 25));
            assertThat(e.lag()).as("the lag grows, ingest is not blocked").isEqualTo(85);
            assertThat(collector.accepted).isEmpty();
            assertThat(registry.find("kiln.currents.errors").tag("connector", "h").counter().count()).isGreaterThanOrEqualTo(3);

            collector.answer = r -> status(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> e.cursor() == 85);
            assertThat(collector.acceptedIds()).isEqualTo(ids);
            assertThat(collector.accepted).as("each accepted once").hasSize(85);
            assertThat(e.lag()).isZero();
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).anySatisfy(l -> assertThat(l.getFormattedMessage()).contains("HTTP 400"));
        assertThat(logs.list).allSatisfy(l -> assertThat(l.getFormattedMessage()).doesNotContain("xk-live"));
    }
}
