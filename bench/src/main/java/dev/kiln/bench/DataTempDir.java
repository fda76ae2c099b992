package dev.kiln.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory (definitions, Currents files) removed with everything in it by {@link #close()}. */
record DataTempDir(Path dir) implements AutoCloseable {
    static DataTempDir create(String prefix) {
        try {
            return new DataTempDir(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    /** Bytes of the regular files under the directory. */
    long sizeBytes() {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) total += Files.size(p);
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override public void close() {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.out.println("  ! could not remove " + dir + ": " + e);
        }
    }

    @Override public String toString() { return dir.toString(); }
}
