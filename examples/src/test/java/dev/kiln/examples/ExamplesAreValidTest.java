package dev.kiln.examples;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.LoadResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The definitions that `./kiln serve` loads by default must always be valid. */
class ExamplesAreValidTest {
    @Test void example_definitions_load_without_problems() {
        LoadResult r = new DefinitionLoader().load(Path.of("").toAbsolutePath());
        assertThat(r.problems()).isEmpty();
        assertThat(r.definitions().segments()).containsKeys("engaged-leads", "mql", "employees-and-customers");
        assertThat(r.definitions().canvases()).containsKey("lead-scoring");
        assertThat(r.definitions().canvas("lead-scoring").orElseThrow().active()).isTrue();
        assertThat(r.warnings()).isEmpty();
    }
}
