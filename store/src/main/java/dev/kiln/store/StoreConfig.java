package dev.kiln.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How to open a {@link JdbcStore}. Build with {@link #of(String)} and the {@code with…} methods; every
 * setting is validated here, with a message naming it.
 *
 * @param jdbcUrl           {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://HOST:PORT/DB[?currentSchema=…]}
 * @param user              database user (PostgreSQL); null for none
 * @param password          database password (PostgreSQL); null for none; never logged
 * @param readPoolSize      connections used for reads
 * @param sqliteSynchronous SQLite {@code PRAGMA synchronous} of the writer: FULL survives power loss,
 *                          NORMAL only process crashes (in WAL mode); ignored for PostgreSQL
 * @param busyTimeout       how long SQLite waits for another process holding the write lock
 * @param connectionTimeout how long a caller waits for a pooled connection (and PostgreSQL for a connect)
 * @param fetchSize         rows fetched per round trip when scanning all profiles
 */
public record StoreConfig(String jdbcUrl, String user, String password, int readPoolSize,
                          SqliteSynchronous sqliteSynchronous, Duration busyTimeout, Duration connectionTimeout,
                          int fetchSize) {

    public enum SqliteSynchronous { FULL, NORMAL }

    public static final int DEFAULT_READ_POOL_SIZE = 4;
    public static final int MAX_READ_POOL_SIZE = 64;
    public static final SqliteSynchronous DEFAULT_SQLITE_SYNCHRONOUS = SqliteSynchronous.FULL;
    /** Long enough for a CLI command to write while {@code kiln serve} commits batches. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_FETCH_SIZE = 500;

    public StoreConfig {
        if (jdbcUrl == null || jdbcUrl.isBlank()) throw new IllegalArgumentException("jdbcUrl is required");
        Dialect dialect = Dialect.of(jdbcUrl);
        if (dialect == Dialect.SQLITE && SqliteDialect.isInMemory(jdbcUrl))
            throw new IllegalArgumentException("jdbcUrl: in-memory SQLite is not supported, the writer and the"
                    + " readers must share one file: " + jdbcUrl);
        if (readPoolSize < 1 || readPoolSize > MAX_READ_POOL_SIZE)
            throw new IllegalArgumentException("readPoolSize must be between 1 and " + MAX_READ_POOL_SIZE + ": " + readPoolSize);
        Objects.requireNonNull(sqliteSynchronous, "sqliteSynchronous must be FULL or NORMAL");
        requireMillis("busyTimeout", busyTimeout, Duration.ZERO);
        requireMillis("connectionTimeout", connectionTimeout, Duration.ofMillis(250));
        if (fetchSize < 1) throw new IllegalArgumentException("fetchSize must be at least 1: " + fetchSize);
    }

    private static void requireMillis(String name, Duration d, Duration min) {
        if (d == null) throw new IllegalArgumentException(name + " is required");
        if (d.compareTo(min) < 0 || d.toMillis() > Integer.MAX_VALUE)
            throw new IllegalArgumentException(name + " must be between " + min.toMillis() + " ms and "
                    + Integer.MAX_VALUE + " ms: " + d);
    }

    /** Defaults for everything but the URL. */
    public static StoreConfig of(String jdbcUrl) {
        return new StoreConfig(jdbcUrl, null, null, DEFAULT_READ_POOL_SIZE, DEFAULT_SQLITE_SYNCHRONOUS,
                DEFAULT_BUSY_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_FETCH_SIZE);
    }

    public StoreConfig withCredentials(String user, String password) {
        return new StoreConfig(jdbcUrl, user, password, readPoolSize, sqliteSynchronous, busyTimeout, connectionTimeout, fetchSize);
    }

    public StoreConfig withReadPoolSize(int n) {
        return new StoreConfig(jdbcUrl, user, password, n, sqliteSynchronous, busyTimeout, connectionTimeout, fetchSize);
    }

    public StoreConfig withSqliteSynchronous(SqliteSynchronous s) {
        return new StoreConfig(jdbcUrl, user, password, readPoolSize, s, busyTimeout, connectionTimeout, fetchSize);
    }

    public StoreConfig withBusyTimeout(Duration d) {
        return new StoreConfig(jdbcUrl, user, password, readPoolSize, sqliteSynchronous, d, connectionTimeout, fetchSize);
    }

    public StoreConfig withConnectionTimeout(Duration d) {
        return new StoreConfig(jdbcUrl, user, password, readPoolSize, sqliteSynchronous, busyTimeout, d, fetchSize);
    }

    public StoreConfig withFetchSize(int n) {
        return new StoreConfig(jdbcUrl, user, password, readPoolSize, sqliteSynchronous, busyTimeout, connectionTimeout, n);
    }

    public Dialect dialect() { return Dialect.of(jdbcUrl); }

    /** The URL with any {@code password=} parameter masked, for logs and messages. */
    public String safeUrl() { return jdbcUrl.replaceAll("(?i)password=[^&;]*", "password=***"); }

    /** Never shows the password. */
    @Override public String toString() {
        Dialect d = dialect();
        return "StoreConfig[dialect=" + d + ", url=" + safeUrl()
                + (user == null ? "" : ", user=" + user)
                + (password == null ? "" : ", password=***")
                + ", readPoolSize=" + readPoolSize
                + (d == Dialect.SQLITE ? ", sqliteSynchronous=" + sqliteSynchronous + ", busyTimeout=" + busyTimeout.toMillis() + "ms" : "")
                + ", connectionTimeout=" + connectionTimeout.toMillis() + "ms, fetchSize=" + fetchSize + "]";
    }
}
