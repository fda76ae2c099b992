package dev.kiln.server.jdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link JdbcSources} with a real driver jar built at test time ({@link TestDriverJar}): a driver that is on no
 * classpath is found in the drivers directory through {@code META-INF/services/java.sql.Driver} and connects;
 * without it, the error names the drivers directory and the drivers loaded.
 */
class JdbcSourcesTest {
    @TempDir Path dir;

    /** A SQLite file with one table of two rows, opened by the classpath SQLite driver. */
    private Path warehouse() throws SQLException {
        Path db = dir.resolve("warehouse.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE leads (name TEXT)");
            st.execute("INSERT INTO leads VALUES ('ada'), ('grace')");
        }
        return db;
    }

    @Test
    void a_driver_jar_in_the_drivers_directory_is_found_and_connects() throws Exception {
        Path db = warehouse();
        Path drivers = dir.resolve("drivers");
        TestDriverJar.build(drivers);
        TestDriverJar.broken(drivers); // a jar that cannot be loaded does not hide the others
        String url = "jdbc:kilntest:" + db;
        assertThatThrownBy(() -> Class.forName(TestDriverJar.CLASS)).as("the driver is on no classpath").isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(url)).as("DriverManager alone cannot see it").isInstanceOf(SQLException.class);

        int before = TestDriverJar.connects();
        try (Connection c = JdbcSources.connect(url, new Properties(), drivers);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM leads")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        assertThat(TestDriverJar.connects()).isEqualTo(before + 1);
        // Classpath drivers are still used for their URLs (the SQLite file is opened by org.sqlite.JDBC).
        try (Connection c = JdbcSources.connect("jdbc:sqlite:" + db, new Properties(), drivers)) {
            assertThat(c.getMetaData().getDriverName()).containsIgnoringCase("sqlite");
        }
        assertThat(TestDriverJar.connects()).isEqualTo(before + 1);
    }

    @Test
    void a_url_no_driver_accepts_names_the_drivers_loaded_and_the_drivers_directory() throws Exception {
        Path db = warehouse();
        Path missing = dir.resolve("no-drivers-here");
        assertThatThrownBy(() -> JdbcSources.connect("jdbc:kilntest:" + db, new Properties(), missing))
                .isInstanceOf(SQLException.class)
                .hasMessageStartingWith("no JDBC driver accepts jdbc:kilntest: URLs")
                .hasMessageContaining("org.sqlite.JDBC").hasMessageContaining("org.postgresql.Driver").hasMessageContaining("org.duckdb.DuckDBDriver")
                .hasMessageContaining("drivers directory " + missing.toAbsolutePath() + " (does not exist)")
                .hasMessageContaining("--drivers DIR, env KILN_DRIVERS")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"))
                .message().doesNotContain(db.toString()); // only the scheme: URLs may say more than a message should

        Path drivers = dir.resolve("drivers");
        TestDriverJar.build(drivers);
        TestDriverJar.broken(drivers);
        assertThatThrownBy(() -> JdbcSources.connect("jdbc:snowflake://acme.snowflakecomputing.com/?db=x", new Properties(), drivers))
                .isInstanceOf(SQLException.class)
                .hasMessageStartingWith("no JDBC driver accepts jdbc:snowflake: URLs")
                .hasMessageContaining("drivers directory " + drivers.toAbsolutePath() + " (2 jars): " + TestDriverJar.CLASS)
                .hasMessageContaining("a driver could not be loaded").hasMessageContaining("nope.MissingDriver")
                .message().doesNotContain("acme");
    }

    @Test
    void the_process_drivers_directory_is_used_by_the_two_argument_connect() throws Exception {
        Path db = warehouse();
        Path drivers = dir.resolve("drivers");
        TestDriverJar.build(drivers);
        Path before = JdbcSources.driversDirectory();
        try {
            JdbcSources.driversDirectory(drivers);
            try (Connection c = JdbcSources.connect("jdbc:kilntest:" + db, new Properties())) {
                assertThat(c.isValid(5)).isTrue();
            }
            JdbcSources.driversDirectory(dir.resolve("elsewhere"));
            assertThatThrownBy(() -> JdbcSources.connect("jdbc:kilntest:" + db, new Properties()))
                    .hasMessageContaining("drivers directory " + dir.resolve("elsewhere").toAbsolutePath());
        } finally {
            JdbcSources.driversDirectory(before);
        }
    }
}
