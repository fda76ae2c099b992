package dev.kiln.server.jdbc;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Builds, at test time, a jar holding a JDBC driver that is on no classpath: {@code kilntest.KilnTestDriver}
 * accepts {@code jdbc:kilntest:FILE} URLs and opens the SQLite file FILE through the SQLite driver (found by
 * reflection on the system class loader, since the jar's loader does not see Kiln's classpath). It counts its
 * connections in the system property {@value #CONNECTS}, so a test can tell that a connection went through it.
 */
public final class TestDriverJar {
    private TestDriverJar() {}

    public static final String CLASS = "kilntest.KilnTestDriver";
    public static final String CONNECTS = "kilntest.connects";

    private static final String SOURCE = """
            package kilntest;

            import java.sql.Connection;
            import java.sql.Driver;
            import java.sql.DriverPropertyInfo;
            import java.sql.SQLException;
            import java.sql.SQLFeatureNotSupportedException;
            import java.util.Properties;
            import java.util.logging.Logger;

            public final class KilnTestDriver implements Driver {
                private static final String PREFIX = "jdbc:kilntest:";
                private final Driver sqlite;

                public KilnTestDriver() {
                    try {
                        sqlite = (Driver) Class.forName("org.sqlite.JDBC", true, ClassLoader.getSystemClassLoader())
                                .getDeclaredConstructor().newInstance();
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override public boolean acceptsURL(String url) { return url != null && url.startsWith(PREFIX); }

                @Override public Connection connect(String url, Properties info) throws SQLException {
                    if (!acceptsURL(url)) return null;
                    synchronized (KilnTestDriver.class) {
                        System.setProperty("kilntest.connects", Integer.toString(Integer.getInteger("kilntest.connects", 0) + 1));
                    }
                    return sqlite.connect("jdbc:sqlite:" + url.substring(PREFIX.length()), info);
                }

                @Override public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) { return new DriverPropertyInfo[0]; }
                @Override public int getMajorVersion() { return 1; }
                @Override public int getMinorVersion() { return 0; }
                @Override public boolean jdbcCompliant() { return false; }
                @Override public Logger getParentLogger() throws SQLFeatureNotSupportedException { throw new SQLFeatureNotSupportedException(); }
            }
            """;

    /** Compiles the driver and writes {@code dir/kilntest-driver.jar} with its {@code META-INF/services/java.sql.Driver}. */
    public static Path build(Path dir) throws IOException {
        Path work = Files.createTempDirectory("kilntest-driver-src");
        Path src = Files.createDirectories(work.resolve("src/kilntest")).resolve("KilnTestDriver.java");
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("no Java compiler: the tests need a JDK, not a JRE");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, "--release", "21", "-d", classes.toString(), src.toString());
        if (rc != 0) throw new IllegalStateException("the test driver does not compile: " + errors.toString(StandardCharsets.UTF_8));
        Files.createDirectories(dir);
        Path jar = dir.resolve("kilntest-driver.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("kilntest/KilnTestDriver.class"));
            Files.copy(classes.resolve("kilntest/KilnTestDriver.class"), out);
            out.closeEntry();
            entry(out, "META-INF/services/java.sql.Driver", CLASS + "\n");
        }
        return jar;
    }

    /** A jar that names a driver class it does not hold (as a jar missing its dependencies would fail). */
    public static Path broken(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve("broken-driver.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "META-INF/services/java.sql.Driver", "nope.MissingDriver\n");
        }
        return jar;
    }

    private static void entry(JarOutputStream out, String name, String text) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    /** How many connections the test driver has opened in this JVM. */
    public static int connects() { return Integer.getInteger(CONNECTS, 0); }
}
