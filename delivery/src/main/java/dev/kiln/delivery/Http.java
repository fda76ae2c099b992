package dev.kiln.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The JDK HttpClient as delivery uses it: no redirects, bounded bodies, one deadline per exchange. */
final class Http {
    private Http() {}

    /** Headers the JDK client sets itself and refuses from callers. */
    static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "http2-settings");

    static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Cleartext requests go as HTTP/1.1: the JDK's h2c upgrade confuses some servers. */
    static HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if ("http".equalsIgnoreCase(uri.getScheme())) b.version(HttpClient.Version.HTTP_1_1);
        return b;
    }

    static boolean restricted(String header) { return RESTRICTED.contains(header.toLowerCase(Locale.ROOT)); }

    /** The answer: status, headers, and the body (at most the limit; {@code truncated} when there was more). */
    record Answer(int status, HttpResponse<byte[]> response, byte[] body, boolean truncated) {
        String text() { return new String(body, StandardCharsets.UTF_8); }

        String header(String name) { return response.headers().firstValue(name).orElse(null); }
    }

    /** The request could not be completed: connect failure, reset, timeout. Transient by nature. */
    static final class NetworkFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean timeout;

        NetworkFailure(String message, boolean timeout, Throwable cause) {
            super(message, cause);
            this.timeout = timeout;
        }
    }

    /**
     * Sends and reads at most {@code maxBytes} of the body; the whole exchange must finish within
     * {@code deadline}. Beyond the limit the body is cut (the stream is cancelled) and {@code truncated} set.
     */
    static Answer exchange(HttpClient client, HttpRequest request, int maxBytes, Duration deadline)
            throws NetworkFailure, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(request, info -> new LimitedBody(maxBytes));
        HttpResponse<byte[]> r;
        try {
            r = f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new NetworkFailure("timed out after " + deadline.toMillis() + " ms", true, null);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            boolean timeout = c instanceof java.net.http.HttpTimeoutException;
            throw new NetworkFailure(describe(c), timeout, c);
        }
        byte[] body = r.body();
        boolean truncated = body.length > maxBytes;
        if (truncated) body = java.util.Arrays.copyOf(body, maxBytes);
        return new Answer(r.statusCode(), r, body, truncated);
    }

    /** An exception as a short text without URLs (they may hold tokens): the type and, for I/O, the message. */
    static String describe(Throwable t) {
        String name = t.getClass().getSimpleName();
        if (t instanceof java.net.ConnectException) return "connection refused";
        if (t instanceof java.net.http.HttpConnectTimeoutException) return "connect timed out";
        if (t instanceof java.net.http.HttpTimeoutException) return "request timed out";
        if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) return "unknown host";
        if (t instanceof IOException && t.getMessage() != null && !t.getMessage().contains("://")) return name + ": " + t.getMessage();
        return name;
    }

    /** Collects the body up to {@code max + 1} bytes, then cancels: never holds more than the limit allows. */
    static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int max) { this.max = max; }

        @Override public CompletionStage<byte[]> getBody() { return result; }

        @Override public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                int room = max + 1 - out.size();
                int n = Math.min(room, b.remaining());
                byte[] chunk = new byte[n];
                b.get(chunk);
                out.write(chunk, 0, n);
                if (out.size() > max) {
                    result.complete(out.toByteArray());
                    subscription.cancel();
                    return;
                }
            }
        }

        @Override public void onError(Throwable t) { result.completeExceptionally(t); }

        @Override public void onComplete() { result.complete(out.toByteArray()); }
    }
}
