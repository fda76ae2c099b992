package dev.kiln.definitions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateTest {
    @TempDir Path dir;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String output() { return bytes.toString(StandardCharsets.UTF_8); }

    void write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void a_valid_directory_prints_a_summary_and_returns_0() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        write("segments/b.yaml", "id: b\nname: B\n");
        write("segments/c.yaml", "id: c\nname: C\n");

        assertThat(Validate.validate(dir, out)).isZero();
        assertThat(output()).isEqualTo("OK: 3 segments, 0 canvases, 0 campaigns, 0 connections, 0 CDI integrations, 0 Currents connectors" + System.lineSeparator());
    }

    @Test
    void one_definition_is_singular() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\n");
        assertThat(Validate.validate(dir, out)).isZero();
        assertThat(output()).isEqualTo("OK: 1 segment, 0 canvases, 0 campaigns, 0 connections, 0 CDI integrations, 0 Currents connectors" + System.lineSeparator());
    }

    @Test
    void an_invalid_directory_prints_each_problem_on_a_line_and_returns_1() throws IOException {
        write("segments/a.yaml", "id: a\n");
        write("segments/b.yaml", "id: b\nname: B\nfilters: { email: maybe }\n");

        assertThat(Validate.validate(dir, out)).isEqualTo(1);
        assertThat(output().lines()).containsExactly(
                "segments/a.yaml: name: required",
                "segments/b.yaml: filters.email: expected present or absent, got string 'maybe'",
                "INVALID: 2 problems");
    }

    @Test
    void a_missing_directory_returns_1() {
        assertThat(Validate.validate(dir.resolve("missing"), out)).isEqualTo(1);
        assertThat(output()).contains("directory not found");
    }
}
