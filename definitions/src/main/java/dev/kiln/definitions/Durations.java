package dev.kiln.definitions;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Canvas documents: a whole number and one unit ({@code 0s}, {@code 30m}, {@code 12h},
 * {@code 1d}, {@code 1w}) or a whole number of seconds. One unit only: {@code 90m}, not {@code 1h30m},
 * keeps what a reviewer reads equal to what runs.
 */
final class Durations {
    private Durations() {}

    static final long SECOND = 1_000L, MINUTE = 60 * SECOND, HOUR = 60 * MINUTE, DAY = 24 * HOUR, WEEK = 7 * DAY;
    private static final Pattern TEXT = Pattern.compile("(-?)(\\d{1,12})([smhdw])");
    private static final String EXPECTED = "a duration such as 30s, 15m, 12h, 1d or 1w, or a whole number of seconds";

    /** Milliseconds ≥ 0, or a problem (negative values get their own message). */
    static Optional<Long> millis(Cursor v) {
        if (v.node() == null) {
            v.problem("required");
            return Optional.empty();
        }
        if (v.node().isIntegralNumber() && v.node().canConvertToLong()) {
            long seconds = v.node().longValue();
            if (seconds < 0) return negative(v);
            if (seconds > Long.MAX_VALUE / SECOND) return tooLong(v);
            return Optional.of(seconds * SECOND);
        }
        if (v.node().isTextual()) {
            Matcher m = TEXT.matcher(v.node().textValue().strip());
            if (m.matches()) {
                if (!m.group(1).isEmpty()) return negative(v);
                long n = Long.parseLong(m.group(2));
                long unit = switch (m.group(3)) {
                    case "s" -> SECOND;
                    case "m" -> MINUTE;
                    case "h" -> HOUR;
                    case "d" -> DAY;
                    default -> WEEK;
                };
                if (n > Long.MAX_VALUE / unit) return tooLong(v);
                return Optional.of(n * unit);
            }
        }
        v.problem("expected " + EXPECTED + ", got " + v.describe());
        return Optional.empty();
    }

    private static Optional<Long> negative(Cursor v) {
        v.problem("must not be negative, got " + v.describe());
        return Optional.empty();
    }

    private static Optional<Long> tooLong(Cursor v) {
        v.problem("too long, got " + v.describe());
        return Optional.empty();
    }
}
