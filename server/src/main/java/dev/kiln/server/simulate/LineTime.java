package dev.kiln.server.simulate;

import dev.kiln.engine.BrazeTime;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Reads a line's {@code time}: any form {@link BrazeTime} accepts, with a fast path for the form
 * exports write ({@code 2026-03-01T09:00:00Z}, {@code 2026-03-01T09:00:00.123Z}) — one per line of a
 * file with millions of lines. The fast path gives exactly what {@link BrazeTime#parse} gives.
 */
final class LineTime {
    private LineTime() {}

    /** Epoch milliseconds, or null when {@code s} is not a time. */
    static Long parse(String s) {
        long fast = fast(s);
        if (fast != Long.MIN_VALUE) return fast;
        return BrazeTime.parse(s).orElse(null);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, else {@link Long#MIN_VALUE}. */
    private static long fast(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') return Long.MIN_VALUE;
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) return Long.MIN_VALUE;
        int millis = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) return Long.MIN_VALUE;
            int fraction = n - 21;
            for (int i = 0; i < fraction; i++) {
                int d = s.charAt(20 + i) - '0';
                if (d < 0 || d > 9) return Long.MIN_VALUE;
                if (i < 3) millis = millis * 10 + d;
            }
            for (int i = fraction; i < 3; i++) millis *= 10;
        } else if (s.charAt(19) != 'Z') {
            return Long.MIN_VALUE;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return Long.MIN_VALUE;
        }
        return ((epochDay * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }
}
