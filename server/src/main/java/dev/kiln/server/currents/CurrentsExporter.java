package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * One connector's exporter thread: reads the event log after its cursor, writes matching rows to gzip files
 * ({@code <path>/event_type=<type>/date=<YYYY-MM-DD-HH>/<connector>.<firstSeq>-<lastSeq>.json.gz}), first under
 * a {@code .tmp} name, fsynced and renamed when complete. Every open file is completed together (a roll) when
 * one reaches {@code roll_events} or the oldest is {@code roll_seconds} old; only then is the cursor
 * ({@code currents:<id>}, the last seq read) written. A crash therefore repeats events (at least once), never
 * skips one. A failing sink is retried with backoff from the cursor; ingest never waits for it.
 */
final class CurrentsExporter {
    private static final Logger log = LoggerFactory.getLogger(CurrentsExporter.class);
    static final String META_PREFIX = "currents:";
    static final String TMP = ".tmp";

    private final CurrentsConnector connector;
    private final Store store;
    private final CurrentsConfig config;
    private final Path root;
    private final Counter exported, files, errors;
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile long cursor;
    private volatile String lastError;
    private volatile long lastErrorAt;
    private Thread thread;

    CurrentsExporter(CurrentsConnector connector, Store store, CurrentsConfig config, MeterRegistry registry) {
        this.connector = connector;
        this.store = store;
        this.config = config;
        this.root = Path.of(connector.sink().path()).toAbsolutePath().normalize();
        this.exported = Counter.builder("kiln.currents.exported.events").tag("connector", connector.id())
                .description("Events written to completed Currents files").register(registry);
        this.files = Counter.builder("kiln.currents.files").tag("connector", connector.id())
                .description("Currents files completed").register(registry);
        this.errors = Counter.builder("kiln.currents.errors").tag("connector", connector.id())
                .description("Currents sink failures (each retried)").register(registry);
        Gauge.builder("kiln.currents.lag.events", this, CurrentsExporter::lagOrNaN).tag("connector", connector.id())
                .description("Event log rows not yet exported by this connector (last seq - cursor)").register(registry);
    }

    static String metaKey(String connectorId) { return META_PREFIX + connectorId; }

    CurrentsConnector connector() { return connector; }
    long cursor() { return cursor; }
    String lastError() { return lastError; }
    long lastErrorAt() { return lastErrorAt; }
    long exportedEvents() { return (long) exported.count(); }

    long lag() { return Math.max(0, store.lastEventSeq() - cursor); }

    private double lagOrNaN() {
        try {
            return lag();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Reads the cursor, deletes this connector's incomplete files and starts the thread. */
    CurrentsExporter start() {
        cursor = store.meta(metaKey(connector.id())).map(Long::parseLong).orElse(0L);
        try {
            deleteIncomplete();
        } catch (IOException | UncheckedIOException e) {
            log.warn("Currents {}: cannot delete incomplete files under {}: {}", connector.id(), root, e.toString());
        }
        thread = Thread.ofPlatform().name("kiln-currents-" + connector.id()).daemon().start(this::run);
        log.info("Currents {}: exporting {} to {} from seq {}", connector.id(), connector.events(), root, cursor);
        return this;
    }

    /** Completes the open files, commits the cursor and stops the thread. */
    void stop() {
        stopping = true;
        synchronized (wake) { wake.notifyAll(); }
        if (thread == null) return;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes a waiting exporter (new rows were committed). */
    void wake() {
        synchronized (wake) { wake.notifyAll(); }
    }

    private void deleteIncomplete() throws IOException {
        if (!Files.isDirectory(root)) return;
        String prefix = connector.id() + ".";
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(TMP)) Files.deleteIfExists(p);
            }
        }
    }

    // ---- the loop ----

    private record Key(String type, String hour) {}

    /** A file being written. */
    private final class Part {
        final Key key;
        final Path dir;
        final long firstSeq;
        long lastSeq;
        int count;
        final FileOutputStream fos;
        final GZIPOutputStream gzip;
        final Path tmp;

