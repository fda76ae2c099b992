package dev.kiln.liquid;

import java.util.Map;

/**
 * Not a test: prints renders per second of the seed's webhook body on one thread (target: 50,000/s per core).
 * From {@code liquid/}: {@code mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt} then
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) dev.kiln.liquid.RenderThroughput [seconds]}.
 */
public final class RenderThroughput {
    private RenderThroughput() {}

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        LiquidTemplate body = Liquid.compile(SeedTemplatesTest.SEED_BODY, "seed#body");
        RenderContext mql = RenderContext.builder().externalId("00Q1").customAttributes(Map.of("lead score", 120)).build();
        RenderContext below = RenderContext.builder().externalId("00Q2").customAttributes(Map.of("lead score", 99)).build();

        measure("warm-up", body, mql, seconds);
        measure("seed body, score 120 (rendered)", body, mql, seconds);
        measure("seed body, score 99 (aborted)", body, below, seconds);
    }

    private static void measure(String label, LiquidTemplate t, RenderContext c, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long renders = 0;
        long sink = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                sink += t.render(c) instanceof RenderResult.Rendered r ? r.output().length() : 1;
            }
            renders += 1000;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-34s %,12.0f renders/s (one thread, %d renders, check %d)%n", label, renders / elapsed, renders, sink % 10);
    }
}
