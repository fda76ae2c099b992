package dev.kiln.definitions;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Currents connector documents: the model, globs, and one test per validation rule. */
class CurrentsDefinitionTest {
    static final String FILE = "currents/c.yaml";
    static final String EVENTS = "events: [users.behaviors.*, users.canvas.Entry]\n";

    static Parsed<CurrentsConnector> parsed(String yaml) {
        return DefinitionLoader.parse(DefinitionLoader.CURRENTS, yaml, FILE, false);
    }

    static CurrentsConnector parse(String yaml) {
        Parsed<CurrentsConnector> p = parsed(yaml);
        assertThat(p.problems()).isEmpty();
        return p.value().orElseThrow();
    }

    static List<String> problems(String yaml) {
        Parsed<CurrentsConnector> p = parsed(yaml);
        assertThat(p.value()).isEmpty();
        return p.problems().stream().map(Problem::toString).toList();
    }

    static String at(String path, String message) { return FILE + ": " + path + ": " + message; }

    @Test
    void a_files_connector_parses_into_every_field() {
        CurrentsConnector c = parse("""
                id: warehouse
                events: [users.behaviors.*, users.messages.webhook.*, users.canvas.Entry, users.attributes.Change]
                sink: { type: files, path: ./kiln-data/currents, format: ndjson_gzip, roll_seconds: 60, roll_events: 100 }
                """);
        assertThat(c).isEqualTo(new CurrentsConnector("warehouse",
                List.of("users.behaviors.*", "users.messages.webhook.*", "users.canvas.Entry", "users.attributes.Change"),
                new CurrentsConnector.Sink("files", "./kiln-data/currents", "ndjson_gzip", 60, 100)));
    }

    @Test
    void sink_settings_default_to_brazes_five_minutes_or_15000_events() {
        CurrentsConnector c = parse("id: w\n" + EVENTS + "sink: { type: files, path: out }\n");
        assertThat(c.sink()).isEqualTo(new CurrentsConnector.Sink("files", "out", "ndjson_gzip", 300, 15_000));
    }

    @Test
    void globs_match_any_run_of_characters_and_exact_names_match_only_themselves() {
        CurrentsConnector c = parse("id: w\n" + EVENTS + "sink: { type: files, path: out }\n");
        assertThat(c.matches("users.behaviors.CustomEvent")).isTrue();
        assertThat(c.matches("users.behaviors.app.SessionStart")).isTrue();
        assertThat(c.matches("users.canvas.Entry")).isTrue();
        assertThat(c.matches("users.canvas.Exit")).isFalse();
        assertThat(c.matches("users.messages.webhook.Send")).isFalse();
        assertThat(CurrentsConnector.globMatches("*", "users.Delete")).isTrue();
        assertThat(CurrentsConnector.globMatches("users.*.Send", "users.messages.webhook.Send")).isTrue();
        assertThat(CurrentsConnector.globMatches("users.canvas.Entry", "users.canvas.EntryX")).isFalse();
    }

    @Test
    void a_directory_loads_connectors_into_the_set() throws Exception {
        Path dir = Files.createTempDirectory("kiln-currents-defs");
        Files.createDirectories(dir.resolve("currents"));
        Files.writeString(dir.resolve("currents/files.yaml"), "id: files\n" + EVENTS + "sink: { type: files, path: out }\n");
        LoadResult r = new DefinitionLoader().load(dir);
        assertThat(r.problems()).isEmpty();
        assertThat(r.definitions().currents()).containsKey("files");
    }

    @Test
    void unknown_keys_are_refused_with_a_suggestion() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out }\nevent: x\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("event", "unknown key; did you mean events")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out, roll_second: 5 }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.roll_second", "unknown key; did you mean roll_seconds")));
    }

    @Test
    void events_are_required_and_must_be_a_non_empty_list() {
        assertThat(problems("id: w\nsink: { type: files, path: out }\n")).anySatisfy(p -> assertThat(p).startsWith(at("events", "required")));
        assertThat(problems("id: w\nevents: []\nsink: { type: files, path: out }\n")).contains(at("events", "must list at least one value"));
        assertThat(problems("id: w\nevents: users.behaviors.*\nsink: { type: files, path: out }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("events", "expected a list of strings")));
    }

    @Test
    void a_glob_that_matches_no_event_type_is_refused_with_a_suggestion() {
        assertThat(problems("id: w\nevents: [users.canvas.Entry, users.canvas.Entri]\nsink: { type: files, path: out }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("events[1]", "matches no event type Kiln writes; did you mean users.canvas.Entry")));
    }

    @Test
    void a_glob_with_other_characters_is_refused() {
        assertThat(problems("id: w\nevents: [\"users.behaviors.[a-z]\"]\nsink: { type: files, path: out }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("events[0]", "expected an event type or a glob")));
    }

    @Test
    void a_glob_listed_twice_is_refused() {
        assertThat(problems("id: w\nevents: [users.canvas.*, users.canvas.*]\nsink: { type: files, path: out }\n"))
                .contains(at("events[1]", "listed twice"));
    }

    @Test
    void the_sink_is_required() {
        assertThat(problems("id: w\n" + EVENTS)).anySatisfy(p -> assertThat(p).startsWith(at("sink", "required")));
        assertThat(problems("id: w\n" + EVENTS + "sink: files\n")).anySatisfy(p -> assertThat(p).startsWith(at("sink", "expected a mapping")));
    }

    @Test
    void jdbc_and_http_sinks_are_not_yet_supported() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: jdbc, path: out }\n"))
                .contains(at("sink.type", "the jdbc sink is not yet supported; use type: files"));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http, path: out }\n"))
                .contains(at("sink.type", "the http sink is not yet supported; use type: files"));
    }

    @Test
    void an_unknown_sink_type_is_refused_with_a_suggestion() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: file, path: out }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.type", "unknown sink type; did you mean files")));
    }

    @Test
    void the_path_is_required() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files }\n")).contains(at("sink.path", "required"));
    }

    @Test
    void avro_is_not_yet_supported_and_other_formats_are_unknown() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out, format: avro }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.format", "avro is not yet supported")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out, format: ndjson_gz }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.format", "unknown format; did you mean ndjson_gzip")));
    }

    @Test
    void roll_settings_must_be_whole_numbers_in_range() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out, roll_seconds: 0 }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.roll_seconds", "expected a whole number of seconds from 1 to 86400")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out, roll_events: 2000000 }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.roll_events", "expected a whole number of events from 1 to 1000000")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: files, path: out, roll_events: 1.5 }\n"))
                .anySatisfy(p -> assertThat(p).startsWith(at("sink.roll_events", "expected a whole number")));
    }

    @Test
    void the_id_is_required() {
        assertThat(problems(EVENTS + "sink: { type: files, path: out }\n")).contains(at("id", "required"));
    }
}
