package dev.kiln.delivery;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A MockWebServer dispatcher: answers by path prefix, in order (the last answer repeats), and records requests. */
final class Routes extends mockwebserver3.Dispatcher {
    private final Map<String, Deque<MockResponse>> answers = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

    /** Replaces the answers for paths starting with {@code prefix}. */
    Routes on(String prefix, MockResponse... responses) {
        answers.put(prefix, new ArrayDeque<>(List.of(responses)));
        return this;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        requests.add(request);
        String path = request.getUrl().encodedPath();
        String best = null;
        for (String p : answers.keySet()) if (path.startsWith(p) && (best == null || p.length() > best.length())) best = p;
        if (best == null) return status(404);
        Deque<MockResponse> q = answers.get(best);
        synchronized (q) {
            return q.size() > 1 ? q.poll() : q.peek();
        }
    }

    List<RecordedRequest> requests(String prefix) {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r : requests) if (r.getUrl().encodedPath().startsWith(prefix)) out.add(r);
        return out;
    }

    int count(String prefix) { return requests(prefix).size(); }

    static MockResponse status(int code) { return new MockResponse.Builder().code(code).build(); }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }

    static String body(RecordedRequest r) { return r.getBody() == null ? "" : r.getBody().utf8(); }
}
