package dev.kiln.definitions;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln validate DIR}: prints every warning ({@code warning: file: path: message}), then every
 * problem, one per line, or a one-line summary. Warnings alone never fail validation.
 */
public final class Validate {
    private Validate() {}

    public static final String WARNING = "warning: ";

    /** @return 0 when {@code dir} is valid, 1 otherwise */
    public static int validate(Path dir, PrintStream out) {
        return validate(new DefinitionLoader(), dir, out);
    }

    public static int validate(DefinitionLoader loader, Path dir, PrintStream out) {
        LoadResult result = loader.load(dir);
        for (Problem w : result.warnings()) out.println(WARNING + w);
        if (!result.valid()) {
            result.problems().forEach(out::println);
            int n = result.problems().size();
            out.println("INVALID: " + n + (n == 1 ? " problem" : " problems"));
            return 1;
        }
        List<String> counts = new ArrayList<>();
        for (DocumentKind<?> kind : loader.kinds()) {
            int n = result.definitions().count(kind);
            counts.add(n + " " + (n == 1 ? kind.singular() : kind.plural()));
        }
        int w = result.warnings().size();
        out.println("OK: " + String.join(", ", counts) + (w == 0 ? "" : " (" + w + (w == 1 ? " warning)" : " warnings)")));
        return 0;
    }
}
