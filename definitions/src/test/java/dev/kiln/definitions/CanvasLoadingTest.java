package dev.kiln.definitions;

import dev.kiln.engine.canvas.Canvas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Canvases in a definitions directory: references across files, duplicates, and the loop warning. */
class CanvasLoadingTest {
    @TempDir Path dir;
    final DefinitionLoader loader = new DefinitionLoader();

    static final String LOOP_WARNING = "updates 'lead score', which enters this Canvas (entry.triggers[0]), on a path from start"
            + " to an exit with no action_paths or delay step: users re-enter at once, again and again, until the loop guard removes them";

    void write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static String canvas(String id, String audience) {
        return "id: " + id + "\nname: " + id + "\nentry: { triggers: [ { session_started: {} } ]" + audience + " }\nstart: s\n"
                + "steps: { s: { type: user_update, updates: [ { attribute: x, increment: 1 } ] } }\n";
    }

    /** Entry on a change of "lead score", then {@code steps}. */
    static String scoring(String start, String steps) {
        return "id: loop\nname: Loop\nentry: { triggers: [ { custom_attribute_changed: { name: \"lead score\" } } ] }\nstart: " + start
                + "\nsteps:\n" + steps;
    }

    List<String> problems() { return loader.load(dir).problems().stream().map(Problem::toString).toList(); }

    List<String> warnings() { return loader.load(dir).warnings().stream().map(Problem::toString).toList(); }

    @Test
    void a_canvas_id_duplicated_across_files_names_both() throws IOException {
        write("canvases/a.yaml", canvas("scoring", ""));
        write("canvases/b.yaml", canvas("scoring", ""));
        assertThat(problems()).containsExactly("canvases/b.yaml: id: duplicate id 'scoring' (also in canvases/a.yaml)");
    }

