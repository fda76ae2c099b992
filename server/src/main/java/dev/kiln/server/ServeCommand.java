package dev.kiln.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code kiln serve}: runs until SIGTERM/SIGINT, then drains and exits 0. */
@Command(name = "serve", description = "Start the Kiln server.", mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    private static final Pattern RATE = Pattern.compile("(\\d+)/(\\d+)(ms|s|m|h)");

    @Mixin StoreOptions storeOptions;
    @Mixin DriversOptions driversOptions;

    @Option(names = "--port", defaultValue = "${env:KILN_PORT:-4000}", description = "HTTP port. Env KILN_PORT. Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--definitions", defaultValue = "${env:KILN_DEFINITIONS:-examples}",
            description = "Definitions directory. Env KILN_DEFINITIONS. Default: ${DEFAULT-VALUE}")
    Path definitions;

    @Option(names = "--rate-limit", defaultValue = "${env:KILN_RATE_LIMIT:-3000/3s}",
            description = "Requests per API key per window, e.g. 3000/3s. Env KILN_RATE_LIMIT. Default: ${DEFAULT-VALUE}")
    String rateLimit;

    @Option(names = "--lanes", defaultValue = "${env:KILN_LANES:-2}", description = "Single-writer lanes. Env KILN_LANES. Default: ${DEFAULT-VALUE}")
    int lanes;

    @Option(names = "--webhook-timeout", defaultValue = "${env:KILN_WEBHOOK_TIMEOUT:-30}",
            description = "Seconds a webhook request may take. Env KILN_WEBHOOK_TIMEOUT. Default: ${DEFAULT-VALUE}")
    int webhookTimeoutSeconds;

    @Option(names = "--outbound-allow", split = ",", defaultValue = "${env:KILN_OUTBOUND_ALLOW:-}",
            description = "Only these hosts (exact, *.suffix) or CIDR ranges may be called by webhooks and connected content; "
                    + "empty = any not denied. Env KILN_OUTBOUND_ALLOW (comma-separated).")
    java.util.List<String> outboundAllow;

    @Option(names = "--outbound-deny", split = ",", defaultValue = "${env:KILN_OUTBOUND_DENY:-}",
            description = "Hosts or CIDR ranges webhooks may never call, besides link-local and cloud metadata (always denied). "
                    + "Env KILN_OUTBOUND_DENY (comma-separated).")
    java.util.List<String> outboundDeny;

    private static java.util.List<String> nonBlank(java.util.List<String> l) {
        return l == null ? java.util.List.of() : l.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    @Override
    public Integer call() throws Exception {
        Matcher m = RATE.matcher(rateLimit);
        if (!m.matches()) {
            System.err.println("--rate-limit: expected REQUESTS/WINDOW such as 3000/3s, got '" + rateLimit + "'");
            return 2;
        }
        Duration window = switch (m.group(3)) {
            case "ms" -> Duration.ofMillis(Long.parseLong(m.group(2)));
            case "s" -> Duration.ofSeconds(Long.parseLong(m.group(2)));
            case "m" -> Duration.ofMinutes(Long.parseLong(m.group(2)));
            default -> Duration.ofHours(Long.parseLong(m.group(2)));
        };
        if (definitions != null && !Files.isDirectory(definitions)) {
            System.err.println("--definitions: " + definitions + " is not a directory");
            return 2;
        }
        if (webhookTimeoutSeconds < 1) {
            System.err.println("--webhook-timeout: must be at least 1 second, was " + webhookTimeoutSeconds);
            return 2;
        }
        dev.kiln.delivery.DeliveryConfig delivery;
        try {
            delivery = dev.kiln.delivery.DeliveryConfig.defaults()
                    .withRequestTimeout(Duration.ofSeconds(webhookTimeoutSeconds))
                    .withAllowHosts(nonBlank(outboundAllow)).withDenyHosts(nonBlank(outboundDeny));
            delivery.outboundPolicy();
        } catch (IllegalArgumentException e) {
            System.err.println("--outbound-allow/--outbound-deny: " + e.getMessage());
            return 2;
        }
        driversOptions.apply();
        ServerConfig config = new ServerConfig(port, storeOptions.jdbcUrl(), definitions, System.getenv("KILN_ADMIN_KEY"),
                Integer.parseInt(m.group(1)), window, lanes, ServerConfig.DEFAULT_WATCH_INTERVAL, delivery);
        KilnServer server;
        try {
            server = KilnServer.start(config);
        } catch (Definitions.InvalidDefinitionsException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable drain = () -> {
            try {
                server.close();
            } catch (RuntimeException e) {
                log.error("error while draining", e);
            } finally {
                stopped.countDown();
            }
        };
        // Handle the signals ourselves: a JVM shutdown hook would exit 143 on SIGTERM, and we want a
        // drain that commits what is in flight and then exits 0.
        for (String sig : new String[]{"TERM", "INT"}) {
            Signal.handle(new Signal(sig), s -> {
                log.info("SIG{} received", sig);
                Thread.ofPlatform().name("kiln-drain").start(drain);
            });
        }
        stopped.await();
        return 0;
    }
}
