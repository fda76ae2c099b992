package dev.kiln.server.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ({@code \n}, an optional {@code \r} before it dropped) without decoding
 * them: the JSON reader takes UTF-8 bytes, so a String per line would only cost time.
 */
final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, end;
    private boolean eof;
    private byte[] carry = new byte[256];

    LineReader(InputStream in) { this.in = in; }

    /** The next line, or null at the end of the stream. */
    byte[] next() throws IOException {
        int carried = 0;
        while (true) {
            if (pos == end) {
                if (eof) return carried == 0 ? null : trim(carry, carried);
                end = in.read(buf);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    eof = true;
                    continue;
                }
            }
            int nl = -1;
            for (int i = pos; i < end; i++) if (buf[i] == '\n') { nl = i; break; }
            if (nl >= 0) {
                byte[] line;
                if (carried == 0) {
                    line = trim(buf, pos, nl - pos);
                } else {
                    append(nl - pos, carried);
                    line = trim(carry, carried + nl - pos);
                }
                pos = nl + 1;
                return line;
            }
            append(end - pos, carried);
            carried += end - pos;
            pos = end;
        }
    }

    private void append(int n, int carried) {
        if (carried + n > carry.length) carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carried + n));
        System.arraycopy(buf, pos, carry, carried, n);
    }

    private static byte[] trim(byte[] b, int n) { return trim(b, 0, n); }

    private static byte[] trim(byte[] b, int from, int n) {
        if (n > 0 && b[from + n - 1] == '\r') n--;
        return Arrays.copyOfRange(b, from, from + n);
    }

    @Override public void close() throws IOException { in.close(); }
}
