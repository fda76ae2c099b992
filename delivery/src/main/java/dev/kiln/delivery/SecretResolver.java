package dev.kiln.delivery;

import dev.kiln.definitions.Connection.SecretRef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads a secret where a {@link SecretRef} says: an environment variable, or a file's content, trimmed.
 * Every value read is registered with {@link Secrets} so it is masked from then on. A missing or empty
 * secret is a {@link SecretException} naming the variable or file, never a value. Values are read at use
 * (not cached here), so a rotated file or variable takes effect at the next token request.
 */
@FunctionalInterface
public interface SecretResolver {

    /** @throws SecretException when the variable is unset or empty, or the file cannot be read or is empty */
    String resolve(SecretRef ref);

    /** The process environment and the file system; values registered with {@code secrets}. */
    static SecretResolver standard(Secrets secrets) {
        return of(System::getenv, secrets);
    }

    /** Environment lookups through {@code env} (tests); files from the file system. */
    static SecretResolver of(Function<String, String> env, Secrets secrets) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(secrets, "secrets");
        return ref -> {
            String value;
            if (ref.env() != null) {
                String raw = env.apply(ref.env());
                if (raw == null) throw new SecretException(ref, "secret environment variable " + ref.env() + " is not set");
                value = raw.strip();
                if (value.isEmpty()) throw new SecretException(ref, "secret environment variable " + ref.env() + " is empty");
            } else {
                Path p = Path.of(ref.file());
                try {
                    value = Files.readString(p, StandardCharsets.UTF_8).strip();
                } catch (NoSuchFileException e) {
                    throw new SecretException(ref, "secret file " + ref.file() + " does not exist");
                } catch (IOException | RuntimeException e) {
                    // The exception's own message names the path only; it cannot contain the content.
                    throw new SecretException(ref, "secret file " + ref.file() + " cannot be read: " + e.getClass().getSimpleName());
                }
                if (value.isEmpty()) throw new SecretException(ref, "secret file " + ref.file() + " is empty");
            }
            secrets.register(value);
            return value;
        };
    }
}