        Part(Key key, long firstSeq) throws IOException {
            this.key = key;
            this.firstSeq = firstSeq;
            this.dir = root.resolve("event_type=" + key.type()).resolve("date=" + key.hour());
            Files.createDirectories(dir);
            this.tmp = dir.resolve(connector.id() + "." + firstSeq + TMP);
            this.fos = new FileOutputStream(tmp.toFile());
            this.gzip = new GZIPOutputStream(fos, 64 * 1024);
        }

        void write(EventLogRow row) throws IOException {
            gzip.write(CurrentsMapper.line(row));
            lastSeq = row.seq();
            count++;
        }

        /** Finishes, fsyncs and renames; returns the final path. */
        Path complete() throws IOException {
            gzip.finish();
            gzip.flush();
            fos.getFD().sync();
            gzip.close();
            Path done = dir.resolve(connector.id() + "." + firstSeq + "-" + lastSeq + ".json.gz");
            Files.move(tmp, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            return done;
        }

        void discard() {
            try {
                gzip.close();
            } catch (IOException | RuntimeException e) {
                // deleting it is what matters
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                log.warn("Currents {}: cannot delete {}: {}", connector.id(), tmp, e.toString());
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms cannot open a directory; the file itself is synced
        }
    }

    private void run() {
        Map<Key, Part> open = new LinkedHashMap<>();
        long readPos = cursor;
        long openedAt = 0;
        long backoff = 0;
        long rollMillis = connector.sink().rollSeconds() * 1000L;
        int rollEvents = connector.sink().rollEvents();
        while (!stopping) {
            try {
                List<EventLogRow> rows = store.readEventLog(readPos, config.batch());
                for (EventLogRow row : rows) {
                    if (connector.matches(row.type())) {
                        Key key = new Key(row.type(), CurrentsMapper.hour(row));
                        Part p = open.get(key);
                        if (p == null) {
                            if (open.isEmpty()) openedAt = System.currentTimeMillis();
                            p = new Part(key, row.seq());
                            open.put(key, p);
                        }
                        p.write(row);
                        readPos = row.seq();
                        if (p.count >= rollEvents) roll(open, readPos);
                    } else {
                        readPos = row.seq();
                    }
                }
                if (open.isEmpty()) {
                    if (readPos > cursor) commit(readPos);
                } else if (System.currentTimeMillis() - openedAt >= rollMillis) {
                    roll(open, readPos);
                }
                backoff = 0;
                if (rows.size() < config.batch()) {
                    long waitMs = config.poll().toMillis();
                    if (!open.isEmpty()) waitMs = Math.max(1, Math.min(waitMs, openedAt + rollMillis - System.currentTimeMillis()));
                    pause(waitMs);
                }
            } catch (Exception e) {
                fail(e, open);
                readPos = cursor;
                backoff = backoff == 0 ? 1000 : Math.min(backoff * 2, config.retryMax().toMillis());
                pause(backoff);
            }
        }
        try {
            if (!open.isEmpty()) roll(open, readPos);
            else if (readPos > cursor) commit(readPos);
        } catch (Exception e) {
            fail(e, open);
        }
        log.info("Currents {}: stopped at seq {}", connector.id(), cursor);
    }

    private void fail(Exception e, Map<Key, Part> open) {
        errors.increment();
        lastError = e.toString();
        lastErrorAt = System.currentTimeMillis();
        log.warn("Currents {}: sink failed, retrying from seq {}: {}", connector.id(), cursor, e.toString());
        for (Part p : open.values()) p.discard();
        open.clear();
    }

    /** Completes every open file, then commits the cursor {@code through}. */
    private void roll(Map<Key, Part> open, long through) throws IOException {
        List<Part> parts = new ArrayList<>(open.values());
        int events = 0;
        for (Part p : parts) {
            p.complete();
            events += p.count;
        }
        open.clear();
        commit(through);
        exported.increment(events);
        files.increment(parts.size());
    }

    private void commit(long through) {
        store.putMeta(metaKey(connector.id()), Long.toString(through));
        cursor = through;
    }

    private void pause(long ms) {
        if (stopping) return;
        synchronized (wake) {
            try {
                if (!stopping) wake.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }
}
