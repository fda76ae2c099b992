package dev.kiln.definitions;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Connection documents: the model they give, one test per validation rule, and secrets never repeated. */
class ConnectionKindTest {
    static final String FILE = "connections/c.yaml";
    static final String OAUTH = "id: sf\ntype: oauth2_client_credentials\ntoken_url: https://login.salesforce.com/services/oauth2/token\n"
            + "client_id: 3MVG9abc\n";
    static final String SECRET = "client_secret: { env: SF_SECRET }\n";
    static final String BASIC = "id: partner\ntype: basic_auth\nusername: kiln\n";

    static Connection parse(String yaml) {
        Parsed<Connection> p = DefinitionLoader.parseConnection(yaml, FILE, false);
        assertThat(p.problems()).isEmpty();
        return p.value().orElseThrow();
    }

    static List<String> problems(String yaml) {
        Parsed<Connection> p = DefinitionLoader.parseConnection(yaml, FILE, false);
        assertThat(p.value()).isEmpty();
        return p.problems().stream().map(Problem::toString).toList();
    }

    static List<String> warnings(String yaml) {
        Parsed<Connection> p = DefinitionLoader.parseConnection(yaml, FILE, false);
        assertThat(p.problems()).isEmpty();
        return p.warnings().stream().map(Problem::toString).toList();
    }

    static String at(String path, String message) {
        return FILE + ": " + path + ": " + message;
    }

    // ---- the model ------------------------------------------------------------------------------

    @Test
    void an_oauth_client_credentials_connection_parses_into_every_field() {
        Connection c = parse("""
                id: salesforce
                type: oauth2_client_credentials
                token_url: https://login.salesforce.com/services/oauth2/token
                client_id: 3MVG9abc
                client_secret: { env: SALESFORCE_CLIENT_SECRET }
                scope: api refresh_token
                instance_url: https://acme.my.salesforce.com
                params: { audience: "https://api.example.com" }
                """);
        assertThat(c).isEqualTo(new Connection("salesforce", Connection.Type.OAUTH2_CLIENT_CREDENTIALS,
                "https://login.salesforce.com/services/oauth2/token", "3MVG9abc", Connection.SecretRef.env("SALESFORCE_CLIENT_SECRET"),
                "api refresh_token", "https://acme.my.salesforce.com", null, null, Map.of("audience", "https://api.example.com")));
    }

    @Test
    void optional_oauth_settings_default_to_none() {
        Connection c = parse(OAUTH + SECRET);
        assertThat(c.scope()).isNull();
        assertThat(c.instanceUrl()).isNull();
        assertThat(c.params()).isEmpty();
        assertThat(c.username()).isNull();
        assertThat(c.password()).isNull();
    }

    @Test
    void a_basic_auth_connection_reads_its_password_from_a_file() {
        Connection c = parse(BASIC + "password: { file: /run/secrets/partner }\n");
        assertThat(c).isEqualTo(new Connection("partner", Connection.Type.BASIC_AUTH, null, null, null, null, null, "kiln",
                Connection.SecretRef.file("/run/secrets/partner"), Map.of()));
        assertThat(c.toString()).contains("file:/run/secrets/partner");
    }

    @Test
    void a_valid_connection_gives_no_warning() {
        assertThat(warnings(OAUTH + SECRET)).isEmpty();
    }

    // ---- secrets --------------------------------------------------------------------------------

    static final String LITERAL = "a secret is never written in a definition: write { env: VARIABLE_NAME } (an environment variable)"
            + " or { file: /path/to/secret } (a file holding it)";

    @Test
    void a_literal_client_secret_is_refused_without_repeating_it() {
        List<String> p = problems(OAUTH + "client_secret: hunter2-very-secret\n");
        assertThat(p).containsExactly(at("client_secret", LITERAL));
        assertThat(String.join("\n", p)).doesNotContain("hunter2");
    }

