package dev.kiln.server.http;

import dev.kiln.runtime.Op;
import dev.kiln.runtime.Outcome;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Submits one request's ops as one unit and waits until they are durable (a 2xx promises that). */
final class Submitter {
    private final Profiles profiles;
    private final Duration timeout;

    Submitter(Profiles profiles, Duration timeout) {
        this.profiles = profiles;
        this.timeout = timeout;
    }

    List<Outcome> submit(List<Op> ops) {
        if (ops.isEmpty()) return List.of();
        if (profiles.draining()) throw Errors.toApi(new dev.kiln.runtime.DrainingException());
        List<Outcome> outcomes;
        try {
            outcomes = profiles.submit(ops).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            ApiException api = Errors.toApi(e);
            if (api != null) throw api;
            throw new IllegalStateException("submission failed", e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException.Unavailable("Timed out after " + timeout.toSeconds()
                    + " s waiting for the commit; the request may still be applied, so retry only idempotent changes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable("Interrupted while waiting for the commit; the request may still be applied");
        }
        if (outcomes.size() != ops.size())
            throw new IllegalStateException("runtime returned " + outcomes.size() + " outcomes for " + ops.size() + " ops");
        return outcomes;
    }
}