    @Test
    void audience_segments_resolve_against_the_segments_folder() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\nfilters: { attribute: x, greater_than: 1 }\n");
        write("canvases/a.yaml", canvas("a", ", audience: { segments: [leads] }"));
        LoadResult r = loader.load(dir);
        assertThat(r.problems()).isEmpty();
        assertThat(r.definitions().canvas("a").orElseThrow().entry().audience())
                .isEqualTo(new dev.kiln.engine.filter.Filter.All(List.of(r.definitions().segment("leads").orElseThrow().filter())));
    }

    @Test
    void an_unknown_segment_id_is_a_problem_at_its_path() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\n");
        write("canvases/a.yaml", canvas("a", ", audience: { segments: [leads, mqls] }"));
        assertThat(problems()).containsExactly("canvases/a.yaml: entry.audience.segments[1]: unknown segment 'mqls'");
    }

    @Test
    void a_segment_with_problems_is_named_as_such_not_as_unknown() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\nfilters: { email: maybe }\n");
        write("canvases/a.yaml", canvas("a", ", audience: { segments: [leads] }"));
        assertThat(problems()).containsExactly(
                "segments/leads.yaml: filters.email: expected present or absent, got string 'maybe'",
                "canvases/a.yaml: entry.audience.segments[0]: segment 'leads' has problems of its own (see segments/leads.yaml)");
    }

    @Test
    void reference_problems_keep_file_order() throws IOException {
        write("canvases/a.yaml", canvas("a", ", audience: { segments: [nope] }"));
        write("canvases/b.yaml", "id: b\n");
        assertThat(problems()).containsExactly(
                "canvases/a.yaml: entry.audience.segments[0]: unknown segment 'nope' (no segments are defined)",
                "canvases/b.yaml: name: required",
                "canvases/b.yaml: entry: required",
                "canvases/b.yaml: start: required",
                "canvases/b.yaml: steps: required");
    }

    @Test
    void a_canvas_that_reenters_itself_without_waiting_is_a_warning_not_a_problem() throws IOException {
        write("canvases/loop.yaml", scoring("add", "  add: { type: user_update, updates: [ { attribute: x, set: 1 }, { attribute: \"lead score\", increment: 1 } ] }\n"));
        LoadResult r = loader.load(dir);
        assertThat(r.valid()).isTrue();
        assertThat(r.definitions().canvases()).containsOnlyKeys("loop");
        assertThat(r.warnings()).map(Problem::toString).containsExactly("canvases/loop.yaml: steps.add.updates[1]: " + LOOP_WARNING);
    }

    @Test
    void the_loop_warning_follows_splits_and_paths_that_do_not_wait() throws IOException {
        write("canvases/loop.yaml", scoring("split", """
                  split: { type: decision_split, filters: { email: present }, yes: wait, no: who }
                  wait: { type: delay, duration: 1h, next: add }
                  who: { type: audience_paths, groups: [ { name: a, filters: { email: absent }, next: add } ] }
                  add: { type: user_update, updates: [ { attribute: "lead score", decrement: 1 } ] }
                """));
        assertThat(warnings()).containsExactly("canvases/loop.yaml: steps.add.updates[0]: " + LOOP_WARNING);
    }

    @Test
    void no_loop_warning_when_every_path_to_the_update_waits() throws IOException {
        write("canvases/loop.yaml", scoring("wait", """
                  wait: { type: delay, duration: 1h, next: add }
                  add: { type: user_update, updates: [ { attribute: "lead score", increment: 1 } ] }
                """));
        assertThat(warnings()).isEmpty();
    }

    @Test
    void no_loop_warning_when_the_user_waits_after_the_update() throws IOException {
        // The change arrives while the user is still in the Canvas, so it cannot enter them again.
        write("canvases/loop.yaml", scoring("add", """
                  add: { type: user_update, updates: [ { attribute: "lead score", increment: 1 } ], next: wait }
                  wait: { type: delay, duration: 1h }
                """));
        assertThat(warnings()).isEmpty();
    }

    @Test
    void crossed_and_email_triggers_count_for_the_loop_warning() throws IOException {
        write("canvases/loop.yaml", """
                id: loop
                name: Loop
                entry:
                  triggers:
                    - session_started: {}
                    - custom_attribute_crossed: { name: "lead score", threshold: 100, direction: down }
                    - email_added: {}
                start: s
                steps:
                  s: { type: user_update, updates: [ { attribute: email, set: a@b.c }, { attribute: "lead score", set: 0 } ] }
                """);
        assertThat(warnings()).containsExactly(
                "canvases/loop.yaml: steps.s.updates[0]: updates 'email', which enters this Canvas (entry.triggers[2]), on a path from start"
                        + " to an exit with no action_paths or delay step: users re-enter at once, again and again, until the loop guard removes them",
                "canvases/loop.yaml: steps.s.updates[1]: updates 'lead score', which enters this Canvas (entry.triggers[1]), on a path from start"
                        + " to an exit with no action_paths or delay step: users re-enter at once, again and again, until the loop guard removes them");
    }

    @Test
    void validate_prints_warnings_prefixed_and_still_succeeds() throws IOException {
        write("canvases/loop.yaml", scoring("add", "  add: { type: user_update, updates: [ { attribute: \"lead score\", increment: 1 } ] }\n"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Validate.validate(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "warning: canvases/loop.yaml: steps.add.updates[0]: " + LOOP_WARNING,
                "OK: 0 segments, 1 canvas, 0 campaigns, 0 connections, 0 CDI integrations, 0 Currents connectors (1 warning)");
    }

    @Test
    void validate_prints_warnings_before_problems_when_invalid() throws IOException {
        write("canvases/loop.yaml", scoring("add", "  add: { type: user_update, updates: [ { attribute: \"lead score\", increment: 1 } ] }\n"));
        write("canvases/other.yaml", "id: other\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Validate.validate(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).startsWith(
                "warning: canvases/loop.yaml: steps.add.updates[0]: " + LOOP_WARNING,
                "canvases/other.yaml: name: required");
    }

    @Test
    void a_single_document_returns_its_warnings() {
        Parsed<Canvas> p = DefinitionLoader.parseCanvas(scoring("add", "  add: { type: user_update, updates: [ { attribute: \"lead score\", increment: 1 } ] }\n"),
                "PUT /canvases/loop", false, DefinitionSet.EMPTY);
        assertThat(p.valid()).isTrue();
        assertThat(p.warnings()).map(Problem::toString).containsExactly("PUT /canvases/loop: steps.add.updates[0]: " + LOOP_WARNING);
    }

    @Test
    void a_single_document_resolves_segments_against_the_given_set() throws IOException {
        write("segments/leads.yaml", "id: leads\nname: Leads\n");
        DefinitionSet current = loader.load(dir).definitions();
        Parsed<Canvas> p = DefinitionLoader.parseCanvas(canvas("a", ", audience: { segments: [leads] }"), "PUT /canvases/a", false, current);
        assertThat(p.problems()).isEmpty();
        assertThat(p.value().orElseThrow().entry().segmentIds()).containsExactly("leads");
    }
}
