package dev.kiln.store;

import com.zaxxer.hikari.HikariConfig;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Everything {@link JdbcStore} does differently per database: how connections are opened and how a write
 * transaction starts and ends. The SQL itself is shared.
 */
interface SqlDialect {

    Dialect dialect();

    /** For Flyway, which opens and closes its own connections. */
    DataSource migrationDataSource();

    /** The one connection commits use, ready for {@link #begin}. */
    Connection openWriter() throws SQLException;

    /** Starts a write transaction; returns with the transaction holding the database's write lock. */
    void begin(Connection writer) throws SQLException;

    void commit(Connection writer) throws SQLException;

    void rollback(Connection writer) throws SQLException;

    /** The read pool's settings. */
    HikariConfig readPool();

    /** Whether a result set streams by fetch size only inside a transaction (PostgreSQL cursors). */
    boolean streamsOnlyInTransaction();

    static SqlDialect of(StoreConfig config) {
        return switch (config.dialect()) {
            case SQLITE -> new SqliteDialect(config);
            case POSTGRESQL -> new PostgresDialect(config);
        };
    }
}
