package dev.kiln.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;

/**
 * Writes JSON document after document with one kept Jackson generator into one kept buffer (root values, no
 * separator), for a thread that writes many small ones: a lane's profiles ({@link UserRow.Encoder}) and event data.
 * Created per document, the generator, its context and the buffer were ~16 % of the bytes allocated at full load on
 * the scoring benchmark (JFR, session 8). After a document that failed, or that its body declined, the generator is
 * dropped, so a half-written value never reaches the next document. Not thread-safe.
 */
public final class KeptGenerator {

    /** Writes one document; false when it cannot (the output is then dropped). */
    public interface Body {
        boolean write(JsonGenerator g) throws IOException;
    }

    private final JsonFactory factory;
    private final ByteArrayBuilder out = new ByteArrayBuilder(1024);
    private JsonGenerator g;

    public KeptGenerator(JsonFactory factory) { this.factory = factory; }

    /** The bytes {@code body} wrote, or null when it returned false. */
    public byte[] write(Body body) throws IOException {
        if (g == null) {
            g = factory.createGenerator(out);
            g.setRootValueSeparator(null);
        }
        out.reset();
        boolean done;
        try {
            done = body.write(g);
            if (done) g.flush();
        } catch (IOException | RuntimeException e) {
            discard();
            throw e;
        }
        if (done) return out.toByteArray();
        discard();
        return null;
    }

    private void discard() {
        JsonGenerator old = g;
        g = null;
        try {
            old.close();
        } catch (IOException | RuntimeException ignored) {
            // closing only ends what was half-written, into a buffer the next document resets
        }
        out.reset();
    }
}
