package dev.kiln.store;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database from before the event log moved into pages (schema V4, rows in {@code event_log}, some of them pruned)
 * opened by this build: the old rows read first, new rows get seqs above every seq the old table handed out (pruned
 * ones included), reads and prunes cross from the old rows into the pages.
 */
class EventPagesUpgradeTest {

    @TempDir Path dir;

    @Test
    void sqlite_database_of_schema_4_upgrades() throws SQLException {
        upgrade(TestDatabases.sqlite(dir));
    }

    @Test
    void postgresql_database_of_schema_4_upgrades() throws SQLException {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
            upgrade(schema.config());
        }
    }

    private static void upgrade(StoreConfig config) throws SQLException {
        SqlDialect dialect = SqlDialect.of(config);
        Flyway.configure(JdbcStore.class.getClassLoader()).dataSource(dialect.migrationDataSource())
                .locations(dialect.dialect().migrationLocation()).target("4").load().migrate();
        try (Connection c = dialect.migrationDataSource().getConnection(); Statement s = c.createStatement()) {
            for (int i = 1; i <= 5; i++) {
                s.execute("INSERT INTO event_log (id, user_id, external_id, type, time, data, recorded_at) VALUES ('old" + i
                        + "', 'u1', NULL, 'users.behaviors.CustomEvent', 90, '{\"n\":" + i + "}', 100)");
            }
            s.execute("DELETE FROM event_log WHERE seq > 3"); // pruned, or Currents never read them: seqs 4 and 5 are gone
        }

        try (JdbcStore store = JdbcStore.open(config)) {
            assertThat(store.readEventLog(0, 10)).extracting(EventLogRow::id).containsExactly("old1", "old2", "old3");
            assertThat(store.lastEventSeq()).isEqualTo(3);

            store.commit(StoreContractTest.events(List.of(StoreContractTest.event("new1", "u1", 100),
                    StoreContractTest.event("new2", "u2", 300))));

            List<EventLogRow> all = store.readEventLog(0, 10);
            assertThat(all).extracting(EventLogRow::id).containsExactly("old1", "old2", "old3", "new1", "new2");
            assertThat(all).extracting(EventLogRow::seq).containsExactly(1L, 2L, 3L, 6L, 7L);
            assertThat(store.readEventLog(2, 2)).extracting(EventLogRow::id).containsExactly("old3", "new1");
            assertThat(store.lastEventSeq()).isEqualTo(7);

            // Through seq 6, before 200: the three old rows and new1; new2 (recorded at 300) stays.
            assertThat(store.pruneEventLog(200, 6)).isEqualTo(4);
            assertThat(store.readEventLog(0, 10)).extracting(EventLogRow::id).containsExactly("new2");
        }
    }

    @Test
    void a_new_database_starts_at_seq_one_and_writes_pages_only() throws SQLException {
        StoreConfig config = TestDatabases.sqlite(dir);
        try (JdbcStore store = JdbcStore.open(config)) {
            store.commit(StoreContractTest.events(List.of(StoreContractTest.event("a", "u1", 100))));
            assertThat(store.readEventLog(0, 10)).extracting(EventLogRow::seq).containsExactly(1L);
        }
        try (Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl()); Statement s = c.createStatement();
             var old = s.executeQuery("SELECT (SELECT count(*) FROM event_log), (SELECT count(*) FROM event_pages)")) {
            old.next();
            assertThat(old.getLong(1)).as("rows in the old table").isZero();
            assertThat(old.getLong(2)).as("pages").isEqualTo(1);
        }
    }
}
