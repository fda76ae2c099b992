package dev.kiln.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A temporary definitions directory for the webhook benchmark, removed by {@link #close()}: the seed campaign
 * ({@code examples/campaigns/salesforce-mql.yaml}, copied verbatim but for its {@code rate_limit} line, see
 * {@link #write}) and a {@code salesforce} connection pointing at the local fake's token endpoint, whose client
 * secret is read from the server's environment ({@code client_secret: { env: … }}). Optionally the seed Canvas
 * and the example segments too ({@link ScoringDefinitions#write}).
 *
 * @param rateLimit what the campaign's {@code rate_limit} became, for the output
 */
record WebhookDefinitions(Path dir, String rateLimit, boolean withCanvas) implements AutoCloseable {
    static final String CAMPAIGN_FILE = "campaigns/salesforce-mql.yaml";
    static final String CAMPAIGN_ID = "salesforce-mql";
    static final String CONNECTION_FILE = "connections/salesforce.yaml";
    private static final Pattern RATE_LIMIT_LINE = Pattern.compile("(?m)^rate_limit:.*$");

    /**
     * @param rateLimit "none" removes the seed's {@code rate_limit} (its 1,000/min would cap the benchmark at 16.7
     *                  sends/s), "seed" keeps it, a number sets {@code per_minute} to it
     */
    static WebhookDefinitions write(Path examples, String tokenUrl, String clientId, String secretEnv, String rateLimit,
                                    boolean withCanvas) {
        Path source = campaignFile(examples);
        try {
            String yaml = Files.readString(source, StandardCharsets.UTF_8);
            Matcher m = RATE_LIMIT_LINE.matcher(yaml);
            String described;
            if (rateLimit.equals("seed")) {
                described = m.find() ? "the seed's (" + m.group().replaceFirst("\\s*#.*$", "").trim() + ")" : "none (the seed has none)";
            } else if (rateLimit.equals("none")) {
                described = m.find() ? "removed (the seed's " + m.group().replaceFirst("\\s*#.*$", "").trim() + " would cap the sends)" : "none (the seed has none)";
                yaml = m.replaceFirst("# rate_limit removed by the webhook benchmark");
            } else {
                int perMinute = Integer.parseInt(rateLimit);
                String line = "rate_limit: { per_minute: " + perMinute + " }";
                described = String.format("per_minute: %,d (%,.0f /s) set by --rate-limit", perMinute, perMinute / 60.0);
                yaml = m.find() ? m.replaceFirst(line) : yaml + "\n" + line + "\n";
            }
            Path dir;
            if (withCanvas) {
                dir = ScoringDefinitions.write(examples, "1d").dir();
            } else {
                dir = Files.createTempDirectory("kiln-bench-definitions-");
            }
            Files.createDirectories(dir.resolve("campaigns"));
            Files.createDirectories(dir.resolve("connections"));
            Files.writeString(dir.resolve(CAMPAIGN_FILE), yaml, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(CONNECTION_FILE), connection(tokenUrl, clientId, secretEnv), StandardCharsets.UTF_8);
            return new WebhookDefinitions(dir, described, withCanvas);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the webhook benchmark's definitions", e);
        }
    }

    /** The connection of examples/connections/salesforce.yaml, pointed at the fake. */
    static String connection(String tokenUrl, String clientId, String secretEnv) {
        return "# written by the webhook benchmark: examples/connections/salesforce.yaml pointed at the local fake Salesforce\n"
                + "id: salesforce\n"
                + "type: oauth2_client_credentials\n"
                + "token_url: " + tokenUrl + "\n"
                + "client_id: " + clientId + "\n"
                + "client_secret: { env: " + secretEnv + " }\n";
    }

    static Path campaignFile(Path examples) {
        Path p = examples.resolve(CAMPAIGN_FILE);
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(examples + " has no " + CAMPAIGN_FILE);
        return p;
    }

    @Override public void close() {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.out.println("  ! could not remove " + dir + ": " + e);
        }
    }
}
