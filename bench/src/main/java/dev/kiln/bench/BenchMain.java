package dev.kiln.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Kiln's benchmarks: {@code bench/ingest} (or {@code ./kiln bench ingest}) runs {@link IngestCommand}.
 * Benchmarks print figures and assert nothing; they are not tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "kiln bench 0.1.0",
        description = "Kiln benchmarks: they print figures and assert nothing.",
        subcommands = {IngestCommand.class, ScoringCommand.class, WebhooksCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Before any logger exists: the server's logback.xml logs INFO; here only warnings reach stderr.
        if (System.getProperty("logback.configurationFile") == null)
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
