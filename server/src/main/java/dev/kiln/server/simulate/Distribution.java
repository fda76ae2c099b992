package dev.kiln.server.simulate;

import java.util.Arrays;

/**
 * The final values of one number attribute over all users: equal-width buckets between min and max
 * (the last one includes max), and nearest-rank percentiles.
 */
record Distribution(double[] sorted, long lacking, long[] counts, double width) {

    static Distribution of(double[] values, long lacking, int buckets) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0) return new Distribution(sorted, lacking, new long[0], 0);
        double min = sorted[0], max = sorted[sorted.length - 1];
        int n = min == max ? 1 : buckets;
        double width = (max - min) / n;
        long[] counts = new long[n];
        for (double v : sorted) counts[bucket(v, min, width, n)]++;
        return new Distribution(sorted, lacking, counts, width);
    }

    private static int bucket(double v, double min, double width, int n) {
        if (width == 0) return 0;
        int b = (int) Math.floor((v - min) / width);
        return Math.max(0, Math.min(n - 1, b));
    }

    int users() { return sorted.length; }
    double min() { return sorted[0]; }
    double max() { return sorted[sorted.length - 1]; }

    /** Nearest rank: the smallest value with at least {@code p}% of the values at or below it. */
    double percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    double mean() {
        double sum = 0;
        for (double v : sorted) sum += v; // sorted order: the same sum every run
        return sum / sorted.length;
    }

    double lower(int bucket) { return min() + bucket * width; }
    double upper(int bucket) { return bucket == counts.length - 1 ? max() : min() + (bucket + 1) * width; }
}
