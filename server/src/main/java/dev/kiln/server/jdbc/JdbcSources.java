package dev.kiln.server.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens connections to outside databases (CDI sources, Currents jdbc sinks). Drivers on the classpath
 * (PostgreSQL, SQLite, DuckDB) are found by {@link DriverManager}; others are loaded from the drivers
 * directory (see {@code docs/cdi.md}, "Other databases").
 */
public final class JdbcSources {
    private JdbcSources() {}

    /**
     * A connection to {@code url} with these properties ({@code user}, {@code password}, …).
     *
     * @throws SQLException as the driver reports it; a URL no driver accepts names the drivers directory
     */
    public static Connection connect(String url, Properties props) throws SQLException {
        return DriverManager.getConnection(url, props);
    }
}
