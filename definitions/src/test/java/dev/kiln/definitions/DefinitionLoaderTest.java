package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.filter.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefinitionLoaderTest {
    @TempDir Path dir;
    final DefinitionLoader loader = new DefinitionLoader();

    void write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void loads_yaml_yml_and_json_documents_from_nested_folders() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\nfilters: { attribute: \"lead score\", greater_than: 10 }\n");
        write("segments/mql.yml", "id: mql\nname: MQL\nfilters: { attribute: lead_status, equals: MQL }\n");
        write("segments/sales/customers.json", "{\"id\": \"customers\", \"name\": \"Customers\"}");

        LoadResult r = loader.load(dir);

        assertThat(r.problems()).isEmpty();
        assertThat(r.definitions().segments()).containsOnlyKeys("customers", "leads", "mql");
        assertThat(r.definitions().segment("customers").orElseThrow().filter()).isEqualTo(Filter.EVERYONE);
        assertThat(r.definitions().segment("nope")).isEmpty();
    }

    @Test
    void unknown_folders_other_files_and_hidden_files_are_ignored() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\n");
        write("segments/README.md", "# not a definition");
        write("segments/.leads.yaml.swp", "garbage: [");
        write("segments/.drafts/x.yaml", "garbage: [");
        write("dashboards/x.yaml", "garbage: [");
        write("README.md", "hello");

        LoadResult r = loader.load(dir);

        assertThat(r.problems()).isEmpty();
        assertThat(r.definitions().segments()).containsOnlyKeys("leads");
    }

    @Test
    void an_empty_directory_is_a_valid_empty_set() {
        LoadResult r = loader.load(dir);
        assertThat(r.valid()).isTrue();
        assertThat(r.definitions()).isEqualTo(DefinitionSet.EMPTY);
    }

    @Test
    void a_missing_directory_is_a_problem() {
        Path missing = dir.resolve("nope");
        LoadResult r = loader.load(missing);
        assertThat(r.problems()).map(Problem::toString).containsExactly(missing + ": $: directory not found");
        assertThatThrownBy(r::definitions).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void a_duplicate_id_names_both_files() throws IOException {
        write("segments/a.yaml", "id: leads\nname: Leads A\n");
        write("segments/b.yaml", "id: leads\nname: Leads B\n");

        assertThat(loader.load(dir).problems()).map(Problem::toString)
                .containsExactly("segments/b.yaml: id: duplicate id 'leads' (also in segments/a.yaml)");
    }

    @Test
    void a_duplicate_id_is_found_even_when_the_document_has_other_problems() throws IOException {
        write("segments/a.yaml", "id: leads\nname: Leads A\n");
        write("segments/b.yaml", "id: leads\n");

        assertThat(loader.load(dir).problems()).map(Problem::toString).containsExactly(
                "segments/b.yaml: name: required",
                "segments/b.yaml: id: duplicate id 'leads' (also in segments/a.yaml)");
    }

    @Test
    void every_problem_in_every_file_is_reported_and_nothing_is_applied() throws IOException {
        write("segments/a.yaml", "id: a\nname: A\nfilters: { attribute: x, greater_than: high }\n");
        write("segments/b.json", "{\"id\": \"b\", \"name\": \"B\", \"extra\": 1}");
        write("segments/c.yaml", "id: c\nname: C\n");
        write("segments/d.yaml", "id: [d\n");

        LoadResult r = loader.load(dir);

        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).map(Problem::toString).containsExactly(
                "segments/a.yaml: filters.greater_than: expected a number, got string 'high'",
                "segments/b.json: extra: unknown key; expected id, name or filters",
                "segments/d.yaml: $: invalid YAML at line 1, column 7: while parsing a flow sequence; expected ',' or ']', but got <stream end>");
    }

    @Test
    void bytes_that_are_not_utf8_are_a_problem() throws IOException {
        Files.createDirectories(dir.resolve("segments"));
        Files.write(dir.resolve("segments/a.yaml"), new byte[]{'i', 'd', ':', ' ', (byte) 0xC3, (byte) 0x28});
        assertThat(loader.load(dir).problems()).map(Problem::toString).containsExactly("segments/a.yaml: $: not valid UTF-8");
    }

    @Test
    void a_new_kind_plugs_in_with_its_own_folder() throws IOException {
        DocumentKind<String> notes = new DocumentKind<>() {
            @Override public String folder() { return "notes"; }
            @Override public String singular() { return "note"; }
            @Override public String parse(JsonNode document, ProblemSink problems) {
                if (!document.has("text")) problems.report("text", "required");
                return document.path("text").asText();
            }
        };
        write("notes/hello.yaml", "id: hello\ntext: Hi\n");
        write("notes/broken.yaml", "id: broken\n");
        write("segments/leads.yaml", "id: leads\nname: Leads\n");

        LoadResult r = new DefinitionLoader(List.of(notes, DefinitionLoader.SEGMENTS)).load(dir);
        assertThat(r.problems()).map(Problem::toString).containsExactly("notes/broken.yaml: text: required");

        Files.delete(dir.resolve("notes/broken.yaml"));
        DefinitionSet set = new DefinitionLoader(List.of(notes, DefinitionLoader.SEGMENTS)).load(dir).definitions();
        assertThat(set.all(notes)).containsEntry("hello", "Hi");
        assertThat(set.segments()).containsOnlyKeys("leads");
    }

    @Test
    void two_kinds_cannot_share_a_folder() {
        assertThatThrownBy(() -> new DefinitionLoader(List.of(DefinitionLoader.SEGMENTS, DefinitionLoader.SEGMENTS)))
                .hasMessage("two kinds read folder segments");
    }

    @Test
    void parse_refuses_what_the_directory_refuses() {
        Parsed<?> p = DefinitionLoader.parseSegment("id: leads\n", "PUT /segments/leads", false);
        assertThat(p.valid()).isFalse();
        assertThat(p.problems()).map(Problem::toString).containsExactly("PUT /segments/leads: name: required");
    }
}
