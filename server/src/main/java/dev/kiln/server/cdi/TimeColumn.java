package dev.kiln.server.cdi;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code UPDATED_AT} values as epoch milliseconds, whatever the warehouse's type: a timestamp type, ISO 8601
 * text (SQLite has no timestamp type; text without an offset is UTC) or epoch seconds / milliseconds. The
 * {@link Shape} remembers the type so the next sync's lower bound is compared like with like.
 *
 * <p>A timestamp without a time zone ({@code TIMESTAMP}, {@code DATE}) is a UTC wall time, as text without an
 * offset is, whatever the JVM's time zone: drivers hand it over as a {@link Timestamp} or {@link LocalDateTime} in
 * the JVM's zone, so its wall time is read as UTC and the bound is bound back the same way
 * ({@link Shape#TIMESTAMP_LOCAL}). A column with a time zone ({@code timestamptz}, {@code TIMESTAMP WITH TIME ZONE})
 * is an instant ({@link Shape#TIMESTAMP}).
 */
final class TimeColumn {
    private TimeColumn() {}

    /** {@code TIMESTAMP}: a column with a time zone (an instant); {@code TIMESTAMP_LOCAL}: without (a UTC wall time). */
    enum Shape { TIMESTAMP, TIMESTAMP_LOCAL, TEXT_DATE, TEXT_SPACE, TEXT_T, TEXT_T_Z, EPOCH_SECONDS, EPOCH_MILLIS }

    record Time(long millis, Shape shape) {}

    private static final DateTimeFormatter SPACE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * Whether a column's type has a time zone, from the result set's metadata: JDBC's
     * {@code TIMESTAMP_WITH_TIMEZONE}, or a type name such as {@code timestamptz} (PostgreSQL reports it as
     * {@code TIMESTAMP}), {@code TIMESTAMP WITH TIME ZONE}, {@code TIMESTAMP_TZ} or {@code TIMESTAMP_LTZ}.
     */
    static boolean zoned(int jdbcType, String typeName) {
        if (jdbcType == Types.TIMESTAMP_WITH_TIMEZONE) return true;
        String t = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
        return t.contains("time zone") || t.contains("timezone") || t.endsWith("tz");
    }

    /**
     * The value's time, or null with the caller reporting the row (unreadable).
     *
     * @param zoned whether the column has a time zone (see {@link #zoned(int, String)}): decides what a {@link Timestamp} means
     */
    static Time read(Object v, boolean zoned) {
        return switch (v) {
            case null -> null;
            case Timestamp ts when zoned -> new Time(ts.getTime(), Shape.TIMESTAMP);
            case Timestamp ts -> new Time(utc(ts.toLocalDateTime()), Shape.TIMESTAMP_LOCAL);
            case java.sql.Date d -> new Time(utc(d.toLocalDate().atStartOfDay()), Shape.TIMESTAMP_LOCAL);
            case OffsetDateTime o -> new Time(o.toInstant().toEpochMilli(), Shape.TIMESTAMP);
            case ZonedDateTime z -> new Time(z.toInstant().toEpochMilli(), Shape.TIMESTAMP);
            case Instant i -> new Time(i.toEpochMilli(), Shape.TIMESTAMP);
            case LocalDateTime l -> new Time(utc(l), Shape.TIMESTAMP_LOCAL);
            case LocalDate d -> new Time(utc(d.atStartOfDay()), Shape.TIMESTAMP_LOCAL);
            case Long n when n > 100_000_000_000L -> new Time(n, Shape.EPOCH_MILLIS);
            case Number n when n.doubleValue() > 100_000_000_000d -> new Time(n.longValue(), Shape.EPOCH_MILLIS);
            case Number n -> new Time(Math.round(n.doubleValue() * 1000), Shape.EPOCH_SECONDS);
            case String s -> text(s.strip());
            default -> null;
        };
    }

    private static long utc(LocalDateTime wall) {
        return wall.toInstant(ZoneOffset.UTC).toEpochMilli();
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
            // A Timestamp whose wall time in the JVM's zone is the UTC wall time: what drivers send for a zoneless column.
            case TIMESTAMP_LOCAL -> st.setTimestamp(index, Timestamp.valueOf(LocalDateTime.ofInstant(at, ZoneOffset.UTC)));
            case TEXT_DATE -> st.setString(index, SPACE.format(at).substring(0, 10));
            case TEXT_SPACE -> st.setString(index, SPACE.format(at));
            case TEXT_T -> st.setString(index, T.format(at));
            case TEXT_T_Z -> st.setString(index, T.format(at));
            case EPOCH_SECONDS -> st.setLong(index, floored / 1000);
            case EPOCH_MILLIS -> st.setLong(index, floored);
        }
    }
}
