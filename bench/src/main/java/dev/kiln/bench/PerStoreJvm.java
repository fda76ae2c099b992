package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs {@code ingest} once per store, each in a fresh JVM with this JVM's flags and class path, and
 * returns their figures. Why: a stopped Kiln server stays reachable in its JVM (Helidon 4.5's idle
 * connection timer keeps the listener, its routes and so the runtime with its profile caches — see
 * helidon-io/helidon#11939), so a second store measured in the same JVM would carry the first one's heap;
 * and a fresh JVM also starts both stores from the same JIT state.
 */
final class PerStoreJvm {
    private static final Set<String> REPLACED = Set.of("--store", "--out");
    /** System property set in the children. */
    static final String CHILD = "kiln.bench.child";

    private PerStoreJvm() {}

    /** The figures of each store's run ("stores" of its JSON), or an "error" entry when it failed. */
    static Map<String, Object> run(List<String> stores, List<String> originalArgs) throws IOException, InterruptedException {
        Map<String, Object> results = new LinkedHashMap<>();
        for (String store : stores) {
            Path json = Files.createTempFile("kiln-bench-" + store + "-", ".json");
            try {
                List<String> cmd = new ArrayList<>(jvm());
                cmd.add(BenchMain.class.getName());
                cmd.add("ingest");
                cmd.addAll(without(originalArgs));
                cmd.addAll(List.of("--store", store, "--out", json.toString()));
                System.out.println();
                System.out.println(">>> " + store + ": in a fresh JVM");
                Process p = new ProcessBuilder(cmd).inheritIO().start();
                int code = p.waitFor();
                if (code == 0 && Files.size(json) > 0) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> report = new ObjectMapper().readValue(json.toFile(), Map.class);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> s = (Map<String, Object>) report.get("stores");
                    results.put(store, s.get(store));
                } else {
                    results.put(store, Json.obj("error", "the " + store + " run exited with " + code));
                }
            } finally {
                Files.deleteIfExists(json);
            }
        }
        return results;
    }

    /** java, this JVM's flags (less those JAVA_TOOL_OPTIONS adds again by itself), class path. */
    private static List<String> jvm() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String tool = System.getenv("JAVA_TOOL_OPTIONS");
        Set<String> fromEnv = tool == null ? Set.of() : Set.copyOf(Arrays.asList(tool.trim().split("\\s+")));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (!fromEnv.contains(a)) cmd.add(a);
        cmd.add("-D" + CHILD + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    /**
     * The command line after {@code ingest}, without {@code --store X} / {@code --out X} (either spelling),
     * which each child gets its own of.
     */
    static List<String> without(List<String> args) {
        List<String> out = new ArrayList<>();
        int from = args.indexOf("ingest") + 1;
        for (int i = from; i < args.size(); i++) {
            String a = args.get(i);
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (REPLACED.contains(name)) {
                if (eq < 0) i++; // skip the value too
                continue;
            }
            out.add(a);
        }
        return out;
    }
}
