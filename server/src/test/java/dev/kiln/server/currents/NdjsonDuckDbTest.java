package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.kiln.server.currents.CurrentsFiles.append;
import static dev.kiln.server.currents.CurrentsFiles.files;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code ndjson_gzip} files are readable by a standard reader: DuckDB's {@code read_json_auto} over the
 * whole directory tree (the JSON extension is built into the DuckDB JDBC driver; nothing is downloaded).
 */
class NdjsonDuckDbTest {
    @TempDir Path dir;
    JdbcStore store;
    Path out;

    @BeforeEach void open() {
        store = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + dir.resolve("kiln.db")));
        out = dir.resolve("currents");
    }

    @AfterEach void close() { store.close(); }

    @Test
    void duckdb_reads_every_exported_event_once_with_its_fields_and_partitions() throws SQLException {
        Map<String, Map<String, Object>> expected = new HashMap<>();
        append(store, AvroFilesTest.events(expected));
        CurrentsConnector connector = new CurrentsConnector("w", List.of("users.*"),
                new CurrentsConnector.Files(out.toString(), "ndjson_gzip", 1, 7));
        try (Currents c = Currents.start(store, List.of(connector), new SimpleMeterRegistry(), CurrentsExporterTest.FAST)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> c.prunableThroughSeq() == AvroFilesTest.N);
        }
        assertThat(files(out)).hasSizeGreaterThan(6).allSatisfy(p -> assertThat(p.toString()).endsWith(".json.gz"));
        String glob = out.toAbsolutePath().toString().replace('\\', '/').replace("'", "''") + "/**/*.json.gz";

        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("SET autoinstall_known_extensions = false");
            st.execute("SET autoload_known_extensions = false");
            try (ResultSet r = st.executeQuery("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'json'")) {
                boolean loaded = r.next() && r.getBoolean(1);
                if (!loaded) System.out.println("NdjsonDuckDbTest skipped: the DuckDB JDBC driver has no json extension built in, "
                        + "and this test does not download one");
                Assumptions.assumeTrue(loaded, "the DuckDB JDBC driver has no json extension built in (not downloaded offline)");
            }

            try (ResultSet r = st.executeQuery("SELECT count(DISTINCT id), count(*) FROM read_json_auto('" + glob + "')")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getLong(1)).isEqualTo(AvroFilesTest.N);
                assertThat(r.getLong(2)).isEqualTo(AvroFilesTest.N);
            }

            // the event_type=/date= directories are read as Hive partitions
            Map<String, Long> perType = new TreeMap<>();
            try (ResultSet r = st.executeQuery("SELECT event_type, count(*) FROM read_json_auto('" + glob + "', union_by_name = true, "
                    + "hive_partitioning = true) GROUP BY event_type")) {
                while (r.next()) perType.put(r.getString(1), r.getLong(2));
            }
            Map<String, Long> wantPerType = new TreeMap<>();
            expected.values().forEach(w -> wantPerType.merge((String) w.get("event_type"), 1L, Long::sum));
            assertThat(perType).isEqualTo(wantPerType);

            try (ResultSet r = st.executeQuery("SELECT id, time, external_user_id, price, quantity FROM read_json_auto('" + glob
                    + "', union_by_name = true) WHERE product_id IS NOT NULL ORDER BY id")) {
                int n = 0;
                while (r.next()) {
                    n++;
                    Map<String, Object> want = expected.get(r.getString("id"));
                    assertThat(want).as(r.getString("id")).isNotNull();
                    assertThat(r.getLong("time")).isEqualTo(want.get("time"));
                    assertThat(r.getString("external_user_id")).isEqualTo(want.get("external_user_id"));
                    assertThat(r.getDouble("price")).isEqualTo(want.get("price"));
                    assertThat(r.getLong("quantity")).isEqualTo(want.get("quantity"));
                }
                assertThat(n).isEqualTo(AvroFilesTest.N / 6);
            }
        }
    }
}
