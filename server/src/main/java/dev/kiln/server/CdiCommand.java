package dev.kiln.server;

import dev.kiln.definitions.DefinitionSet;
import dev.kiln.runtime.CampaignRegistry;
import dev.kiln.runtime.CanvasRegistry;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.RuntimeConfig;
import dev.kiln.server.cdi.CdiRun;
import dev.kiln.server.cdi.CdiService;
import dev.kiln.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code kiln cdi sync ID}: one sync of a CDI integration against the configured store and definitions,
 * without the HTTP server (Canvases and campaigns react as in {@code serve}; webhooks they queue are sent by
 * the next {@code serve}). Do not run it against a SQLite store a running server holds.
 */
@Command(name = "cdi", description = "Cloud Data Ingestion.", mixinStandardHelpOptions = true, subcommands = CdiCommand.Sync.class)
final class CdiCommand implements Runnable {
    @Override public void run() {
        System.out.println("usage: kiln cdi sync ID");
    }

    @Command(name = "sync", description = "Run one sync of a CDI integration and print the result.", mixinStandardHelpOptions = true)
    static final class Sync implements Callable<Integer> {
        @Mixin StoreOptions storeOptions;
        @Mixin DriversOptions driversOptions;

        @Option(names = "--definitions", defaultValue = "${env:KILN_DEFINITIONS:-examples}",
                description = "Definitions directory. Env KILN_DEFINITIONS. Default: ${DEFAULT-VALUE}")
        Path definitions;

        @Parameters(index = "0", description = "The integration id (cdi/ID.yaml).")
        String id;

        @Override public Integer call() {
            driversOptions.apply();
            Definitions defs;
            try {
                defs = Definitions.load(definitions, Duration.ofDays(1));
            } catch (Definitions.InvalidDefinitionsException e) {
                e.problems().forEach(p -> System.err.println(p));
                return 2;
            }
            try (defs) {
                DefinitionSet set = defs.current();
                if (!set.cdi().containsKey(id)) {
                    System.err.println("no CDI integration " + id + " in " + definitions + "/cdi (known: " + set.cdi().keySet() + ")");
                    return 2;
                }
                Store store = storeOptions.open();
                try {
                    KilnRuntime runtime = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry());
                    CdiRun run;
                    try {
                        new CanvasRegistry(store, runtime).definitionsLoaded(set, defs.canvasDocuments());
                        new CampaignRegistry(store, runtime).definitionsLoaded(set, defs.campaignDocuments());
                        try (CdiService cdi = new CdiService(runtime, set.cdi())) {
                            run = cdi.runNow(id, "cli");
                        }
                    } finally {
                        runtime.close();
                    }
                    System.out.println(run.summary());
                    run.reasons().forEach(r -> System.out.println("  skipped " + r.row() + ": " + r.reason()));
                    return run.status() == CdiRun.Status.ERROR ? 1 : 0;
                } finally {
                    store.close();
                }
            }
        }
    }
}
