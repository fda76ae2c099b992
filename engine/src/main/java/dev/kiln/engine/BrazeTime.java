package dev.kiln.engine;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Braze's accepted time formats: ISO 8601 (with or without offset, with or without fraction, date only)
 * and Braze's own {@code yyyy-MM-dd'T'HH:mm:ss:SSSZ} (colon before the milliseconds).
 * Times without an offset are UTC.
 */
public final class BrazeTime {
    private BrazeTime() {}

    private static final Pattern BRAZE_COLON_MILLIS =
            Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}):(\\d{3})(Z|[+-]\\d{2}:?\\d{2})?");
    private static final Pattern LOOKS_LIKE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}([T ].*)?");

    /** Parses a Braze time string; empty when it is not one. */
    public static Optional<Long> parse(String s) {
        long fast = s == null ? NOT_FAST : fast(s);
        return fast != NOT_FAST ? Optional.of(fast) : parseSlow(s);
    }

    private static final long NOT_FAST = Long.MIN_VALUE;

    /**
     * The form exports and Kiln itself write, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, read without
     * java.time's formatter (the API reads one per event): the same result as {@link #parseSlow}, or
     * {@link #NOT_FAST} for anything else, which the slow path then decides.
     */
    private static long fast(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') return NOT_FAST;
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1
                || day > monthLength(year, month) || hour > 23 || minute > 59 || second > 59) return NOT_FAST;
        int millis = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) return NOT_FAST;
            int fraction = n - 21;
            for (int i = 0; i < fraction; i++) {
                int d = s.charAt(20 + i) - '0';
                if (d < 0 || d > 9) return NOT_FAST;
                if (i < 3) millis = millis * 10 + d;
            }
            for (int i = fraction; i < 3; i++) millis *= 10;
        }
        return ((epochDay(year, month, day) * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
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

    private static int monthLength(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 in the proleptic Gregorian calendar (as {@link LocalDate#toEpochDay}), year 0..9999. */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** {@link #parse} through java.time only, without the fast path (kept visible to test the two agree). */
    static Optional<Long> parseSlow(String s) {
        if (s == null || s.length() < 10 || s.length() > 40 || !LOOKS_LIKE_TIME.matcher(s).matches()) return Optional.empty();
        try {
            Matcher m = BRAZE_COLON_MILLIS.matcher(s);
            if (m.matches()) s = m.group(1) + "." + m.group(2) + (m.group(3) == null ? "" : m.group(3));
            if (s.length() == 10) return Optional.of(LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli());
            String t = s.replace(' ', 'T');
            try {
                return Optional.of(OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli());
            } catch (DateTimeParseException e) {
                if (t.matches(".*[+-]\\d{4}$")) {
                    t = t.substring(0, t.length() - 2) + ":" + t.substring(t.length() - 2);
                    return Optional.of(OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli());
                }
                return Optional.of(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli());
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** ISO 8601 UTC with milliseconds, e.g. {@code 2026-11-28T15:00:00.000Z}. */
    public static String format(long epochMillis) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMillis).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    public static long epochDay(long epochMillis) {
        return Math.floorDiv(epochMillis, 86_400_000L);
    }
}
