package dev.kiln.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteStoreTest extends StoreContractTest {

    @TempDir Path dir;

    @Override protected StoreConfig freshDatabase() { return TestDatabases.sqlite(dir); }

    private static String pragma(JdbcStore s, String name) {
        return s.onWriter(w -> {
            PreparedStatement ps = w.statement("PRAGMA " + name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    @Test
    void the_writer_runs_in_wal_mode_with_full_sync_by_default() {
        assertThat(pragma(tables(), "journal_mode")).isEqualToIgnoringCase("wal");
        assertThat(pragma(tables(), "synchronous")).isEqualTo("2"); // FULL
        assertThat(pragma(tables(), "busy_timeout")).isEqualTo("10000");
        assertThat(pragma(tables(), "foreign_keys")).isEqualTo("0");
    }

    @Test
    void checkpoints_run_in_the_background_and_the_writer_checkpoints_only_far_behind() throws Exception {
        assertThat(pragma(tables(), "wal_autocheckpoint")).isEqualTo(Integer.toString(WalCheckpointer.WRITER_AUTOCHECKPOINT_PAGES));
        for (int i = 0; i < 20; i++) store.commit(CommitBatch.of(java.util.List.of(new dev.kiln.engine.UserState("u" + i, i)),
                java.util.Set.of(), java.util.Map.of(), java.util.Set.of(), java.util.List.of()));
        Path wal;
        try (var files = java.nio.file.Files.list(dir)) {
            wal = files.filter(f -> f.toString().endsWith(".db-wal")).findFirst().orElseThrow();
        }
        // A background pass copies the WAL into the database; the next write then starts the WAL over,
        // so its size stops growing with the number of commits.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            long before = java.nio.file.Files.size(wal);
            for (int i = 0; i < 5; i++) store.commit(CommitBatch.of(java.util.List.of(new dev.kiln.engine.UserState("w" + i, i)),
                    java.util.Set.of(), java.util.Map.of(), java.util.Set.of(), java.util.List.of()));
            assertThat(java.nio.file.Files.size(wal)).isLessThanOrEqualTo(before);
        });
    }

    @Test
    void synchronous_normal_can_be_chosen() {
        try (JdbcStore s = JdbcStore.open(TestDatabases.sqlite(dir)
                .withSqliteSynchronous(StoreConfig.SqliteSynchronous.NORMAL).withBusyTimeout(Duration.ofSeconds(3)))) {
            assertThat(pragma(s, "synchronous")).isEqualTo("1");
            assertThat(pragma(s, "busy_timeout")).isEqualTo("3000");
        }
    }

    @Test
    void the_database_file_and_its_directory_are_created() {
        Path file = dir.resolve("nested/data/kiln.db");
        try (JdbcStore s = JdbcStore.open(StoreConfig.of("jdbc:sqlite:" + file))) {
            assertThat(s.countUsers()).isZero();
        }
        assertThat(file).exists();
    }

    @Test
    void read_connections_cannot_write() {
        assertThatThrownBy(() -> tables().read("writing on a reader", c -> {
            try (var st = c.createStatement()) {
                return st.executeUpdate("DELETE FROM users");
            }
        })).isInstanceOf(StoreException.class).hasMessageContaining("readonly");
    }

    @Test
    void in_memory_databases_are_refused_with_the_setting_named() {
        assertThatThrownBy(() -> StoreConfig.of("jdbc:sqlite::memory:"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbcUrl");
    }
}
