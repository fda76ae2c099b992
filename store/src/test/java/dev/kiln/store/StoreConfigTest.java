package dev.kiln.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreConfigTest {

    @Test
    void defaults_are_the_named_constants() {
        StoreConfig c = StoreConfig.of("jdbc:sqlite:/tmp/kiln.db");
        assertThat(c.readPoolSize()).isEqualTo(StoreConfig.DEFAULT_READ_POOL_SIZE);
        assertThat(c.sqliteSynchronous()).isEqualTo(StoreConfig.SqliteSynchronous.FULL);
        assertThat(c.busyTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.dialect()).isEqualTo(Dialect.SQLITE);
    }

    @Test
    void invalid_settings_are_refused_with_the_setting_named() {
        StoreConfig c = StoreConfig.of("jdbc:sqlite:/tmp/kiln.db");
        assertThatThrownBy(() -> c.withReadPoolSize(0)).hasMessageContaining("readPoolSize");
        assertThatThrownBy(() -> c.withBusyTimeout(Duration.ofMillis(-1))).hasMessageContaining("busyTimeout");
        assertThatThrownBy(() -> c.withConnectionTimeout(null)).hasMessageContaining("connectionTimeout");
        assertThatThrownBy(() -> c.withFetchSize(0)).hasMessageContaining("fetchSize");
        assertThatThrownBy(() -> c.withSqliteSynchronous(null)).hasMessageContaining("sqliteSynchronous");
        assertThatThrownBy(() -> StoreConfig.of("jdbc:mysql://x/y")).hasMessageContaining("unsupported database URL");
        assertThatThrownBy(() -> StoreConfig.of(" ")).hasMessageContaining("jdbcUrl");
    }

    @Test
    void the_password_never_shows() {
        StoreConfig c = StoreConfig.of("jdbc:postgresql://db/kiln?password=s3cret&ssl=true").withCredentials("kiln", "hunter2");
        assertThat(c.toString()).doesNotContain("s3cret").doesNotContain("hunter2").contains("user=kiln");
    }
}
