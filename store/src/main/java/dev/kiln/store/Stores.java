package dev.kiln.store;

import java.nio.file.Path;

/** Opens the store a server or a command that writes profiles uses. */
public final class Stores {
    private Stores() {}

    /**
     * Whether SQLite stores get the write-behind journal ({@link JournaledStore}); on unless the system property
     * {@code kiln.store.writeBehind} or the environment variable {@code KILN_WRITE_BEHIND} says {@code false}.
     */
    public static boolean writeBehind() {
        String v = System.getProperty("kiln.store.writeBehind", System.getenv("KILN_WRITE_BEHIND"));
        return v == null || !v.trim().equalsIgnoreCase("false");
    }

    /**
     * A SQLite file with the write-behind journal (unless {@link #writeBehind()} is off), a plain
     * {@link JdbcStore} otherwise (PostgreSQL has its own write-ahead log and group commit).
     */
    public static Store open(StoreConfig config) {
        JdbcStore store = JdbcStore.open(config);
        String path = config.dialect() == Dialect.SQLITE ? SqliteDialect.path(config.jdbcUrl()) : null;
        if (path == null || path.startsWith("file:") || !writeBehind()) return store;
        return JournaledStore.open(store, Path.of(path).toAbsolutePath(), config);
    }
}
