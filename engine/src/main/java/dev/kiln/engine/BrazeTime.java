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
