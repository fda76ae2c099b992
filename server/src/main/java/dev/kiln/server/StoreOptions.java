package dev.kiln.server;

import dev.kiln.store.JdbcStore;
import dev.kiln.store.Store;
import dev.kiln.store.StoreConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the data lives: shared by every command that opens the store. */
final class StoreOptions {
    @Option(names = "--data", defaultValue = "${env:KILN_DATA:-kiln-data}",
            description = "Data directory (embedded store lives here). Env KILN_DATA. Default: ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--database", defaultValue = "${env:KILN_DATABASE_URL}",
            description = "JDBC URL of the store, e.g. jdbc:postgresql://host/db?user=u. Env KILN_DATABASE_URL. "
                    + "Absent: SQLite file kiln.db under the data directory.")
    String database;

    String jdbcUrl() {
        if (database != null && !database.isBlank()) return database;
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + data, e);
        }
        return "jdbc:sqlite:" + data.resolve("kiln.db").toAbsolutePath();
    }

    /** The store as the server opens it (with the write-behind journal on SQLite): for commands that write profiles. */
    Store open() {
        return dev.kiln.store.Stores.open(StoreConfig.of(jdbcUrl()));
    }

    /** The tables alone, for commands that touch only API keys (safe beside a running server). */
    Store openTables() {
        return JdbcStore.open(StoreConfig.of(jdbcUrl()));
    }
}
