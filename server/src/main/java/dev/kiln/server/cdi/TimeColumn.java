package dev.kiln.server.cdi;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * {@code UPDATED_AT} values as epoch milliseconds, whatever the warehouse's type: a timestamp type, ISO 8601
 * text (SQLite has no timestamp type; text without an offset is UTC) or epoch seconds / milliseconds. The
 * {@link Shape} remembers the type so the next sync's lower bound is compared like with like.
 */
final class TimeColumn {
    private TimeColumn() {}

    enum Shape { TIMESTAMP, TEXT_DATE, TEXT_SPACE, TEXT_T, TEXT_T_Z, EPOCH_SECONDS, EPOCH_MILLIS }

    record Time(long millis, Shape shape) {}

    private static final DateTimeFormatter SPACE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The value's time, or null with the caller reporting the row (unreadable). */
    static Time read(Object v) {
        return switch (v) {
            case null -> null;
            case Timestamp ts -> new Time(ts.getTime(), Shape.TIMESTAMP);
            case java.sql.Date d -> new Time(d.getTime(), Shape.TIMESTAMP);
            case OffsetDateTime o -> new Time(o.toInstant().toEpochMilli(), Shape.TIMESTAMP);
            case LocalDateTime l -> new Time(Timestamp.valueOf(l).getTime(), Shape.TIMESTAMP);
            case Long n when n > 100_000_000_000L -> new Time(n, Shape.EPOCH_MILLIS);
            case Number n when n.doubleValue() > 100_000_000_000d -> new Time(n.longValue(), Shape.EPOCH_MILLIS);
            case Number n -> new Time(Math.round(n.doubleValue() * 1000), Shape.EPOCH_SECONDS);
            case String s -> text(s.strip());
            default -> null;
        };
    }

    private static Time text(String s) {
        try {
            if (s.endsWith("Z") || s.endsWith("z")) return new Time(OffsetDateTime.parse(s.replace(' ', 'T')).toInstant().toEpochMilli(), Shape.TEXT_T_Z);
            if (s.matches(".*[+-]\\d\\d:?\\d\\d$") && s.length() > 19)
                return new Time(OffsetDateTime.parse(s.replace(' ', 'T')).toInstant().toEpochMilli(), Shape.TEXT_T);
            if (s.length() == 10) return new Time(LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(), Shape.TEXT_DATE);
            Shape shape = s.indexOf('T') > 0 ? Shape.TEXT_T : Shape.TEXT_SPACE;
            return new Time(LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli(), shape);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Binds {@code millis} (floored to the second: the bound may only be lower than needed — rows below the
     * real bound are passed over by the sync) as the column's type.
     */
    static void bind(PreparedStatement st, int index, long millis, Shape shape) throws SQLException {
        long floored = Math.floorDiv(millis, 1000) * 1000;
        Instant at = Instant.ofEpochMilli(floored);
        switch (shape == null ? Shape.TIMESTAMP : shape) {
            case TIMESTAMP -> st.setTimestamp(index, new Timestamp(floored));
            case TEXT_DATE -> st.setString(index, SPACE.format(at).substring(0, 10));
            case TEXT_SPACE -> st.setString(index, SPACE.format(at));
            case TEXT_T -> st.setString(index, T.format(at));
            case TEXT_T_Z -> st.setString(index, T.format(at));
            case EPOCH_SECONDS -> st.setLong(index, floored / 1000);
            case EPOCH_MILLIS -> st.setLong(index, floored);
        }
    }
}