    @Test
    void a_literal_password_is_refused_without_repeating_it() {
        List<String> p = problems(BASIC + "password: 12345678\n");
        assertThat(p).containsExactly(at("password", LITERAL));
        assertThat(String.join("\n", p)).doesNotContain("12345678");
    }

    @Test
    void a_secret_is_required() {
        assertThat(problems(OAUTH)).containsExactly(at("client_secret", "required: { env: VARIABLE_NAME } or { file: /path/to/secret }"));
        assertThat(problems(BASIC + "password:\n")).containsExactly(at("password", "required: { env: VARIABLE_NAME } or { file: /path/to/secret }"));
    }

    @Test
    void a_secret_is_read_from_env_or_file_not_both() {
        assertThat(problems(OAUTH + "client_secret: { env: A, file: /b }\n"))
                .containsExactly(at("client_secret", "a secret is read from env or file, not both"));
    }

    @Test
    void a_secret_takes_no_other_key() {
        List<String> p = problems(OAUTH + "client_secret: { value: hunter2 }\n");
        assertThat(p).containsExactly(at("client_secret.value", "unknown key; a secret is read from env or file"));
        assertThat(String.join("\n", p)).doesNotContain("hunter2");
    }

    @Test
    void an_empty_secret_mapping_is_refused() {
        assertThat(problems(OAUTH + "client_secret: {}\n"))
                .containsExactly(at("client_secret", "expected { env: VARIABLE_NAME } or { file: /path/to/secret }, got an empty mapping"));
    }

    @Test
    void env_must_name_a_variable_and_is_not_repeated() {
        List<String> p = problems(OAUTH + "client_secret: { env: \"hunter2 is my secret\" }\n");
        assertThat(p).containsExactly(at("client_secret.env", "expected an environment variable name: letters, digits and '_', not starting with a digit"));
        assertThat(String.join("\n", p)).doesNotContain("hunter2");
    }

    @Test
    void file_must_be_an_absolute_path_and_is_not_repeated() {
        List<String> p = problems(OAUTH + "client_secret: { file: hunter2 }\n");
        assertThat(p).containsExactly(at("client_secret.file",
                "expected an absolute path such as /run/secrets/salesforce (a relative one would depend on where Kiln runs)"));
        assertThat(String.join("\n", p)).doesNotContain("hunter2");
    }

    // ---- the document ---------------------------------------------------------------------------

    @Test
    void type_is_required() {
        assertThat(problems("id: sf\nclient_id: a\n")).containsExactly(at("type", "required: oauth2_client_credentials or basic_auth"));
    }

    @Test
    void unknown_type_is_refused_with_a_suggestion() {
        assertThat(problems("id: sf\ntype: basicauth\n")).containsExactly(at("type", "unknown connection type; did you mean basic_auth?"));
    }

    @Test
    void id_is_required() {
        assertThat(problems("type: basic_auth\nusername: u\npassword: { env: P }\n")).containsExactly(at("id", "required"));
    }

    @Test
    void unknown_keys_are_refused_with_a_suggestion() {
        assertThat(problems(OAUTH + SECRET + "scopes: api\n")).containsExactly(at("scopes", "unknown key; did you mean scope?"));
    }

    @Test
    void keys_of_the_other_type_are_refused() {
        assertThat(problems(OAUTH + SECRET + "username: u\n"))
                .containsExactly(at("username", "only for basic_auth connections (this one is oauth2_client_credentials)"));
        assertThat(problems(BASIC + "password: { env: P }\ntoken_url: https://e.com/token\n"))
                .containsExactly(at("token_url", "only for oauth2_client_credentials connections (this one is basic_auth)"));
    }

    @Test
    void oauth_needs_token_url_and_client_id() {
        assertThat(problems("id: sf\ntype: oauth2_client_credentials\n" + SECRET))
                .containsExactly(at("token_url", "required"), at("client_id", "required"));
    }

