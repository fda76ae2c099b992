package dev.kiln.store;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database from before the ledger's recent tier (schema V5, rows in {@code attribute_ledger}, the newest pruned)
 * opened by this build: new rows get seqs above every seq the old table handed out (pruned ones included), a history
 * reads across both tiers, and a merge moves the new rows beside the old ones.
 */
class LedgerTiersUpgradeTest {

    @TempDir Path dir;

    @Test
    void sqlite_database_of_schema_5_upgrades() throws SQLException {
        upgrade(TestDatabases.sqlite(dir));
    }

    @Test
    void postgresql_database_of_schema_5_upgrades() throws SQLException {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
            upgrade(schema.config());
        }
    }

    private static void upgrade(StoreConfig config) throws SQLException {
        SqlDialect dialect = SqlDialect.of(config);
        Flyway.configure(JdbcStore.class.getClassLoader()).dataSource(dialect.migrationDataSource())
                .locations(dialect.dialect().migrationLocation()).target("5").load().migrate();
        try (Connection c = dialect.migrationDataSource().getConnection(); Statement s = c.createStatement()) {
            for (int i = 1; i <= 4; i++) {
                s.execute("INSERT INTO attribute_ledger (user_id, name, time, old_value, new_value, delta, source) VALUES ('u1',"
                        + " 'lead score', " + i + ", " + (i - 1) + ", " + i + ", 1, 'old" + i + "')");
            }
            s.execute("DELETE FROM attribute_ledger WHERE seq = 4"); // pruned: seq 4 is gone, and never handed out again
        }

        try (JdbcStore store = JdbcStore.open(config)) {
            store.ledgerMergeRows(2);
            store.commit(ledger(new LedgerRow(0, "u1", "lead score", 10, 3.0, 4.0, 1.0, "new1")));
            List<LedgerRow> history = store.ledger("u1", "lead score", Long.MAX_VALUE, 10);
            assertThat(history).extracting(LedgerRow::source).containsExactly("new1", "old3", "old2", "old1");
            assertThat(history.getFirst().seq()).isEqualTo(5);
            assertThat(store.ledger("u1", "lead score", 5, 2)).extracting(LedgerRow::source).containsExactly("old3", "old2");

            store.commit(ledger(new LedgerRow(0, "u1", "lead score", 11, 4.0, 5.0, 1.0, "new2"))); // the second: merged
            try (Connection c = dialect.migrationDataSource().getConnection(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT (SELECT count(*) FROM attribute_ledger), (SELECT count(*) FROM attribute_ledger_recent)")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows in the indexed table").isEqualTo(5);
                assertThat(rs.getLong(2)).as("rows in the recent tier").isZero();
            }
            assertThat(store.ledger("u1", "lead score", Long.MAX_VALUE, 10)).extracting(LedgerRow::seq).containsExactly(6L, 5L, 3L, 2L, 1L);
            store.commit(ledger(new LedgerRow(0, "u1", "lead score", 12, 5.0, 6.0, 1.0, "new3")));
            assertThat(store.ledger("u1", "lead score", Long.MAX_VALUE, 1)).extracting(LedgerRow::seq).containsExactly(7L);
        }
    }

    private static CommitBatch ledger(LedgerRow row) {
        return new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), List.of(), List.of(), List.of(), List.of(row), List.of());
    }
}
