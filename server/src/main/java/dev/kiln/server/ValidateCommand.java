package dev.kiln.server;

import dev.kiln.definitions.Validate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kiln validate DIR}: prints every problem as {@code file: path: message}; non-zero exit on any. */
@Command(name = "validate", description = "Validate a definitions directory.", mixinStandardHelpOptions = true)
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Definitions directory") Path dir;

    @Override public Integer call() {
        return Validate.validate(dir, System.out);
    }
}
