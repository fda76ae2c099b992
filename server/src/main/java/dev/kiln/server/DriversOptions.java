package dev.kiln.server;

import dev.kiln.server.jdbc.JdbcSources;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where extra JDBC drivers live (CDI sources, Currents jdbc sinks): shared by the commands that open outside databases. */
final class DriversOptions {
    @Option(names = "--drivers", defaultValue = "${env:KILN_DRIVERS:-drivers}",
            description = "Directory of JDBC driver jar files for CDI sources and Currents jdbc sinks besides the bundled "
                    + "PostgreSQL, SQLite and DuckDB; a missing directory is fine. Env KILN_DRIVERS. Default: ${DEFAULT-VALUE}")
    Path drivers;

    /** Makes the directory the process's drivers directory (see {@link JdbcSources}). */
    void apply() {
        JdbcSources.driversDirectory(drivers);
    }
}
