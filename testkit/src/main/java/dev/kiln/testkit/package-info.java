/**
 * Test helpers for every module's tests and the benchmark: {@link dev.kiln.testkit.KilnProcess} runs a
 * real {@code kiln serve} in its own JVM (for {@code kill -9}, SIGTERM and restarts),
 * {@link dev.kiln.testkit.KilnClient} talks to Kiln's HTTP API, {@link dev.kiln.testkit.Ports} finds
 * free ports and {@link dev.kiln.testkit.SettableClock} is a clock tests move by hand.
 */
package dev.kiln.testkit;
