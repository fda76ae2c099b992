package dev.kiln.definitions;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** CDI integration documents: the model they give and one test per validation rule. */
class CdiKindTest {
    static final String FILE = "cdi/c.yaml";
    static final String HEAD = "id: scores\nname: Scores\n";
    static final String SOURCE = "source: { jdbc_url: 'jdbc:sqlite:./kiln-data/warehouse.db', table: lead_scores }\n";
    static final String REST = "type: users.attributes\nschedule: { every: 15m }\n";

    static CdiIntegration parse(String yaml) {
        Parsed<CdiIntegration> p = DefinitionLoader.parseCdi(yaml, FILE, false);
        assertThat(p.problems()).isEmpty();
        return p.value().orElseThrow();
    }

    static List<String> problems(String yaml) {
        Parsed<CdiIntegration> p = DefinitionLoader.parseCdi(yaml, FILE, false);
        assertThat(p.value()).isEmpty();
        return p.problems().stream().map(Problem::toString).toList();
    }

    static String at(String path, String message) { return FILE + ": " + path + ": " + message; }

    @Test
    void a_full_document_parses_into_every_field() {
        CdiIntegration c = parse("""
                id: lead-scores
                name: Lead scores
                source:
                  jdbc_url: jdbc:postgresql://warehouse:5432/analytics
                  user: kiln
                  password: { env: WAREHOUSE_PASSWORD }
                  query: SELECT * FROM scores WHERE kind = 'lead';
                type: users.delete
                schedule: { every: 15m }
                batch_size: 500
                overlap: 2h
                """);
        assertThat(c).isEqualTo(new CdiIntegration("lead-scores", "Lead scores", "jdbc:postgresql://warehouse:5432/analytics", "kiln",
                Connection.SecretRef.env("WAREHOUSE_PASSWORD"), null, "SELECT * FROM scores WHERE kind = 'lead'",
                CdiIntegration.Type.USERS_DELETE, 15 * 60_000L, 500, 2 * 3_600_000L));
        assertThat(c.from()).isEqualTo("(SELECT * FROM scores WHERE kind = 'lead')");
    }

    @Test
    void defaults_manual_schedule_batch_and_overlap() {
        CdiIntegration c = parse(HEAD + SOURCE + "type: users.attributes\nschedule: { manual: true }\n");
        assertThat(c.manual()).isTrue();
        assertThat(c.batchSize()).isEqualTo(1000);
        assertThat(c.overlapMillis()).isEqualTo(3_600_000L);
        assertThat(c.user()).isNull();
        assertThat(c.password()).isNull();
        assertThat(c.from()).isEqualTo("lead_scores");
    }

    @Test
    void the_set_lists_cdi_integrations() {
        CdiIntegration c = parse(HEAD + SOURCE + REST);
        assertThat(DefinitionSet.of(java.util.Map.of(DefinitionLoader.CDI, java.util.Map.of("scores", c))).cdi()).containsKey("scores");
    }

    @Test void unknown_keys_are_refused() {
        assertThat(problems(HEAD + SOURCE + REST + "batchsize: 3\n")).containsExactly(at("batchsize", "unknown key; did you mean batch_size?"));
    }

    @Test void source_is_required() {
        assertThat(problems(HEAD + REST)).containsExactly(at("source", "required"));
    }

