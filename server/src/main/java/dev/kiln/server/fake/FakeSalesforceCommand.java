package dev.kiln.server.fake;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * {@code kiln fake-salesforce}: runs {@link FakeSalesforce} until Ctrl-C and prints what to give Kiln: the
 * connection document and the environment variable holding the client secret. The secret is read from that
 * variable; when it is unset one is generated and printed once, so it can be exported for {@code kiln serve}.
 */
@Command(name = "fake-salesforce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a fake Salesforce (OAuth client credentials token endpoint and PATCH of a Lead) for trying "
                + "Kiln's lead handoff locally, and print the connection to use. Runs until Ctrl-C.",
                "Watch it with curl BASE/_fake/requests; make it fail with "
                        + "curl -X POST BASE/_fake/config -d '{\"unavailable\": true}' (or fail_with_503, expire_tokens, "
                        + "known_leads, unknown_leads, accept_any_lead, retry_after_seconds)."})
public final class FakeSalesforceCommand implements Callable<Integer> {
    public static final int DEFAULT_PORT = 4010;
    public static final String DEFAULT_SECRET_ENV = "SALESFORCE_CLIENT_SECRET";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", description = "Port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port = DEFAULT_PORT;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on. Default: ${DEFAULT-VALUE}")
    String host = FakeSalesforce.DEFAULT_HOST;

    @Option(names = "--client-id", paramLabel = "ID", description = "The client id to accept. Default: ${DEFAULT-VALUE}")
    String clientId = FakeSalesforce.DEFAULT_CLIENT_ID;

    @Option(names = "--client-secret-env", paramLabel = "VAR",
            description = "Environment variable holding the client secret to accept; generated when unset. Default: ${DEFAULT-VALUE}")
    String secretEnv = DEFAULT_SECRET_ENV;

    @Option(names = "--instance-url", paramLabel = "URL",
            description = "instance_url of token responses, when Kiln reaches the fake by another address. Default: the fake's URL")
    String instanceUrl;

    @Option(names = "--accept-any-lead", description = "Know every lead id, not only 15- or 18-character Salesforce ids.")
    boolean acceptAnyLead;

    @Option(names = "--unknown-lead", paramLabel = "ID", description = "A lead id that answers 404 (repeatable).")
    List<String> unknownLeads = new ArrayList<>();

    /** Where the secret comes from; tests replace it. */
    Function<String, String> environment = System::getenv;
    /** Blocks until the process is told to stop; tests replace it. */
    Runnable awaitStop = FakeSalesforceCommand::forever;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!secretEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            spec.commandLine().getErr().println("kiln fake-salesforce: --client-secret-env must name an environment variable, was '" + secretEnv + "'");
            spec.commandLine().getErr().flush();
            return 2;
        }
        String secret = environment.apply(secretEnv);
        boolean generated = secret == null || secret.isBlank();
        if (generated) {
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            secret = HexFormat.of().formatHex(random);
        }
        FakeSalesforce fake;
        try {
            fake = FakeSalesforce.start(host, port, java.time.Clock.systemUTC()).clientId(clientId).clientSecret(secret)
                    .acceptAnyLead(acceptAnyLead).unknownLeads(unknownLeads.toArray(String[]::new));
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("kiln fake-salesforce: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        Thread stop = new Thread(fake::close, "fake-salesforce-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            if (instanceUrl != null) fake.instanceUrl(instanceUrl);
            out.print(instructions(fake, generated ? secret : null));
            out.flush();
            awaitStop.run();
        } finally {
            fake.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
        }
        return 0;
    }

    /** What to tell the person: URLs, the connection document, the environment. The secret only when generated. */
    String instructions(FakeSalesforce fake, String generatedSecret) {
        String base = fake.baseUrl();
        String instance = fake.settings().instanceUrl;
        String leads = acceptAnyLead ? "any id" : "any 15- or 18-character id";
        StringBuilder s = new StringBuilder();
        s.append("Fake Salesforce on ").append(base).append(" (Ctrl-C to stop)\n\n");
        s.append("  token   POST  ").append(fake.tokenUrl()).append("   grant_type=client_credentials, client id ").append(clientId).append('\n');
        s.append("  leads   PATCH ").append(instance).append(FakeSalesforce.LEAD_PATH).append("{id}   ").append(leads)
                .append(unknownLeads.isEmpty() ? "" : " except " + String.join(", ", unknownLeads)).append('\n');
        s.append("  watch   curl -s ").append(base).append("/_fake/requests\n");
        s.append("  break   curl -s -X POST ").append(base).append("/_fake/config -d '{\"unavailable\": true}'\n\n");
        s.append("Connection for Kiln (connections/salesforce.yaml in the definitions directory):\n\n");
        s.append("id: salesforce\n");
        s.append("type: oauth2_client_credentials\n");
        s.append("token_url: ").append(fake.tokenUrl()).append('\n');
        s.append("client_id: ").append(clientId).append('\n');
        s.append("client_secret: { env: ").append(secretEnv).append(" }\n");
        s.append("instance_url: ").append(instance).append("\n\n");
        if (generatedSecret == null) {
            s.append("Client secret: read from $").append(secretEnv).append("; give kiln serve the same variable.\n");
        } else {
            s.append("Client secret: $").append(secretEnv).append(" was not set, so one was generated for this run. ")
                    .append("In the shell of kiln serve:\n\n");
            s.append("export ").append(secretEnv).append('=').append(generatedSecret).append('\n');
        }
        return s.toString();
    }

    private static void forever() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
