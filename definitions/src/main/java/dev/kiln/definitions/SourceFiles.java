package dev.kiln.definitions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files a kind reads: {@code *.yaml}, {@code *.yml} and {@code *.json} anywhere under its folder,
 * skipping hidden names (editor swap files, Kubernetes' {@code ..data}). Links are followed because
 * mounted config maps are links.
 */
final class SourceFiles {
    private SourceFiles() {}

    /** What the watcher compares between polls. */
    record Stamp(long modifiedNanos, long size, Object fileKey) {}

    /** Files of {@code kind} by path relative to {@code dir} ({@code segments/a.yaml}), in name order. */
    static Map<String, Path> list(Path dir, DocumentKind<?> kind) throws IOException {
        Path folder = dir.resolve(kind.folder());
        Map<String, Path> files = new TreeMap<>();
        if (!Files.isDirectory(folder)) return files;
        try (Stream<Path> walk = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(p -> isDefinition(dir.relativize(p)) && Files.isRegularFile(p))
                    .forEach(p -> files.put(relative(dir, p), p));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return files;
    }

    static boolean isJson(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    }

    private static boolean isDefinition(Path relative) {
        for (Path part : relative) if (part.toString().startsWith(".")) return false;
        String name = relative.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }

    static String relative(Path dir, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path part : dir.relativize(file)) sb.append(sb.isEmpty() ? "" : "/").append(part);
        return sb.toString();
    }

    /** Every definition file's stamp; a directory that is missing gives an empty map. */
    static Map<String, Stamp> stamps(Path dir, List<DocumentKind<?>> kinds) throws IOException {
        Map<String, Stamp> out = new TreeMap<>();
        for (DocumentKind<?> kind : kinds) {
            for (var e : list(dir, kind).entrySet()) {
                BasicFileAttributes a = Files.readAttributes(e.getValue(), BasicFileAttributes.class);
                out.put(e.getKey(), new Stamp(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size(), a.fileKey()));
            }
        }
        return out;
    }
}
