package dev.kiln.server.currents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.CommitBatch;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.Store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Test helpers: append event log rows, read exported files back with GZIPInputStream + Jackson. */
final class CurrentsFiles {
    private CurrentsFiles() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static void append(Store store, List<EventLogRow> rows) {
        store.commit(new CommitBatch(List.of(), Set.of(), Map.of(), Set.of(), rows));
    }

    static EventLogRow row(String id, String type, long time, String data) {
        return new EventLogRow(0, id, "u-" + id, "ext-" + id, type, time, data, System.currentTimeMillis());
    }

    static List<Path> files(Path root) {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> read(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) out.add(JSON.readTree(line));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every record of every completed file under root. */
    static List<JsonNode> readAll(Path root) {
        List<JsonNode> out = new ArrayList<>();
        for (Path f : files(root)) if (f.toString().endsWith(".json.gz")) out.addAll(read(f));
        return out;
    }

    static void await(BooleanSupplier condition, long millis, String what) {
        long end = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