    @Test void table_and_query_are_exclusive_and_one_is_required() {
        assertThat(problems(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db', table: t, query: SELECT 1 }\n" + REST))
                .containsExactly(at("source", "give table or query, not both"));
        assertThat(problems(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db' }\n" + REST))
                .containsExactly(at("source", "required: table (a table or view name) or query (a SELECT)"));
    }

    @Test void a_table_is_a_plain_name() {
        assertThat(problems(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db', table: 'x; drop table y' }\n" + REST)).singleElement()
                .asString().startsWith(at("source.table", "expected a table name"));
    }

    @Test void a_query_is_one_select() {
        assertThat(problems(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db', query: 'SELECT 1; DELETE FROM t' }\n" + REST))
                .containsExactly(at("source.query", "one SELECT statement only (found ';' inside)"));
        assertThat(problems(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db', query: 'DELETE FROM t' }\n" + REST)).singleElement()
                .asString().startsWith(at("source.query", "expected a SELECT"));
    }

    @Test void the_url_is_jdbc_and_holds_no_password() {
        assertThat(problems(HEAD + "source: { jdbc_url: 'postgres://h/db', table: t }\n" + REST)).singleElement()
                .asString().startsWith(at("source.jdbc_url", "expected a JDBC URL starting with jdbc:"));
        List<String> p = problems(HEAD + "source: { jdbc_url: 'jdbc:postgresql://h/db?user=u&password=hunter22', table: t }\n" + REST);
        assertThat(p).singleElement().asString().startsWith(at("source.jdbc_url", "must not hold a password"));
        assertThat(p.get(0)).doesNotContain("hunter22");
    }

    @Test void a_password_is_read_from_env_or_file_never_written() {
        List<String> p = problems(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db', table: t, password: hunter22 }\n" + REST);
        assertThat(p).containsExactly(at("source.password", ConnectionKind.LITERAL_SECRET));
        assertThat(parse(HEAD + "source: { jdbc_url: 'jdbc:sqlite:x.db', table: t, password: { file: /run/secrets/w } }\n" + REST)
                .password()).isEqualTo(Connection.SecretRef.file("/run/secrets/w"));
    }

    @Test void type_is_required_and_known() {
        assertThat(problems(HEAD + SOURCE + "schedule: { manual: true }\n"))
                .containsExactly(at("type", "required: users.attributes, users.events, users.purchases or users.delete"));
        assertThat(problems(HEAD + SOURCE + "type: users.atributes\nschedule: { manual: true }\n")).singleElement()
                .asString().startsWith(at("type", "unknown CDI type; did you mean users.attributes?"));
    }

    @Test void events_and_purchases_are_types() {
        assertThat(parse(HEAD + SOURCE + "type: users.events\nschedule: { manual: true }\n").type()).isEqualTo(CdiIntegration.Type.USERS_EVENTS);
        assertThat(parse(HEAD + SOURCE + "type: users.purchases\nschedule: { manual: true }\n").type()).isEqualTo(CdiIntegration.Type.USERS_PURCHASES);
    }

    @Test void schedule_is_every_or_manual() {
        assertThat(problems(HEAD + SOURCE + "type: users.attributes\n")).containsExactly(at("schedule", "required: { every: 15m } or { manual: true }"));
        assertThat(problems(HEAD + SOURCE + "type: users.attributes\nschedule: { every: 15m, manual: true }\n"))
                .containsExactly(at("schedule", "give every or manual, not both"));
        assertThat(problems(HEAD + SOURCE + "type: users.attributes\nschedule: { every: 10s }\n"))
                .containsExactly(at("schedule.every", "at least 1m between syncs, got string '10s'"));
        assertThat(problems(HEAD + SOURCE + "type: users.attributes\nschedule: { manual: false }\n"))
                .containsExactly(at("schedule.manual", "expected true, got boolean false"));
    }

    @Test void batch_size_is_bounded() {
        assertThat(problems(HEAD + SOURCE + REST + "batch_size: 0\n"))
                .containsExactly(at("batch_size", "expected a whole number of rows from 1 to 10000, got number 0"));
    }

    @Test void overlap_is_a_duration() {
        assertThat(problems(HEAD + SOURCE + REST + "overlap: soon\n")).singleElement().asString().startsWith(at("overlap", "expected a duration"));
    }

    @Test void id_and_name_are_required() {
        assertThat(problems(SOURCE + REST)).contains(at("id", "required"), at("name", "required"));
    }
}
