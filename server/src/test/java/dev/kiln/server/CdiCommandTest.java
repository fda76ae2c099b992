package dev.kiln.server;

import dev.kiln.server.jdbc.JdbcSources;
import dev.kiln.server.jdbc.TestDriverJar;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln cdi sync ID}: one sync without the HTTP server; a second one applies nothing again. */
class CdiCommandTest {
    @Test
    void syncs_once_and_prints_the_result() throws Exception {
        Path dir = Files.createTempDirectory("kiln-cdi-cli");
        Path wh = dir.resolve("warehouse.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + wh); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
            s.execute("INSERT INTO t VALUES ('2024-01-01 00:00:00', 'u1', '{\"n\": {\"inc\": 1}}'), ('2024-01-01 00:00:01', 'u2', '{nope')");
        }
        Path defs = Files.createDirectories(dir.resolve("defs/cdi"));
        Files.writeString(defs.resolve("w.yaml"), "id: w\nname: W\nsource: { jdbc_url: 'jdbc:sqlite:" + wh + "', table: t }\n"
                + "type: users.attributes\nschedule: { manual: true }\n");
        String first = run("cdi", "sync", "w", "--data", dir.resolve("data").toString(), "--definitions", dir.resolve("defs").toString());
        assertThat(first).contains("CDI w job").contains("partial, 2 rows read, 1 applied, 1 skipped")
                .contains("skipped EXTERNAL_ID \"u2\" at UPDATED_AT 2024-01-01 00:00:01: PAYLOAD is not valid JSON");
        String second = run("cdi", "sync", "w", "--data", dir.resolve("data").toString(), "--definitions", dir.resolve("defs").toString());
        assertThat(second).contains("success, 2 rows read, 0 applied, 0 skipped, 2 already synced");
        assertThat(run("cdi", "sync", "nope", "--data", dir.resolve("data").toString(), "--definitions", dir.resolve("defs").toString()))
                .doesNotContain("CDI nope job");
    }

    @Test
    void drivers_picks_the_drivers_directory_of_a_sync() throws Exception {
        Path dir = Files.createTempDirectory("kiln-cdi-cli-drivers");
        Path wh = dir.resolve("warehouse.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + wh); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
            s.execute("INSERT INTO t VALUES ('2024-01-01 00:00:00', 'u1', '{\"name\": \"demo_requested\"}')");
        }
        Path drivers = dir.resolve("drivers");
        TestDriverJar.build(drivers);
        Path defs = Files.createDirectories(dir.resolve("defs/cdi"));
        Files.writeString(defs.resolve("e.yaml"), "id: e\nname: E\nsource: { jdbc_url: 'jdbc:kilntest:" + wh + "', table: t }\n"
                + "type: users.events\nschedule: { manual: true }\n");
        Path before = JdbcSources.driversDirectory();
        try {
            String none = run("cdi", "sync", "e", "--data", dir.resolve("data").toString(), "--definitions", dir.resolve("defs").toString(),
                    "--drivers", dir.resolve("nothing").toString());
            assertThat(none).contains("error, 0 rows read").contains("no JDBC driver accepts jdbc:kilntest: URLs")
                    .contains("drivers directory " + dir.resolve("nothing").toAbsolutePath() + " (does not exist)");
            String ok = run("cdi", "sync", "e", "--data", dir.resolve("data").toString(), "--definitions", dir.resolve("defs").toString(),
                    "--drivers", drivers.toString());
            assertThat(ok).contains("success, 1 rows read, 1 applied, 0 skipped");
        } finally {
            JdbcSources.driversDirectory(before);
        }
    }

    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            Main.run(args);
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }
}
