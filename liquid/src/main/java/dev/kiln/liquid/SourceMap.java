package dev.kiln.liquid;

import java.util.Arrays;

/**
 * Maps offsets in the rewritten text handed to Liqp back to offsets in the source as written, so errors name the
 * line and column the author sees. Built chunk by chunk as the pre-pass copies or replaces text.
 */
final class SourceMap {
    private int[] outStarts = new int[16];
    private int[] srcStarts = new int[16];
    private boolean[] verbatim = new boolean[16];
    private int size;

    /** Text from {@code srcStart} copied unchanged (or replaced by text of the same length) at {@code outStart}. */
    void verbatim(int outStart, int srcStart) {
        add(outStart, srcStart, true);
    }

    /** A construct at {@code srcStart} rewritten to different text at {@code outStart}. */
    void replaced(int outStart, int srcStart) {
        add(outStart, srcStart, false);
    }

    private void add(int outStart, int srcStart, boolean linear) {
        if (size > 0 && outStarts[size - 1] == outStart) {
            size--;
        }
        if (size == outStarts.length) {
            outStarts = Arrays.copyOf(outStarts, size * 2);
            srcStarts = Arrays.copyOf(srcStarts, size * 2);
            verbatim = Arrays.copyOf(verbatim, size * 2);
        }
        outStarts[size] = outStart;
        srcStarts[size] = srcStart;
        verbatim[size] = linear;
        size++;
    }

    int toSource(int outOffset) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (outStarts[mid] <= outOffset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return size == 0 ? outOffset : srcStarts[0];
        }
        return verbatim[found] ? srcStarts[found] + (outOffset - outStarts[found]) : srcStarts[found];
    }
}
