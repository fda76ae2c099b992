package dev.kiln.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kiln} command line. */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
        description = "Self-hosted lead scoring and lead handoff, Braze-compatible.",
        subcommands = {ServeCommand.class, KeysCommand.class, ValidateCommand.class, dev.kiln.server.simulate.SimulateCommand.class,
                RenderCommand.class, CdiCommand.class,
                dev.kiln.server.fake.FakeSalesforceCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Helidon logs through java.util.logging; send it to SLF4J/logback like everything else.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
