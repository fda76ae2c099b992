package dev.kiln.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Keeps a server process's log after its temp directory is gone, under {@code target/kiln-logs/}, for CI. */
final class ProcessLogs {
    private ProcessLogs() {}

    static void keep(KilnProcess kiln, String name) {
        if (kiln == null || !Files.exists(kiln.logFile())) return;
        try {
            Path dir = Files.createDirectories(Path.of("target", "kiln-logs"));
            Files.copy(kiln.logFile(), dir.resolve(name + ".log"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("could not keep " + kiln.logFile() + ": " + e);
        }
    }
}
