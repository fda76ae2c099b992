package dev.kiln.liquid;

import static dev.kiln.liquid.RecordingPort.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One compiled template rendered at once for many users never mixes their values. Liqp 0.9.2.3 leaked other users'
 * values in about 1% of concurrent renders of a shared Template; the template below exercises that path (variable
 * indexes in a loop, whose key Liqp keeps in a node field), plus assigns, capture and a connected-content binding.
 */
class ConcurrentRenderTest {

    private static final int USERS = 500;
    private static final String TEMPLATE = """
            {% assign me = ${user_id} %}{% capture who %}{{${first_name}}}/{{custom_attribute.${lead score}}}{% endcapture %}\
            {% connected_content https://crm.test/owner/{{me}} :save owner %}\
            {"id":"{{me}}","who":"{{who}}","items":"{% for i in (0..2) %}{{ custom_attribute.${items}[i] }}{% endfor %}",\
            "owner":"{{owner.of}}","score":{{custom_attribute.${lead score} | plus: 0}}}""";

    private static final ConnectedContent ECHO = req -> {
        String id = req.url().substring(req.url().lastIndexOf('/') + 1);
        return json(200, "{\"of\":\"" + id + "\"}");
    };

    private static RenderContext user(int n) {
        String id = "user-" + n;
        return RenderContext.builder().externalId(id).firstName("Name" + n)
                .customAttributes(Map.of("lead score", n, "items", List.of(id + "a", id + "b", id + "c")))
                .connectedContent(ECHO).build();
    }

    private static String expected(int n) {
        String id = "user-" + n;
        return "{\"id\":\"" + id + "\",\"who\":\"Name" + n + "/" + n + "\",\"items\":\"" + id + "a" + id + "b" + id + "c\","
                + "\"owner\":\"" + id + "\",\"score\":" + n + "}";
    }

    @Test
    void many_platform_threads_rendering_many_users_see_only_their_own_values() throws Exception {
        LiquidTemplate template = Liquid.compile(TEMPLATE, "concurrent");
        RenderContext[] users = new RenderContext[USERS];
        for (int i = 0; i < USERS; i++) {
            users[i] = user(i);
        }
        int threads = 16;
        int rendersPerThread = 3_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> mixed = new ArrayList<>();
                    for (int k = 0; k < rendersPerThread; k++) {
                        int n = (thread * 31 + k * 7) % USERS;
                        RenderResult r = template.render(users[n]);
                        if (!r.equals(new RenderResult.Rendered(expected(n)))) {
                            mixed.add("user " + n + " got " + r);
                        }
                    }
                    return mixed;
                }));
            }
            start.countDown();
            List<String> mixed = new ArrayList<>();
            for (Future<List<String>> f : results) {
                mixed.addAll(f.get());
            }
            assertThat(mixed).as("renders that showed another user's values").isEmpty();
            // Bounded by concurrent renders, not by renders (48,000); a render that has finished but not yet
            // returned its tree may make a neighbour build one more.
            assertThat(template.instancesCreated()).isBetween(1, 2 * threads);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void virtual_threads_rendering_many_users_see_only_their_own_values() throws Exception {
        LiquidTemplate template = Liquid.compile(TEMPLATE, "concurrent");
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k = 0; k < 20_000; k++) {
                int n = k % USERS;
                results.add(pool.submit(() -> {
                    RenderResult r = template.render(user(n));
                    return r.equals(new RenderResult.Rendered(expected(n))) ? null : "user " + n + " got " + r;
                }));
            }
        }
        List<String> mixed = new ArrayList<>();
        for (Future<String> f : results) {
            if (f.get() != null) {
                mixed.add(f.get());
            }
        }
        assertThat(mixed).isEmpty();
    }

    @Test
    void a_render_started_inside_another_render_on_the_same_thread_uses_its_own_node_tree() {
        AtomicReference<LiquidTemplate> self = new AtomicReference<>();
        AtomicReference<RenderResult> inner = new AtomicReference<>();
        ConnectedContent reentrant = req -> {
            if (inner.get() == null) {
                inner.set(self.get().render(user(2)));
            }
            return ECHO.call(req);
        };
        self.set(Liquid.compile(TEMPLATE, "reentrant"));
        RenderContext outerUser = RenderContext.builder().externalId("user-1").firstName("Name1")
                .customAttributes(Map.of("lead score", 1, "items", List.of("user-1a", "user-1b", "user-1c")))
                .connectedContent(reentrant).build();

        RenderResult outer = self.get().render(outerUser);

        assertThat(outer).isEqualTo(new RenderResult.Rendered(expected(1)));
        assertThat(inner.get()).isEqualTo(new RenderResult.Rendered(expected(2)));
    }
}
