package dev.kiln.liquid;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/** A fake connected-content endpoint: answers in order (or by a function) and records every request. */
final class RecordingPort implements ConnectedContent {
    final List<Request> requests = new ArrayList<>();
    private final Deque<Object> answers = new ArrayDeque<>();
    private Function<Request, Response> byRequest;

    static RecordingPort answering(Object... responsesOrExceptions) {
        RecordingPort p = new RecordingPort();
        for (Object o : responsesOrExceptions) {
            p.answers.add(o);
        }
        return p;
    }

    static RecordingPort by(Function<Request, Response> f) {
        RecordingPort p = new RecordingPort();
        p.byRequest = f;
        return p;
    }

    static Response json(int status, String body) {
        return new Response(status, body);
    }

    @Override
    public synchronized Response call(Request request) {
        requests.add(request);
        if (byRequest != null) {
            return byRequest.apply(request);
        }
        Object next = answers.size() > 1 ? answers.poll() : answers.peek();
        if (next instanceof RuntimeException e) {
            throw e;
        }
        return (Response) next;
    }

    Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests);
        }
        return requests.get(0);
    }
}
