package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The batches a durability test sends and what happened to each. Batch {@code b} touches
 * {@link #USERS_PER_BATCH} of the users {@code u0..u49} (chosen by the seed, so they spread): for each,
 * {@code "lead score": {"inc": 1}}, {@code "seen_b<b>": true} and one {@value #EVENT} event with
 * property {@code batch = b}. So a batch's presence can be read back user by user, and a batch applied
 * twice shows as a score or an event count too high.
 */
final class Ledger {
    static final int USERS = 50;
    static final int USERS_PER_BATCH = 10;
    static final String EVENT = "durability_probe";
    static final String SCORE = "lead score";

    /** What the client saw. */
    enum Kind {
        /** 201: must be fully present from now on. */
        ACKED,
        /** Any other status. */
        STATUS,
        /** Connection refused: the request never reached a server. */
        REFUSED,
        /** No answer within the client's timeout: a hang. */
        TIMEOUT,
        /** Connection closed or reset without an answer: may or may not have been applied. */
        NO_ANSWER
    }

    record Outcome(int batch, Kind kind, int status, String detail) {}

    final long seed;
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentSkipListMap<Integer, Outcome> outcomes = new ConcurrentSkipListMap<>();

    Ledger(long seed) { this.seed = seed; }

    int nextBatch() { return next.incrementAndGet(); }

    static List<String> allUsers() {
        List<String> all = new ArrayList<>(USERS);
        for (int i = 0; i < USERS; i++) all.add("u" + i);
        return all;
    }

    /** The users batch {@code b} touches: the same for the same seed and batch. */
    List<String> users(int batch) {
        List<String> all = allUsers();
        Collections.shuffle(all, new Random(seed * 1_000_003L + batch));
        List<String> chosen = new ArrayList<>(all.subList(0, USERS_PER_BATCH));
        Collections.sort(chosen);
        return chosen;
    }

    static String seenAttribute(int batch) { return "seen_b" + batch; }

    String body(int batch) { return body(batch, users(batch)); }

    /** Batch {@code b}'s changes for some users only (tests of the checker make broken batches with it). */
    static String body(int batch, List<String> users) {
        String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Object> attributes = new ArrayList<>(), events = new ArrayList<>();
        for (String u : users) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("external_id", u);
            a.put(SCORE, Map.of("inc", 1));
            a.put(seenAttribute(batch), true);
            attributes.add(a);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("external_id", u);
            e.put("name", EVENT);
            e.put("time", time);
            e.put("properties", Map.of("batch", batch));
            events.add(e);
        }
        return KilnClient.toJson(Map.of("attributes", attributes, "events", events));
    }

    /** Sends batch {@code b} and records the outcome. */
    Outcome send(KilnClient client, int batch) {
        Outcome o;
        try {
            KilnClient.Response r = client.track(body(batch));
            boolean complete = r.json().path("attributes_processed").asInt() == USERS_PER_BATCH
                    && r.json().path("events_processed").asInt() == USERS_PER_BATCH && !r.json().has("errors");
            o = new Outcome(batch, r.status() == 201 && complete ? Kind.ACKED : Kind.STATUS, r.status(), r.body());
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            Kind kind = cause instanceof ConnectException ? Kind.REFUSED
                    : cause instanceof HttpTimeoutException ? Kind.TIMEOUT : Kind.NO_ANSWER;
            o = new Outcome(batch, kind, 0, String.valueOf(cause));
        }
        return record(o);
    }

    Outcome record(Outcome o) {
        outcomes.put(o.batch(), o);
        return o;
    }

    NavigableMap<Integer, Outcome> outcomes() { return Collections.unmodifiableNavigableMap(new TreeMap<>(outcomes)); }

    Map<Kind, Integer> counts() {
        Map<Kind, Integer> c = new EnumMap<>(Kind.class);
        for (Outcome o : outcomes.values()) c.merge(o.kind(), 1, Integer::sum);
        return c;
    }

    long acked() { return outcomes.values().stream().filter(o -> o.kind() == Kind.ACKED).count(); }
}
