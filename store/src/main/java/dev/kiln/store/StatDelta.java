package dev.kiln.store;

/**
 * An increment of one Canvas statistic: {@code metric} (entries, on_step, group, exit, loop_guard, …),
 * {@code key} (step, group or reason) and {@code bucket} (epoch day, or epoch hour for hourly metrics; 0 = all time).
 */
public record StatDelta(String canvasId, String metric, String key, long bucket, long delta) {}
