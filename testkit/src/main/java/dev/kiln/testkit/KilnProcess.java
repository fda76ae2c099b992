package dev.kiln.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A real Kiln server in its own JVM ({@code kiln serve}), for tests that need what only a process has:
 * {@code kill -9}, {@code SIGTERM}, a restart on the same data. The child runs {@code dev.kiln.server.Main}
 * with the current JVM's {@code java} and class path, {@code --port}, {@code --data} and
 * {@code --definitions} (an empty directory under the data directory unless set), and writes its output
 * to {@link #logFile()}. {@link #close()} kills it if it still runs; so does the end of the test JVM.
 *
 * <pre>{@code
 * try (KilnProcess kiln = KilnProcess.builder(tempDir).start()) {
 *     kiln.client().track(body);
 *     kiln.kill9();
 *     kiln.restart();
 * }
 * }</pre>
 */
public final class KilnProcess implements AutoCloseable {
    public static final String MAIN_CLASS = "dev.kiln.server.Main";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx512m");
    /** Variables the server reads; not inherited from the test's environment, so only the builder sets them. */
    private static final Set<String> KILN_ENV = Set.of("KILN_PORT", "KILN_DATA", "KILN_DATABASE_URL", "KILN_DEFINITIONS",
            "KILN_ADMIN_KEY", "KILN_RATE_LIMIT", "KILN_LANES");
    /** Every child still running, killed when the test JVM exits however it exits. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kiln-process-reaper"));
    }

    private final Settings config;
    private final HttpClient health;
    private Process process;
    private int port;
    private int starts;

    /** What a {@link Builder} held at {@link Builder#start()}: later changes to the builder don't leak into restarts. */
    private record Settings(Path dataDir, String adminKey, Path definitions, List<String> args, Map<String, String> env,
                            List<String> jvmArgs, String classPath, Duration startTimeout, Duration stopTimeout) {}

    private KilnProcess(Settings config) {
        this.config = config;
        this.health = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    }

    /** Settings for a server whose data (SQLite file, log) lives in {@code dataDir}. */
    public static Builder builder(Path dataDir) { return new Builder(dataDir); }

    /** Starts a server on {@code dataDir} with a generated admin key and a free port. */
    public static KilnProcess start(Path dataDir) { return builder(dataDir).start(); }

    public String baseUrl() { return "http://127.0.0.1:" + port; }

    public int port() { return port; }

    public Path dataDir() { return config.dataDir(); }

    /** Output of every start of this server, appended, each start introduced by a {@code ==== kiln start} line. */
    public Path logFile() { return config.dataDir().resolve("kiln-process.log"); }

    /** The embedded store's file (when no {@code --database} was given). */
    public Path databaseFile() { return config.dataDir().resolve("kiln.db"); }

    /** The key registered through {@code KILN_ADMIN_KEY}, or null. */
    public String adminKey() { return config.adminKey(); }

    /** A new client of this server with the admin key; the caller closes it. It does not follow restarts on a new port. */
    public KilnClient client() { return KilnClient.of(baseUrl(), config.adminKey()); }

    public long pid() { return requireStarted().pid(); }

    public boolean isAlive() { return process != null && process.isAlive(); }

    /** {@code kill -9}: the process dies at once, with no chance to flush or commit. Returns its exit code. */
    public int kill9() {
        Process p = requireStarted();
        p.destroyForcibly();
        return awaitExit(p, config.stopTimeout(), "SIGKILL");
    }

    /** Sends SIGTERM and waits for the process to exit; returns its exit code (a clean drain exits 0). */
    public int sigterm() {
        sendSigterm();
        return awaitExit();
    }

    /** Sends SIGTERM and returns at once; see {@link #awaitExit()}. */
    public void sendSigterm() {
        requireStarted().destroy(); // SIGTERM on Unix
    }

    /**
     * Waits for the process to exit and returns its exit code. If it is still running after the stop
     * timeout it is killed and this throws with the end of its log.
     */
    public int awaitExit() { return awaitExit(config.stopTimeout()); }

    /** As {@link #awaitExit()}, waiting at most {@code timeout}. */
    public int awaitExit(Duration timeout) { return awaitExit(requireStarted(), timeout, "exit"); }

    /** Starts the server again on the same data directory and port, once the previous process has ended. */
    public KilnProcess restart() { return restart(port); }

    /** Starts the server again on the same data directory and a new free port (see {@link #baseUrl()}). */
    public KilnProcess restartOnNewPort() { return restart(Ports.free()); }

    /** Starts the server again on the same data directory and {@code newPort}. */
    public KilnProcess restart(int newPort) {
        if (isAlive()) throw new IllegalStateException("kiln (pid " + process.pid() + ") is still running: stop it (kill9, sigterm) before restart");
        launch(newPort);
        return this;
    }

    /** The last {@code lines} lines of {@link #logFile()}. */
    public String logTail(int lines) {
        try {
            if (!Files.exists(logFile())) return "(no log file " + logFile() + ")";
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    /** Kills the server if it still runs (a test that wants a drain calls {@link #sigterm()} first). */
    @Override
    public void close() {
        try {
            if (isAlive()) {
                process.destroyForcibly();
                process.waitFor(config.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (process != null) LIVE.remove(process);
            health.close();
        }
    }

    @Override public String toString() {
        return "kiln process " + (process == null ? "(not started)" : "pid " + process.pid() + (process.isAlive() ? " running" : " ended"))
                + " on " + baseUrl() + " data " + config.dataDir();
    }

    // ---- launching ------------------------------------------------------------------------------

    private void launch(int port) {
        this.port = port;
        starts++;
        List<String> command = command(port);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(KILN_ENV::contains);
        if (config.adminKey() != null) env.put("KILN_ADMIN_KEY", config.adminKey());
        env.putAll(config.env());
        long logOffset = logSize();
        appendToLog("==== kiln start #" + starts + " at " + Instant.now() + ", port " + port + ": "
                + String.join(" ", command.subList(command.indexOf(MAIN_CLASS), command.size())) + "\n");
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getFirst(), e);
        }
        LIVE.add(process);
        awaitHealthy(logOffset);
    }

    private List<String> command(int port) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(config.jvmArgs());
        c.add("-cp");
        c.add(config.classPath());
        c.add(MAIN_CLASS);
        c.add("serve");
        c.add("--port");
        c.add(Integer.toString(port));
        c.add("--data");
        c.add(config.dataDir().toAbsolutePath().toString());
        c.add("--definitions");
        c.add(config.definitions().toAbsolutePath().toString());
        c.addAll(config.args());
        return c;
    }

    private void awaitHealthy(long logOffset) {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/health")).timeout(Duration.ofSeconds(2)).GET().build();
        String last = "no answer yet";
        while (true) {
            if (!process.isAlive())
                throw new IllegalStateException("kiln exited with code " + process.exitValue() + " before /health answered 200 ("
                        + last + "); log " + logFile() + " ends with:\n" + logTail(40));
            if (mainThreadDied(logOffset)) {
                // Threads the failed start left behind may keep the JVM up: don't wait for the timeout.
                process.destroyForcibly();
                throw new IllegalStateException("kiln failed to start (its main thread died; the process did not exit by itself, so it was killed)"
                        + "; log " + logFile() + " ends with:\n" + logTail(40));
            }
            try {
                HttpResponse<String> r = health.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = "last answer " + r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = "last attempt: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for kiln to start", e);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("kiln did not answer 200 on " + baseUrl() + "/health within " + config.startTimeout()
                        + " (" + last + "); killed it. Log " + logFile() + " ends with:\n" + logTail(40));
            }
            pause(50);
        }
    }

    /** Whether this start's output so far reports an uncaught exception on the main thread. */
    private boolean mainThreadDied(long logOffset) {
        try (var channel = FileChannel.open(logFile())) {
            long size = channel.size();
            if (size <= logOffset) return false;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - logOffset, 1 << 20));
            channel.read(buf, logOffset);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).contains("Exception in thread \"main\"");
        } catch (IOException e) {
            return false;
        }
    }

    private long logSize() {
        try {
            return Files.exists(logFile()) ? Files.size(logFile()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private int awaitExit(Process p, Duration timeout, String what) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new IllegalStateException("kiln (pid " + p.pid() + ") did not " + what + " within " + timeout
                        + "; killed it. Log " + logFile() + " ends with:\n" + logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kiln to " + what, e);
        }
        LIVE.remove(p);
        return p.exitValue();
    }

    private Process requireStarted() {
        if (process == null) throw new IllegalStateException("kiln was never started");
        return process;
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(logFile(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logFile(), e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kiln", e);
        }
    }

    /**
     * The test JVM's class path. Surefire may launch tests through a manifest-only jar (it sets
     * {@code java.class.path} to the real path, but other launchers may not): then the jar's
     * {@code Class-Path} is the real one.
     */
    static String defaultClassPath() {
        String cp = System.getProperty("java.class.path", "");
        if (cp.contains(File.pathSeparator) || !cp.endsWith(".jar")) return cp;
        try (JarFile jar = new JarFile(cp)) {
            Manifest m = jar.getManifest();
            String entries = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (entries == null || entries.isBlank()) return cp;
            List<String> paths = new ArrayList<>(List.of(cp));
            URI base = Path.of(cp).toAbsolutePath().getParent().toUri();
            for (String e : entries.trim().split("\\s+")) paths.add(Path.of(base.resolve(e)).toString());
            return String.join(File.pathSeparator, paths);
        } catch (IOException | RuntimeException e) {
            return cp;
        }
    }

    /** Settings of a {@link KilnProcess}; {@link #start()} launches it. */
    public static final class Builder {
        private final Path dataDir;
        private String adminKey = "kiln-test-" + UUID.randomUUID();
        private Integer port;
        private Path definitions;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private List<String> jvmArgs = DEFAULT_JVM_ARGS;
        private String classPath = defaultClassPath();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;

        private Builder(Path dataDir) { this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath(); }

        /** The {@code KILN_ADMIN_KEY}; a random one by default, null for none. */
        public Builder adminKey(String key) { this.adminKey = key; return this; }

        /** The HTTP port; a free one by default. */
        public Builder port(int port) { this.port = port; return this; }

        /** The definitions directory; an empty {@code definitions} directory in the data directory by default. */
        public Builder definitions(Path dir) { this.definitions = dir; return this; }

        /** More {@code serve} arguments, such as {@code --rate-limit 100000/1s} (not --port, --data, --definitions). */
        public Builder args(String... more) { args.addAll(List.of(more)); return this; }

        /** An environment variable for the server (such as {@code KILN_DATABASE_URL}). */
        public Builder env(String name, String value) { env.put(name, value); return this; }

        /** JVM options of the server, replacing {@link #DEFAULT_JVM_ARGS}. */
        public Builder jvmArgs(String... options) { this.jvmArgs = List.of(options); return this; }

        /** The server's class path; the test JVM's by default (it holds the server and its dependencies). */
        public Builder classPath(String classPath) { this.classPath = classPath; return this; }

        /** How long to wait for {@code GET /health} to answer 200. */
        public Builder startTimeout(Duration d) { this.startTimeout = positive(d, "startTimeout"); return this; }

        /** How long to wait for the process to exit after a signal. */
        public Builder stopTimeout(Duration d) { this.stopTimeout = positive(d, "stopTimeout"); return this; }

        /** Launches the server and waits until it is healthy; throws with the end of its log if it is not. */
        public KilnProcess start() {
            if (classPath == null || classPath.isBlank()) throw new IllegalStateException("no class path to start kiln with");
            try {
                Files.createDirectories(dataDir);
                if (definitions == null) definitions = Files.createDirectories(dataDir.resolve("definitions"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dataDir, e);
            }
            KilnProcess p = new KilnProcess(new Settings(dataDir, adminKey, definitions, List.copyOf(args), Map.copyOf(env),
                    List.copyOf(jvmArgs), classPath, startTimeout, stopTimeout));
            try {
                p.launch(port != null ? port : Ports.free());
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
            return p;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, was " + d);
            return d;
        }
    }
}
