package dev.kiln.server;

import dev.kiln.server.http.Scopes;
import dev.kiln.store.ApiKeyStore;
import dev.kiln.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code kiln keys create|list|revoke}: API keys, stored hashed; a key is printed once, at creation. */
@Command(name = "keys", description = "Manage API keys.", mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @Override public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", description = "Create a key and print it (it cannot be shown again).", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Mixin StoreOptions storeOptions;
        @Option(names = "--name", required = true, description = "A name to recognise the key by.") String name;
        @Option(names = "--scopes", required = true, split = ",",
                description = "Comma-separated scopes, or 'all'. Known: ${COMPLETION-CANDIDATES}",
                completionCandidates = KnownScopes.class) String[] scopes;

        @Override public Integer call() {
            Set<String> wanted = new LinkedHashSet<>(Arrays.asList(scopes));
            if (wanted.contains("all")) wanted = new TreeSet<>(Scopes.ALL);
            for (String s : wanted) {
                if (!Scopes.ALL.contains(s)) {
                    System.err.println("unknown scope '" + s + "'; known scopes: " + String.join(", ", new TreeSet<>(Scopes.ALL)));
                    return 2;
                }
            }
            String key = ApiKeys.newKey();
            try (Store store = storeOptions.openTables()) {
                ApiKeyStore.ApiKey k = store.apiKeys().create(ApiKeys.newId(), name, ApiKeys.hash(key), wanted, System.currentTimeMillis());
                System.out.println("id:     " + k.id());
                System.out.println("name:   " + k.name());
                System.out.println("scopes: " + String.join(",", new TreeSet<>(k.scopes())));
                System.out.println("key:    " + key);
                System.out.println("(store the key now: Kiln keeps only its hash)");
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List keys (never the keys themselves).", mixinStandardHelpOptions = true)
    static final class ListKeys implements Callable<Integer> {
        @Mixin StoreOptions storeOptions;

        @Override public Integer call() {
            try (Store store = storeOptions.openTables()) {
                System.out.printf("%-18s %-20s %-8s %s%n", "ID", "NAME", "STATUS", "SCOPES");
                for (ApiKeyStore.ApiKey k : store.apiKeys().list())
                    System.out.printf("%-18s %-20s %-8s %s%n", k.id(), k.name(), k.active() ? "active" : "revoked",
                            String.join(",", new TreeSet<>(k.scopes())));
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a key by id.", mixinStandardHelpOptions = true)
    static final class Revoke implements Callable<Integer> {
        @Mixin StoreOptions storeOptions;
        @Parameters(paramLabel = "ID") String id;

        @Override public Integer call() {
            try (Store store = storeOptions.openTables()) {
                if (!store.apiKeys().revoke(id, System.currentTimeMillis())) {
                    System.err.println("no active key with id " + id);
                    return 1;
                }
                System.out.println("revoked " + id);
            }
            return 0;
        }
    }

    static final class KnownScopes extends java.util.ArrayList<String> {
        KnownScopes() { super(new TreeSet<>(Scopes.ALL)); }
    }
}
