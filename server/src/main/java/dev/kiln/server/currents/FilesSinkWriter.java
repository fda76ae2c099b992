package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import io.micrometer.core.instrument.Counter;
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

/**
 * The {@code files} sink: rows go to files under
 * {@code <path>/event_type=<type>/date=<YYYY-MM-DD-HH>/<connector>.<firstSeq>-<lastSeq>.json.gz} (format
 * {@code ndjson_gzip}) or {@code ….avro} (format {@code avro}), encoded by a {@link PartEncoder}, first under a
 * {@code .tmp} name. {@link #confirm} (a roll) completes every open file together: finishes, fsyncs, renames
 * and syncs the directory. The writer is full when one file reaches {@code roll_events}; rows must be confirmed
 * {@code roll_seconds} after the first was written. Incomplete files of this connector left by a crash are
 * deleted when the writer is created.
 */
final class FilesSinkWriter implements SinkWriter {
    private static final Logger log = LoggerFactory.getLogger(FilesSinkWriter.class);
    static final String TMP = ".tmp";

    private final String connectorId;
    private final CurrentsConnector.Files sink;
    private final Path root;
    private final Counter files;
    private final Map<Key, Part> open = new LinkedHashMap<>();
    private long openedAt;
    private int pending;
    private boolean full;

    FilesSinkWriter(String connectorId, CurrentsConnector.Files sink, SinkWriters.SinkContext context) {
        this.connectorId = connectorId;
        this.sink = sink;
        if (!PartEncoder.supports(sink.format()))
            throw new IllegalArgumentException("Currents " + connectorId + ": unknown files format '" + sink.format() + "' (ndjson_gzip or avro)");
        this.root = Path.of(sink.path()).toAbsolutePath().normalize();
        this.files = Counter.builder("kiln.currents.files").tag("connector", connectorId)
                .description("Currents files completed").register(context.registry());
        try {
            deleteIncomplete();
        } catch (IOException | UncheckedIOException e) {
            log.warn("Currents {}: cannot delete incomplete files under {}: {}", connectorId, root, e.toString());
        }
    }

    private void deleteIncomplete() throws IOException {
        if (!Files.isDirectory(root)) return;
        String prefix = connectorId + ".";
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(TMP)) Files.deleteIfExists(p);
            }
        }
    }

    @Override public void write(EventLogRow row, long nowMillis) throws IOException {
        Key key = new Key(row.type(), CurrentsMapper.hour(row));
        Part p = open.get(key);
        if (p == null) {
            if (open.isEmpty()) openedAt = nowMillis;
            p = new Part(key, row.seq());
            open.put(key, p);
        }
        p.write(row);
        pending++;
        if (p.count >= sink.rollEvents()) full = true;
    }

    @Override public int pending() { return pending; }

    @Override public boolean full() { return full; }

    @Override public long confirmBy() {
        return open.isEmpty() ? Long.MAX_VALUE : openedAt + sink.rollSeconds() * 1000L;
    }

    @Override public int confirm() throws IOException {
        List<Part> parts = new ArrayList<>(open.values());
        for (Part p : parts) p.complete();
        int n = pending;
        open.clear();
        pending = 0;
        full = false;
        files.increment(parts.size());
        return n;
    }

    @Override public void discard() {
        for (Part p : open.values()) p.discard();
        open.clear();
        pending = 0;
        full = false;
    }

    @Override public Map<String, Object> describe() { return SinkWriters.describe(sink); }

    @Override public void close() { discard(); }

    private record Key(String type, String hour) {}

    /** A file being written. */
    private final class Part {
        final Path dir;
        final long firstSeq;
        long lastSeq;
        int count;
        final FileOutputStream fos;
        final PartEncoder encoder;
        final Path tmp;

        Part(Key key, long firstSeq) throws IOException {
            this.firstSeq = firstSeq;
            this.dir = root.resolve("event_type=" + key.type()).resolve("date=" + key.hour());
            Files.createDirectories(dir);
            this.tmp = dir.resolve(connectorId + "." + firstSeq + TMP);
            this.fos = new FileOutputStream(tmp.toFile());
            try {
                this.encoder = PartEncoder.open(sink.format(), key.type(), fos);
            } catch (IOException | RuntimeException e) {
                fos.close();
                Files.deleteIfExists(tmp);
                throw e;
            }
        }

        void write(EventLogRow row) throws IOException {
            encoder.write(row);
            lastSeq = row.seq();
            count++;
        }

        /** Finishes, fsyncs and renames; returns the final path. */
        Path complete() throws IOException {
            encoder.finish();
            fos.getFD().sync();
            encoder.close();
            Path done = dir.resolve(connectorId + "." + firstSeq + "-" + lastSeq + encoder.suffix());
            Files.move(tmp, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            return done;
        }

        void discard() {
            encoder.close();
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                log.warn("Currents {}: cannot delete {}: {}", connectorId, tmp, e.toString());
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
}
