package dev.kiln.runtime;

import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KilnRuntimeTest {
    private final FakeStore store = new FakeStore();
    private final KilnRuntime runtime = KilnRuntime.start(RuntimeConfig.defaults(), store, new SimpleMeterRegistry());
    private int seq;

    @AfterEach void close() { runtime.close(); }

    private Op.Apply inc(String externalId, double by) {
        return new Op.Apply(new Identifier.ExternalId(externalId), true,
                new Input.UpdateAttributes("in" + (seq++), Source.track("t"), List.of(new AttributeOp.Inc("lead score", by))));
    }

    private List<Outcome> submit(Op... ops) throws Exception {
        return runtime.submit(List.of(ops)).get(10, TimeUnit.SECONDS);
    }

    private double score(String externalId) {
        return ((Value.Num) runtime.find(new Identifier.ExternalId(externalId)).orElseThrow().custom().get("lead score")).value();
    }

    @Test void submission_is_visible_in_the_store_when_its_future_completes() throws Exception {
        List<Outcome> out = submit(inc("u1", 5), inc("u1", 2));
        assertThat(out).allMatch(Outcome::ok);
        assertThat(out.get(0).userId()).isEqualTo(out.get(1).userId()).hasSize(24);
        assertThat(score("u1")).isEqualTo(7);
        assertThat(store.log).extracting(r -> r.type()).containsOnly("users.attributes.Change");
    }

    @Test void concurrent_submissions_for_a_new_external_id_create_one_user() throws Exception {
        List<CompletableFuture<List<Outcome>>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) fs.add(runtime.submit(List.of(inc("same", 1))));
        for (var f : fs) assertThat(f.get(10, TimeUnit.SECONDS).get(0).ok()).isTrue();
        assertThat(store.users).hasSize(1);
        assertThat(score("same")).isEqualTo(200);
    }

    @Test void update_existing_only_refuses_an_unknown_user_and_creates_nothing() throws Exception {
        Op.Apply op = new Op.Apply(new Identifier.ExternalId("ghost"), false,
                new Input.UpdateAttributes("x", Source.track("t"), List.of(new AttributeOp.Set("a", new Value.Str("b")))));
        assertThat(submit(op).get(0).error()).contains("no user with external_id \"ghost\"");
        assertThat(store.users).isEmpty();
    }

    @Test void a_refused_op_for_a_new_user_creates_no_profile() throws Exception {
        submit(new Op.Apply(new Identifier.ExternalId("s"), true,
                new Input.UpdateAttributes("a", Source.track("t"), List.of(new AttributeOp.Set("tag", new Value.Str("x"))))));
        Op.Apply bad = new Op.Apply(new Identifier.ExternalId("new"), true,
                new Input.UpdateAttributes("b", Source.track("t"), List.of(new AttributeOp.Add("x", List.of("a")), new AttributeOp.Inc("x", 1))));
        assertThat(submit(bad).get(0).error()).contains("cannot increment");
        assertThat(runtime.find(new Identifier.ExternalId("new"))).isEmpty();
        assertThat(store.identities).hasSize(1);
    }

    @Test void a_failed_commit_fails_the_submission_and_leaves_no_trace_in_memory() throws Exception {
        submit(inc("u", 1));
        store.failNextCommit.set(true);
        assertThatThrownBy(() -> submit(inc("u", 100), inc("brand-new", 1)))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CommitFailedException.class);
        submit(inc("u", 1));
        assertThat(score("u")).isEqualTo(2);  // the failed +100 is not in the cache either
        assertThat(runtime.find(new Identifier.ExternalId("brand-new"))).isEmpty();
    }

    @Test void delete_removes_the_profile_and_its_identifiers() throws Exception {
        String id = submit(inc("gone", 1)).get(0).userId();
        Outcome del = submit(new Op.Apply(new Identifier.ExternalId("gone"), false, new Input.Delete("d", Source.api("delete")))).get(0);
        assertThat(del.ok()).isTrue();
        assertThat(runtime.find(new Identifier.ExternalId("gone"))).isEmpty();
        assertThat(store.users).doesNotContainKey(id);
        String again = submit(inc("gone", 1)).get(0).userId();
        assertThat(again).isNotEqualTo(id);
        assertThat(score("gone")).isEqualTo(1);
    }

    @Test void identify_merges_an_alias_only_profile_into_the_external_id_profile() throws Exception {
        UserAlias alias = new UserAlias("anon-1", "cookie");
        submit(new Op.Apply(new Identifier.Alias(alias), true,
                new Input.UpdateAttributes("a", Source.track("t"), List.of(new AttributeOp.Set("utm", new Value.Str("ads")), new AttributeOp.Inc("lead score", 3)))));
        submit(new Op.Apply(new Identifier.Alias(alias), true, new Input.TrackEvent("e", Source.track("t"), "webinar", 1_000, null)));
        submit(inc("known", 10));
        Outcome o = submit(new Op.Merge("m", Source.api("identify"), alias, "known")).get(0);
        assertThat(o.ok()).as(o.error()).isTrue();
        UserState merged = runtime.find(new Identifier.ExternalId("known")).orElseThrow();
        assertThat(merged.custom().get("lead score")).isEqualTo(new Value.Num(10)); // the identified profile wins
        assertThat(merged.custom().get("utm")).isEqualTo(new Value.Str("ads"));
        assertThat(merged.events().get("webinar").count()).isEqualTo(1);
        assertThat(merged.aliases()).contains(alias);
        assertThat(runtime.find(new Identifier.Alias(alias)).orElseThrow().userId()).isEqualTo(merged.userId());
        assertThat(store.users).hasSize(1);
    }

    @Test void identify_gives_the_external_id_to_the_alias_profile_when_none_has_it() throws Exception {
        UserAlias alias = new UserAlias("anon-2", "cookie");
        String aliasUser = submit(new Op.Apply(new Identifier.Alias(alias), true,
                new Input.UpdateAttributes("a", Source.track("t"), List.of(new AttributeOp.Inc("lead score", 3))))).get(0).userId();
        assertThat(submit(new Op.Merge("m", Source.api("identify"), alias, "fresh")).get(0).userId()).isEqualTo(aliasUser);
        assertThat(runtime.find(new Identifier.ExternalId("fresh")).orElseThrow().userId()).isEqualTo(aliasUser);
    }

    @Test void email_identifies_the_most_recent_profile_or_creates_one() throws Exception {
        Op.Apply byEmail = new Op.Apply(new Identifier.Email("Ann@Example.com"), true,
                new Input.UpdateAttributes("a", Source.track("t"), List.of(new AttributeOp.Inc("lead score", 1))));
        String first = submit(byEmail).get(0).userId();
        String second = submit(byEmail).get(0).userId();
        assertThat(second).isEqualTo(first);
        assertThat(runtime.find(new Identifier.Email("ann@example.com")).orElseThrow().custom().get("lead score")).isEqualTo(new Value.Num(2));
    }

    @Test void alias_new_refuses_an_alias_held_by_another_user() throws Exception {
        submit(inc("a", 1), inc("b", 1));
        UserAlias alias = new UserAlias("x", "crm");
        assertThat(submit(new Op.Apply(new Identifier.ExternalId("a"), false, new Input.AddAlias("1", Source.api("alias"), alias))).get(0).ok()).isTrue();
        assertThat(submit(new Op.Apply(new Identifier.ExternalId("b"), false, new Input.AddAlias("2", Source.api("alias"), alias))).get(0).error())
                .contains("belongs to another user");
    }

    @Test void submissions_arriving_while_the_pipeline_is_full_form_one_epoch() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FakeStore slow = new FakeStore();
        slow.commitGate = new java.util.concurrent.CountDownLatch(1);
        KilnRuntime rt = KilnRuntime.start(RuntimeConfig.defaults().withPipelineDepth(2), slow, registry);
        try {
            CompletableFuture<List<Outcome>> first = rt.submit(List.of(inc("p0", 1)));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> slow.commitsStarted.get() == 1);
            CompletableFuture<List<Outcome>> second = rt.submit(List.of(inc("p1", 1)));
            // Epoch 2 is applied and waits for the committer: two epochs uncommitted, the pipeline is full.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> registry.timer("kiln.epoch.apply").count() == 2);
            List<CompletableFuture<List<Outcome>>> later = new ArrayList<>();
            for (int i = 2; i < 7; i++) {
                later.add(rt.submit(List.of(inc("p" + i, 1))));
                // Time for a coordinator that did not wait for room to cut this one into an epoch of its own
                // (the result below does not depend on it: it is what makes a regression show).
                Thread.sleep(30);
            }
            assertThat(registry.timer("kiln.epoch.apply").count()).isEqualTo(2);

            slow.commitGate.countDown();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
            for (var f : later) assertThat(f.get(10, TimeUnit.SECONDS)).allMatch(Outcome::ok);
            // The five that waited went into one epoch: one commit, not one per submission.
            assertThat(slow.upsertsPerCommit).containsExactly(1, 1, 5);
        } finally {
            slow.commitGate.countDown();
            rt.close();
        }
    }

    @Test void close_commits_what_was_submitted_and_refuses_new_work() throws Exception {
        List<CompletableFuture<List<Outcome>>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) fs.add(runtime.submit(List.of(inc("d" + i, 1))));
        runtime.close();
        for (var f : fs) assertThat(f.get(1, TimeUnit.SECONDS).get(0).ok()).isTrue();
        assertThat(store.users).hasSize(50);
        assertThatThrownBy(() -> runtime.submit(List.of(inc("late", 1))).get())
                .hasCauseInstanceOf(DrainingException.class);
    }
}
