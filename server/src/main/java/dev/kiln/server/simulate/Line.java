package dev.kiln.server.simulate;

import dev.kiln.server.http.TrackRequests;

import java.util.List;

/**
 * One line of the events file, parsed: the request's objects and when it arrived. A line that could not
 * be used at all (bad JSON, a body the API refuses as a whole, a bad {@code time}) has a {@code failure}
 * type and reason and nothing else.
 *
 * @param number 1-based line number in the file
 * @param time   the line's {@code time}, else the latest event or purchase time in it, else {@link #NO_TIME}
 * @param known  users found ahead of time by {@link Simulation#lookAhead}, per item, or null
 */
record Line(long number, long time, TrackRequests.Parsed parsed, String failure, String reason, Simulation.User[] known) {
    static final long NO_TIME = Long.MIN_VALUE;

    static Line failed(long number, String failure, String reason) { return new Line(number, NO_TIME, null, failure, reason, null); }

    /** The same line with users found ahead of time, one slot per parsed item (null = look it up then). */
    Line withKnown(Simulation.User[] known) { return new Line(number, time, parsed, failure, reason, known); }

    /** The user found ahead of time for item {@code i}, or null. */
    Simulation.User known(int i) { return known == null ? null : known[i]; }

    boolean failed() { return failure != null; }
}
