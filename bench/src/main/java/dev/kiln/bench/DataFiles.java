package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads back what a files connector wrote under its root: every {@code *.json.gz} file, every line, every
 * {@code id}. Distinct ids are counted on 64-bit hashes of all of them (sorted array, no per-id objects), so a
 * million lines need 8 MB.
 */
final class DataFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataFiles() {}

    /**
     * @param byType lines per {@code event_type=} directory
     * @param tmp    {@code .tmp} files left (a clean stop leaves none)
     * @param bad    lines without a readable {@code id}
     */
    record Count(long files, long tmp, long lines, long distinctIds, long bad, long bytes, Map<String, Long> byType, double seconds) {
        long duplicates() { return lines - bad - distinctIds; }

        Map<String, Object> json() {
            return Json.obj("files", files, "tmp_files", tmp, "lines", lines, "distinct_ids", distinctIds, "duplicate_lines", duplicates(),
                    "lines_without_id", bad, "compressed_bytes", bytes, "lines_by_event_type", byType, "seconds_to_read", seconds);
        }
    }

    static Count count(Path root) {
        long t0 = System.nanoTime();
        long files = 0, tmp = 0, lines = 0, bad = 0, bytes = 0;
        Map<String, Long> byType = new TreeMap<>();
        long[] hashes = new long[1 << 16];
        int n = 0;
        if (!Files.isDirectory(root)) return new Count(0, 0, 0, 0, 0, 0, byType, 0);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    tmp++;
                    continue;
                }
                if (!name.endsWith(".json.gz")) continue;
                files++;
                bytes += Files.size(p);
                String type = typeOf(root, p);
                try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(p), 1 << 16),
                        StandardCharsets.UTF_8), 1 << 16)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.isEmpty()) continue;
                        lines++;
                        byType.merge(type, 1L, Long::sum);
                        String id = id(line);
                        if (id == null) {
                            bad++;
                            continue;
                        }
                        if (n == hashes.length) hashes = Arrays.copyOf(hashes, n * 2);
                        hashes[n++] = hash64(id);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Currents files under " + root, e);
        }
        Arrays.sort(hashes, 0, n);
        long distinct = 0;
        for (int i = 0; i < n; i++) if (i == 0 || hashes[i] != hashes[i - 1]) distinct++;
        return new Count(files, tmp, lines, distinct, bad, bytes, byType, (System.nanoTime() - t0) / 1e9);
    }

    private static String typeOf(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            String s = part.toString();
            if (s.startsWith("event_type=")) return s.substring("event_type=".length());
        }
        return "?";
    }

    /** The record's {@code id}: Kiln writes it first ({"id":"…",…}); anything else is parsed properly. */
    static String id(String line) {
        if (line.startsWith("{\"id\":\"")) {
            int end = line.indexOf('"', 7), escape = line.indexOf('\\', 7);
            if (end > 7 && (escape < 0 || escape > end)) return line.substring(7, end);
        }
        try {
            var node = JSON.readTree(line).get("id");
            return node == null || node.isNull() ? null : node.asText();
        } catch (IOException e) {
            return null;
        }
    }

    /** 64-bit FNV-1a of the UTF-16 units, mixed (SplitMix64 finalizer): collisions among a few million ids are negligible. */
    static long hash64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
