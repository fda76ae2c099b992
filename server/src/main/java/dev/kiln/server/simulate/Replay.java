package dev.kiln.server.simulate;

import dev.kiln.server.http.TrackRequests;

import java.util.List;

/**
 * Feeds the lines of an events file to a {@link Simulation} under the virtual clock's rules: a line
 * happens at its time (else at the previous line's); timers due by then fire first; a line earlier than
 * the clock is applied at the clock and counted as out of order; lines outside {@code --from}/{@code --to}
 * are skipped. Counts what it read, applied and refused.
 */
final class Replay {
    static final String NO_TIME = "missing_time";

    private final Simulation sim;
    private final Long from, to;

    long linesRead, linesApplied, skippedBefore, skippedAfter, outOfOrder;
    long objectsReceived, objectsApplied, eventsApplied;
    long firstTime = Line.NO_TIME;
    final Reasons badLines = new Reasons();
    final Reasons badObjects = new Reasons();

    Replay(Simulation sim, Long from, Long to) {
        this.sim = sim;
        this.from = from;
        this.to = to;
    }

    void run(ParsedLines lines) {
        Line line;
        while ((line = lines.next()) != null) accept(line);
        finish();
    }

    void accept(Line line) {
        linesRead++;
        if (line.failed()) {
            badLines.add(line.failure(), line.reason(), "line " + line.number());
            return;
        }
        long time = line.time();
        if (time == Line.NO_TIME) {
            if (sim.clock() == Long.MIN_VALUE) {
                badLines.add(NO_TIME, "the first line applied needs a time: a \"time\" field or an event with a time", "line " + line.number());
                return;
            }
            time = sim.clock();
        }
        if (from != null && time < from) { skippedBefore++; return; }
        if (to != null && time > to) { skippedAfter++; return; }
        if (time < sim.clock()) {
            outOfOrder++;
            time = sim.clock();
        }
        sim.advanceTo(time);
        if (firstTime == Line.NO_TIME) firstTime = time;
        linesApplied++;
        TrackRequests.Parsed parsed = line.parsed();
        objectsReceived += parsed.items().size() + parsed.rejected().size();
        for (TrackRequests.Rejected r : parsed.rejected())
            badObjects.add(r.type(), r.reason(), "line " + line.number() + " " + r.array() + "[" + r.index() + "]");
        List<TrackRequests.Item> items = parsed.items();
        for (int i = 0; i < items.size(); i++) {
            TrackRequests.Item item = items.get(i);
            String refusal = sim.apply(item.op(), line.known(i));
            if (refusal == null) {
                objectsApplied++;
                if (item.array().equals("events")) eventsApplied++;
            } else {
                badObjects.add(TrackRequests.REFUSED, refusal, "line " + line.number() + " " + item.array() + "[" + item.index() + "]");
            }
        }
    }

    /** At the end: timers due by {@code --to} fire; without {@code --to} the clock stops at the last line. */
    void finish() {
        if (to != null && sim.clock() != Long.MIN_VALUE) sim.advanceTo(to);
    }
}
