package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free TCP ports for servers that must know their port before they start (a separate process, a restart). */
public final class Ports {
    private Ports() {}

    /**
     * A port that was free a moment ago. Another process may take it before it is bound again; that
     * window is small, and a server that fails to bind says so.
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port", e);
        }
    }
}
