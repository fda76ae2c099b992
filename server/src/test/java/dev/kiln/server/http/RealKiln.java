package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.RuntimeConfig;
import dev.kiln.server.ApiKeys;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** The real thing for endpoint tests: a temp SQLite store, a real runtime and the API on a random port. */
final class RealKiln implements AutoCloseable {
    final Path dir;
    final JdbcStore store;
    final KilnRuntime runtime;
    final ApiServer server;
    final Http http;
    /** A key with every scope. */
    final String key;

    RealKiln() {
        try {
            dir = Files.createTempDirectory("kiln-http-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + dir.resolve("kiln.db")));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        runtime = KilnRuntime.start(RuntimeConfig.defaults(), store, registry);
        key = ApiKeys.newKey();
        store.apiKeys().create("test", "test", ApiKeys.hash(key), Scopes.ALL, System.currentTimeMillis());
        server = ApiServer.builder().port(0).runtime(runtime).keys(store.apiKeys()).registry(registry)
                .rateLimit(1_000_000, java.time.Duration.ofSeconds(1)).build().start();
        http = new Http(server.port());
    }

    /** A key with only these scopes. */
    String keyWith(String... scopes) {
        String k = ApiKeys.newKey();
        store.apiKeys().create(ApiKeys.newId(), "limited", ApiKeys.hash(k), java.util.Set.of(scopes), System.currentTimeMillis());
        return k;
    }

    Http.Response track(String body) { return http.post("/users/track", key, body); }

    Http.Response post(String path, String body) { return http.post(path, key, body); }

    /** The exported profile of one external id, or null when there is none. */
    JsonNode export(String externalId) {
        Http.Response r = http.post("/users/export/ids", key, Map.of("external_ids", java.util.List.of(externalId)));
        if (r.status() != 200) throw new AssertionError("export failed: " + r);
        JsonNode users = r.json().path("users");
        return users.isEmpty() ? null : users.get(0);
    }

    @Override
    public void close() {
        server.stop();
        runtime.close();
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
