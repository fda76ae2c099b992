package dev.kiln.server.jdbc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Opens connections to outside databases (CDI sources, Currents jdbc sinks). Drivers on the classpath
 * (PostgreSQL, SQLite, DuckDB) are found by {@link DriverManager}; others are loaded from the jar files in
 * the drivers directory (see {@code docs/cdi.md}, "Other databases").
 *
 * <p>The jars of a drivers directory are loaded once, at the first connection that needs them, into one
 * {@link URLClassLoader} whose parent is the platform class loader, so a driver's own libraries never clash with
 * Kiln's. {@code java.sql.Driver} implementations are found with {@link ServiceLoader} on that loader and are
 * called directly (never registered with {@link DriverManager}, which refuses drivers from foreign class loaders).
 * A missing directory is not an error: it is looked at again by the next connection.
 */
public final class JdbcSources {
    private static final Logger log = LoggerFactory.getLogger(JdbcSources.class);

    /** {@code KILN_DRIVERS}'s default. */
    public static final Path DEFAULT_DRIVERS = Path.of("drivers");

    private static volatile Path driversDirectory = DEFAULT_DRIVERS;
    private static final ConcurrentHashMap<Path, DriverDirectory> LOADED = new ConcurrentHashMap<>();

    private JdbcSources() {}

    /** The process's drivers directory ({@code --drivers}, {@code KILN_DRIVERS}); set by the CLI before it starts anything. */
    public static void driversDirectory(Path dir) {
        driversDirectory = dir == null ? DEFAULT_DRIVERS : dir;
    }

    public static Path driversDirectory() { return driversDirectory; }

    /**
     * A connection to {@code url} with these properties ({@code user}, {@code password}, …), through a
     * classpath driver or one from the process's drivers directory.
     *
     * @throws SQLException as the driver reports it; a URL no driver accepts names the drivers loaded and the
     *                      drivers directory
     */
    public static Connection connect(String url, Properties props) throws SQLException {
        return connect(url, props, driversDirectory);
    }

    /** {@link #connect(String, Properties)} with drivers from {@code drivers} besides the classpath. */
    public static Connection connect(String url, Properties props, Path drivers) throws SQLException {
        if (classpathDriver(url) != null) return DriverManager.getConnection(url, props);
        DriverDirectory dir = directory(drivers);
        for (Driver d : dir.drivers) {
            if (!accepts(d, url)) continue;
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(dir.loader); // drivers that look up their own resources through the context loader
            try {
                Connection c = d.connect(url, props);
                if (c != null) return c;
            } finally {
                t.setContextClassLoader(before);
            }
        }
        throw new SQLException(noDriver(url, dir), "08001");
    }

    private static Driver classpathDriver(String url) {
        try {
            return DriverManager.getDriver(url);
        } catch (SQLException e) {
            return null; // "No suitable driver": look in the drivers directory
        }
    }

    private static List<String> classpathDrivers() {
        return DriverManager.drivers().map(d -> d.getClass().getName()).sorted().toList();
    }

    private static boolean accepts(Driver d, String url) {
        try {
            return d.acceptsURL(url);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Only the scheme: a URL may carry a host, a database name or (in Currents sinks) more than we want in a message. */
    private static String scheme(String url) {
        if (url == null) return "null";
        int first = url.indexOf(':');
        int second = first < 0 ? -1 : url.indexOf(':', first + 1);
        return second < 0 ? "\"" + (url.length() > 20 ? url.substring(0, 20) + "…" : url) + "\"" : url.substring(0, second + 1);
    }

    private static String noDriver(String url, DriverDirectory dir) {
        StringBuilder sb = new StringBuilder("no JDBC driver accepts ").append(scheme(url)).append(" URLs. Drivers on the classpath: ")
                .append(String.join(", ", classpathDrivers())).append("; drivers directory ").append(dir.path);
        if (!dir.exists) sb.append(" (does not exist)");
        else if (dir.jars.isEmpty()) sb.append(" (no .jar files)");
        else {
            sb.append(" (").append(dir.jars.size()).append(dir.jars.size() == 1 ? " jar" : " jars").append("): ");
            sb.append(dir.drivers.isEmpty() ? "no drivers" : String.join(", ", dir.drivers.stream().map(d -> d.getClass().getName()).toList()));
        }
        for (String p : dir.problems) sb.append("; ").append(p);
        return sb.append(". Put the driver's jar files in the drivers directory (--drivers DIR, env KILN_DRIVERS) and restart Kiln.").toString();
    }

    private static DriverDirectory directory(Path drivers) {
        Path dir = (drivers == null ? DEFAULT_DRIVERS : drivers).toAbsolutePath().normalize();
        DriverDirectory loaded = LOADED.get(dir);
        if (loaded != null) return loaded;
        if (!Files.isDirectory(dir)) return DriverDirectory.missing(dir); // not cached: may be created later
        return LOADED.computeIfAbsent(dir, DriverDirectory::load);
    }

    /** The jars of one directory, their class loader and the drivers found in them. */
    private record DriverDirectory(Path path, boolean exists, List<Path> jars, ClassLoader loader, List<Driver> drivers, List<String> problems) {
        static DriverDirectory missing(Path dir) {
            return new DriverDirectory(dir, false, List.of(), null, List.of(), List.of());
        }

        static DriverDirectory load(Path dir) {
            List<String> problems = new ArrayList<>();
            List<Path> jars;
            try (Stream<Path> files = Files.walk(dir)) {
                jars = files.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar") && Files.isRegularFile(p))
                        .sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                problems.add("cannot list " + dir + ": " + e.getMessage());
                return new DriverDirectory(dir, true, List.of(), null, List.of(), List.copyOf(problems));
            }
            if (jars.isEmpty()) return new DriverDirectory(dir, true, List.of(), null, List.of(), List.of());
            List<URL> urls = new ArrayList<>();
            for (Path j : jars) {
                try {
                    urls.add(j.toUri().toURL());
                } catch (MalformedURLException e) {
                    problems.add("cannot use " + j + ": " + e.getMessage());
                }
            }
            URLClassLoader loader = new URLClassLoader("kiln-drivers", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            List<Driver> drivers = new ArrayList<>();
            Iterator<Driver> it = ServiceLoader.load(Driver.class, loader).iterator();
            for (int errors = 0; errors < 100; ) { // the iterator recovers from a bad provider on a best-effort basis only
                try {
                    if (!it.hasNext()) break;
                    Driver d = it.next();
                    if (d.getClass().getClassLoader() == loader) drivers.add(d);
                } catch (ServiceConfigurationError | LinkageError e) {
                    errors++;
                    // One broken jar (a missing dependency, a wrong Java version) must not hide the others.
                    problems.add("a driver could not be loaded: " + e.getMessage());
                    log.warn("drivers directory {}: a driver could not be loaded: {}", dir, e.toString());
                }
            }
            log.info("drivers directory {}: {} jar(s), drivers {}", dir, jars.size(), drivers.stream().map(d -> d.getClass().getName()).toList());
            return new DriverDirectory(dir, true, jars, loader, List.copyOf(drivers), List.copyOf(problems));
        }
    }
}
