package dev.kiln.runtime;

import dev.kiln.definitions.DefinitionLoader;
import dev.kiln.definitions.DefinitionSet;
import dev.kiln.definitions.LoadResult;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.store.JdbcStore;
import dev.kiln.store.StoreConfig;
import dev.kiln.store.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CanvasRegistryTest {
    @TempDir Path dir;

    private static final String SEGMENT = "id: leads\nname: Leads\nfilters: { attribute: \"lead score\", greater_than: 0 }\n";

    private static String canvas(String status, String window) {
        return "id: c\nname: C\nstatus: " + status + "\nentry:\n  triggers: [ { custom_event: { name: go } } ]\n"
                + "  audience: { segments: [leads] }\n  reentry: { allowed: true, after: 0s }\nstart: w\nsteps:\n"
                + "  w: { type: action_paths, window: " + window + ", groups: [ { name: g, triggers: [ { custom_event: { name: stop } } ], exit: true } ], everyone_else: { next: u } }\n"
                + "  u: { type: user_update, updates: [ { attribute: n, increment: 1 } ] }\n";
    }

    private DefinitionSet load(Path defs) {
        LoadResult r = new DefinitionLoader().load(defs);
        assertThat(r.problems()).isEmpty();
        return r.definitions();
    }

    @Test void file_canvases_get_versions_when_edited_and_keep_launch_state_across_restarts() throws Exception {
        Path defs = Files.createDirectories(dir.resolve("defs"));
        Files.createDirectories(defs.resolve("segments"));
        Files.createDirectories(defs.resolve("canvases"));
        Files.writeString(defs.resolve("segments/leads.yaml"), SEGMENT);
        Files.writeString(defs.resolve("canvases/c.yaml"), canvas("draft", "1d"));
        String url = TestDatabases.sqliteUrl(dir);
        try (JdbcStore store = JdbcStore.open(StoreConfig.of(url));
             KilnRuntime rt = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry())) {
            CanvasRegistry reg = new CanvasRegistry(store, rt);
            reg.definitionsLoaded(load(defs), Map.of("c", canvas("draft", "1d")));
            assertThat(rt.canvases().get("c").status()).isEqualTo(Canvas.Status.DRAFT);
            reg.launch("c");
            reg.definitionsLoaded(load(defs), Map.of("c", canvas("draft", "1d"))); // same text: nothing changes
            assertThat(reg.get("c").orElseThrow().definition().version()).isEqualTo(1);
            assertThat(rt.canvases().get("c").active()).isTrue();
            Files.writeString(defs.resolve("canvases/c.yaml"), canvas("active", "2d"));
            reg.definitionsLoaded(load(defs), Map.of("c", canvas("active", "2d")));
            assertThat(reg.get("c").orElseThrow().definition().version()).isEqualTo(2);
            reg.stop("c");
        }
        try (JdbcStore store = JdbcStore.open(StoreConfig.of(url));
             KilnRuntime rt = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry())) {
            CanvasRegistry reg = new CanvasRegistry(store, rt);
            reg.definitionsLoaded(load(defs), Map.of("c", canvas("active", "2d")));
            assertThat(reg.get("c").orElseThrow().definition().version()).isEqualTo(2);
            assertThat(rt.canvases().get("c").status()).isEqualTo(Canvas.Status.STOPPED);
        }
    }

    @Test void api_canvases_naming_segments_survive_a_restart() throws Exception {
        Path defs = Files.createDirectories(dir.resolve("defs2"));
        Files.createDirectories(defs.resolve("segments"));
        Files.writeString(defs.resolve("segments/leads.yaml"), SEGMENT);
        String url = TestDatabases.sqliteUrl(dir);
        try (JdbcStore store = JdbcStore.open(StoreConfig.of(url));
             KilnRuntime rt = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry())) {
            CanvasRegistry reg = new CanvasRegistry(store, rt);
            reg.definitionsLoaded(load(defs), Map.of());
            assertThat(reg.put("c", canvas("active", "1d"), false).definition().version()).isEqualTo(1);
            assertThat(reg.put("c", canvas("active", "1d"), false).definition().version()).isEqualTo(1);
            assertThat(reg.put("c", canvas("active", "3d"), false).definition().version()).isEqualTo(2);
            assertThatThrownBy(() -> reg.put("c", "id: c\nname: x\n", false)).isInstanceOf(DefinitionRegistry.InvalidDefinitionException.class)
                    .hasMessageContaining("entry");
            assertThatThrownBy(() -> reg.launch("nope")).isInstanceOf(DefinitionRegistry.NoSuchDefinitionException.class);
        }
        try (JdbcStore store = JdbcStore.open(StoreConfig.of(url));
             KilnRuntime rt = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry())) {
            CanvasRegistry reg = new CanvasRegistry(store, rt);
            reg.definitionsLoaded(load(defs), Map.of());
            assertThat(rt.canvases().get("c")).isNotNull();
            assertThat(rt.canvases().get("c").version()).isEqualTo(2);
            assertThat(rt.canvases().get("c").active()).isTrue();
        }
    }
}
