package dev.kiln.server.simulate;

import dev.kiln.runtime.Op;
import dev.kiln.server.http.TrackRequests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * Reads and parses the events file on its own thread, handing lines over in order and in batches, so
 * JSON parsing (about half the work) runs beside the engine on a second core. Parsing depends on nothing
 * but the line, and a user found ahead of time is the one the engine's thread would find, so the result
 * is the same as doing it all inline.
 */
final class ParsedLines implements AutoCloseable {
    private static final int BATCH = 256;
    /**
     * Batches parsed ahead at most. Enough to ride out a pause of either thread; more would only keep more
     * parsed lines alive across young collections, to be copied and, when survivor space runs short, promoted
     * to die in the old generation.
     */
    private static final int AHEAD = 8;
    private static final List<Line> END = new ArrayList<>(0); // a sentinel: compared by identity

    private final BlockingQueue<List<Line>> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean closed;
    private List<Line> current = List.of();
    private int next;

    private final Function<Op, Simulation.User> lookAhead;

    /**
     * @param lookAhead finds the user an object names if it exists already ({@link Simulation#lookAhead}):
     *                  done here, beside the engine's thread, it saves that thread a cold map lookup
     */
    ParsedLines(InputStream in, Function<Op, Simulation.User> lookAhead) {
        this.lookAhead = lookAhead;
        thread = Thread.ofPlatform().name("kiln-simulate-parser").daemon().start(() -> read(in));
    }

    private void read(InputStream in) {
        try (LineReader reader = new LineReader(in)) {
            List<Line> batch = new ArrayList<>(BATCH);
            long number = 0;
            byte[] bytes;
            while (!closed && (bytes = reader.next()) != null) {
                number++;
                if (blank(bytes)) continue;
                batch.add(withKnown(LineParser.parse(number, bytes)));
                if (batch.size() == BATCH) {
                    queue.put(batch);
                    batch = new ArrayList<>(BATCH);
                }
            }
            if (!batch.isEmpty()) queue.put(batch);
        } catch (InterruptedException e) {
            return;
        } catch (IOException e) {
            failure = new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Line withKnown(Line line) {
        if (line.failed() || line.parsed().items().isEmpty()) return line;
        List<TrackRequests.Item> items = line.parsed().items();
        Simulation.User[] known = new Simulation.User[items.size()];
        for (int i = 0; i < known.length; i++) known[i] = lookAhead.apply(items.get(i).op());
        return line.withKnown(known);
    }

    private static boolean blank(byte[] b) {
        for (byte x : b) if (x != ' ' && x != '\t') return false;
        return true;
    }

    /** The next line in file order, or null after the last. */
    Line next() {
        if (next == current.size()) {
            if (current == END) return null;
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading events", e);
            }
            next = 0;
            if (current == END) {
                Throwable f = failure;
                if (f instanceof RuntimeException r) throw r;
                if (f instanceof Error err) throw err;
                return null;
            }
        }
        return current.get(next++);
    }

    @Override public void close() {
        closed = true;
        thread.interrupt();
    }
}
