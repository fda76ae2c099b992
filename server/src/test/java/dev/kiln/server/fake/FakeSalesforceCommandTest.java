package dev.kiln.server.fake;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code kiln fake-salesforce}: what it prints is enough to reach it, and it stops when told to. */
class FakeSalesforceCommandTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final Pattern TOKEN_URL = Pattern.compile("(?m)^token_url: (\\S+)$");

    @Test
    void prints_the_connection_and_accepts_the_secret_from_the_named_variable_without_printing_it() throws Exception {
        FakeSalesforceCommand cmd = new FakeSalesforceCommand();
        cmd.environment = Map.of("SF_SECRET", "from-the-env-123")::get;
        StringWriter out = new StringWriter();
        AtomicInteger statusWhileRunning = new AtomicInteger();
        String[] tokenUrl = new String[1];
        cmd.awaitStop = () -> {
            Matcher m = TOKEN_URL.matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            tokenUrl[0] = m.group(1);
            statusWhileRunning.set(token(tokenUrl[0], "my-app", "from-the-env-123"));
        };

        int exit = new CommandLine(cmd).setOut(new PrintWriter(out)).execute(
                "--port", "0", "--client-id", "my-app", "--client-secret-env", "SF_SECRET");

        assertThat(exit).isZero();
        assertThat(statusWhileRunning).hasValue(200);
        assertThat(out.toString())
                .contains("id: salesforce\ntype: oauth2_client_credentials\n")
                .contains("client_id: my-app\n")
                .contains("client_secret: { env: SF_SECRET }\n")
                .containsPattern("instance_url: http://127\\.0\\.0\\.1:\\d+\n")
                .contains("/_fake/requests")
                .doesNotContain("from-the-env-123");
        assertThatThrownBy(() -> token(tokenUrl[0], "my-app", "from-the-env-123"))
                .as("stopped after the command returned").hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void generates_a_secret_when_the_variable_is_unset_and_prints_the_export_line() {
        FakeSalesforceCommand cmd = new FakeSalesforceCommand();
        cmd.environment = name -> null;
        StringWriter out = new StringWriter();
        AtomicInteger status = new AtomicInteger();
        cmd.awaitStop = () -> {
            Matcher url = TOKEN_URL.matcher(out.toString());
            Matcher secret = Pattern.compile("(?m)^export SALESFORCE_CLIENT_SECRET=([0-9a-f]{32})$").matcher(out.toString());
            assertThat(url.find() && secret.find()).as(out.toString()).isTrue();
            status.set(token(url.group(1), FakeSalesforce.DEFAULT_CLIENT_ID, secret.group(1)));
        };

        assertThat(new CommandLine(cmd).setOut(new PrintWriter(out)).execute("--port", "0")).isZero();
        assertThat(status).hasValue(200);
    }

    static int token(String url, String clientId, String secret) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + clientId
                            + "&client_secret=" + secret)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
