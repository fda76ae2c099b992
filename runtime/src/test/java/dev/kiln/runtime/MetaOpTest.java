package dev.kiln.runtime;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.Value;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Op.Meta}: a connector's progress committed with the rows of its submission, or not at all. */
class MetaOpTest {
    private final FakeStore store = new FakeStore();
    private final KilnRuntime runtime = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry());

    @AfterEach void close() { runtime.close(); }

    private static Op row(String who, double score) {
        return new Op.Apply(new Identifier.ExternalId(who), true, new Input.UpdateAttributes("r-" + who + score,
                new Source(Source.Kind.CDI, "scores"), List.of(new AttributeOp.Set("lead score", new Value.Num(score)))));
    }

    @Test void the_watermark_lands_in_the_same_commit_as_the_rows() throws Exception {
        List<Outcome> out = runtime.submit(List.of(row("a", 1), row("b", 2), new Op.Meta("cdi:scores", "{\"w\":2}")))
                .get(10, TimeUnit.SECONDS);
        assertThat(out).allMatch(Outcome::ok);
        assertThat(store.meta).containsEntry("cdi:scores", "{\"w\":2}");
        assertThat(store.users).hasSize(2);
    }

    @Test void a_failed_commit_moves_neither_rows_nor_watermark() {
        store.failNextCommit.set(true);
        assertThatThrownBy(() -> runtime.submit(List.of(row("c", 1), new Op.Meta("cdi:scores", "w9"))).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        assertThat(store.meta).doesNotContainKey("cdi:scores");
        assertThat(store.users).isEmpty();
    }
}