    @Test
    void basic_auth_needs_username() {
        assertThat(problems("id: p\ntype: basic_auth\npassword: { env: P }\n")).containsExactly(at("username", "required"));
    }

    @Test
    void the_client_id_is_written_as_text() {
        assertThat(problems("id: sf\ntype: oauth2_client_credentials\ntoken_url: https://e.com/t\nclient_id: { env: ID }\n" + SECRET))
                .containsExactly(at("client_id", "the client id is not a secret: write it as text"));
    }

    @Test
    void token_url_must_be_an_http_url() {
        assertThat(problems("id: sf\ntype: oauth2_client_credentials\ntoken_url: login.salesforce.com/token\nclient_id: a\n" + SECRET))
                .containsExactly(at("token_url", "expected an http:// or https:// URL with a host, such as"
                        + " https://login.salesforce.com/services/oauth2/token, got string 'login.salesforce.com/token'"));
    }

    @Test
    void a_placeholder_host_with_underscores_is_accepted() {
        assertThat(parse("id: sf\ntype: oauth2_client_credentials\ntoken_url: https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/oauth2/token\n"
                + "client_id: a\n" + SECRET).tokenUrl()).isEqualTo("https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/oauth2/token");
    }

    @Test
    void a_url_must_not_hold_credentials() {
        assertThat(problems("id: sf\ntype: oauth2_client_credentials\ntoken_url: https://me:pw@e.com/t\nclient_id: a\n" + SECRET))
                .containsExactly(at("token_url", "must not hold a user name or password (user@host)"));
        assertThat(problems("id: sf\ntype: oauth2_client_credentials\ntoken_url: https://me:pw@MY_HOST.example.com/t\nclient_id: a\n" + SECRET))
                .containsExactly(at("token_url", "must not hold a user name or password (user@host)"));
    }

    @Test
    void instance_url_must_not_end_with_a_slash() {
        assertThat(problems(OAUTH + SECRET + "instance_url: https://acme.my.salesforce.com/\n")).containsExactly(at("instance_url",
                "must not end with '/': templates add the path ({{connections.ID.instance_url}}/services/…)"));
    }

    @Test
    void params_may_not_set_what_kiln_sets() {
        assertThat(problems(OAUTH + SECRET + "params: { grant_type: password, client_secret: x }\n")).containsExactly(
                at("params.grant_type", "Kiln sets grant_type itself (client_credentials); remove it"),
                at("params.client_secret", "Kiln sets client_secret itself from the connection's client_secret; remove it"));
    }

    @Test
    void params_are_text() {
        assertThat(problems(OAUTH + SECRET + "params: { audience: [a] }\n")).containsExactly(
                at("params.audience", "expected a parameter value as text (not a secret: secrets go in client_secret), got a list"));
    }

    // ---- warnings -------------------------------------------------------------------------------

    @Test
    void a_token_url_over_plain_http_warns_unless_local() {
        assertThat(warnings("id: sf\ntype: oauth2_client_credentials\ntoken_url: http://auth.example.com/token\nclient_id: a\n" + SECRET))
                .containsExactly(at("token_url", "http:// sends the client secret unencrypted; use https://"));
        assertThat(warnings("id: sf\ntype: oauth2_client_credentials\ntoken_url: http://localhost:8089/token\nclient_id: a\n" + SECRET)).isEmpty();
    }

    @Test
    void an_oauth_id_that_templates_cannot_name_with_dots_warns() {
        assertThat(warnings("id: my-crm\ntype: oauth2_client_credentials\ntoken_url: https://e.com/t\nclient_id: a\n" + SECRET)).containsExactly(
                at("id", "templates name this connection as {{connections[\"my-crm\"].access_token}}; an id of letters, digits and '_'"
                        + " only allows {{connections.ID.access_token}}"));
        assertThat(warnings(BASIC.replace("partner", "my-partner") + "password: { env: P }\n")).isEmpty();
    }
}
