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
                new CurrentsConnector.Files("./kiln-data/currents", "ndjson_gzip", 60, 100)));
    }

    @Test
    void sink_settings_default_to_brazes_five_minutes_or_15000_events() {
        CurrentsConnector c = parse("id: w\n" + EVENTS + "sink: { type: files, path: out }\n");
        assertThat(c.sink()).isEqualTo(new CurrentsConnector.Files("out", "ndjson_gzip", 300, 15_000));
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
    void a_jdbc_sink_parses_with_defaults_and_every_field() {
        CurrentsConnector d = parse("id: w\n" + EVENTS + "sink: { type: jdbc, jdbc_url: 'jdbc:postgresql://127.0.0.1:5432/test' }\n");
        assertThat(d.sink()).isEqualTo(new CurrentsConnector.Jdbc("jdbc:postgresql://127.0.0.1:5432/test", null, null,
                "kiln_currents_events", 5_000, 1_000));
        CurrentsConnector c = parse("id: w\n" + EVENTS + """
                sink:
                  type: jdbc
                  jdbc_url: jdbc:postgresql://warehouse:5432/analytics
                  user: kiln
                  password: { env: WAREHOUSE_PASSWORD }
                  table: analytics.kiln_events
                  batch_events: 2000
                  flush: 5s
                """);
        assertThat(c.sink()).isEqualTo(new CurrentsConnector.Jdbc("jdbc:postgresql://warehouse:5432/analytics", "kiln",
                Connection.SecretRef.env("WAREHOUSE_PASSWORD"), "analytics.kiln_events", 2_000, 5_000));
    }

    @Test
    void a_jdbc_sink_needs_a_jdbc_url_without_a_password_and_a_plain_table_name() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: jdbc }\n")).contains(at("sink.jdbc_url", "required"));
        List<String> p = problems("id: w\n" + EVENTS + "sink: { type: jdbc, jdbc_url: 'jdbc:postgresql://h/db?password=hunter22' }\n");
        assertThat(p).anySatisfy(m -> assertThat(m).startsWith(at("sink.jdbc_url", "must not hold a password")));
        assertThat(String.join("\n", p)).doesNotContain("hunter22");
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: jdbc, jdbc_url: 'jdbc:sqlite:x.db', table: 'x; drop table y' }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.table", "expected a table name")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: jdbc, jdbc_url: 'jdbc:sqlite:x.db', password: hunter22 }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.password", "a secret is never written in a definition")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: jdbc, jdbc_url: 'jdbc:sqlite:x.db', path: out }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.path", "unknown key")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: jdbc, jdbc_url: 'jdbc:sqlite:x.db', batch_events: 0 }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.batch_events", "expected a whole number of events from 1 to 100000")));
    }

    @Test
    void an_http_sink_parses_with_defaults_and_every_field() {
        CurrentsConnector d = parse("id: w\n" + EVENTS + "sink: { type: http, url: 'https://collector.example.com/kiln' }\n");
        assertThat(d.sink()).isEqualTo(new CurrentsConnector.Http("https://collector.example.com/kiln", java.util.Map.of(), null,
                1_000, 1_000, 10_000));
        CurrentsConnector c = parse("id: w\n" + EVENTS + """
                sink:
                  type: http
                  url: http://127.0.0.1:9000/events
                  headers: { X-Source: kiln }
                  authorization: { file: /run/secrets/collector }
                  batch_events: 500
                  flush: 250ms
                  timeout: 3s
                """);
        assertThat(c.sink()).isEqualTo(new CurrentsConnector.Http("http://127.0.0.1:9000/events", java.util.Map.of("X-Source", "kiln"),
                Connection.SecretRef.file("/run/secrets/collector"), 500, 250, 3_000));
    }

    @Test
    void an_http_sink_refuses_bad_urls_credentials_in_the_url_and_authorization_in_headers() {
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http }\n")).contains(at("sink.url", "required"));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http, url: 'ftp://h/x' }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.url", "expected an absolute http or https URL")));
        List<String> p = problems("id: w\n" + EVENTS + "sink: { type: http, url: 'https://u:hunter22@h/x' }\n");
        assertThat(p).anySatisfy(m -> assertThat(m).startsWith(at("sink.url", "must not hold a user or password")));
        assertThat(String.join("\n", p)).doesNotContain("hunter22");
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http, url: 'https://h/x', headers: { Authorization: 'Bearer abc' } }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.headers.Authorization", "write the Authorization header as authorization")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http, url: 'https://h/x', headers: { Content-Type: text/plain } }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.headers.Content-Type", "set by Kiln")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http, url: 'https://h/x', headers: { Connection: close } }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.headers.Connection", "set by Kiln")));
        assertThat(problems("id: w\n" + EVENTS + "sink: { type: http, url: 'https://h/x', timeout: 10m }\n"))
                .anySatisfy(m -> assertThat(m).startsWith(at("sink.timeout", "expected a duration from 100ms to 300s")));
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
    void avro_is_a_format_and_other_formats_are_unknown() {
        assertThat(parse("id: w\n" + EVENTS + "sink: { type: files, path: out, format: avro }\n").sink())
                .isEqualTo(new CurrentsConnector.Files("out", "avro", 300, 15_000));
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
