package dev.kiln.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;

/**
 * The synthetic stream both Kiln and the SQL baseline receive. Every object is one scoring event for a
 * lead drawn uniformly from {@code lead-0 … lead-(N-1)}: an attributes object {@code {"lead score":
 * {"inc": w}}} or a custom event whose name stands for the same weight w (+1 in 70 %, +5 in 20 %, -1 in
 * 10 %). The baseline applies w with one UPDATE per object; Kiln, which has no Canvas loaded here,
 * applies the {@code inc} and records the event (log row + per-user event summary).
 *
 * @param attributes attributes objects per request (each one {@code inc} on {@code lead score})
 * @param events     custom events per request
 */
record Workload(int attributes, int events, int leads) {
    static final int MAX_PER_ARRAY = 75;
    private static final String[] EVENT_NAMES = {"webinar_registered", "demo_requested", "email_unsubscribed"};
    private static final int[] WEIGHTS = {1, 5, -1};

    Workload {
        if (attributes < 0 || attributes > MAX_PER_ARRAY || events < 0 || events > MAX_PER_ARRAY || attributes + events == 0)
            throw new IllegalArgumentException("each request carries 0..75 attributes and 0..75 events, not both 0: " + attributes + "+" + events);
        if (leads < 1) throw new IllegalArgumentException("--leads must be at least 1, was " + leads);
    }

    /**
     * {@code --mix} is the share of attributes objects: 0.5 gives 75 + 75 = 150 objects per request; 1.0
     * gives 75 attributes only; 0.0 gives 75 events only; 0.25 gives 38 attributes + 75 events (the larger
     * side is always 75, Braze's per-array maximum).
     */
    static Workload of(double mix, int leads) {
        if (!(mix >= 0 && mix <= 1)) throw new IllegalArgumentException("--mix must be between 0 and 1, was " + mix);
        int a = (int) Math.round(MAX_PER_ARRAY * Math.min(1.0, 2 * mix));
        int e = (int) Math.round(MAX_PER_ARRAY * Math.min(1.0, 2 * (1 - mix)));
        return new Workload(a, e, leads);
    }

    int objectsPerRequest() { return attributes + events; }

    static String leadId(int i) { return "lead-" + i; }

    /** A weight index: 0 (+1) 70 %, 1 (+5) 20 %, 2 (-1) 10 %. */
    static int kind(SplittableRandom r) {
        int p = r.nextInt(10);
        return p < 7 ? 0 : p < 9 ? 1 : 2;
    }

    static int weight(int kind) { return WEIGHTS[kind]; }

    /** One {@code /users/track} body of this mix. */
    String trackBody(SplittableRandom r) {
        StringBuilder b = new StringBuilder(objectsPerRequest() * 110 + 64);
        b.append("{\"attributes\":[");
        for (int i = 0; i < attributes; i++) {
            if (i > 0) b.append(',');
            b.append("{\"external_id\":\"lead-").append(r.nextInt(leads))
                    .append("\",\"lead score\":{\"inc\":").append(weight(kind(r))).append("}}");
        }
        b.append("],\"events\":[");
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        for (int i = 0; i < events; i++) {
            if (i > 0) b.append(',');
            b.append("{\"external_id\":\"lead-").append(r.nextInt(leads))
                    .append("\",\"name\":\"").append(EVENT_NAMES[kind(r)])
                    .append("\",\"time\":\"").append(now)
                    .append("\",\"properties\":{\"source\":\"bench\",\"campaign\":\"c").append(r.nextInt(20)).append("\"}}");
        }
        return b.append("]}").toString();
    }

    /** Creates leads {@code from … to-1}: score 0, email, status, name (at most 75 per body). */
    static String createBody(int from, int to) {
        StringBuilder b = new StringBuilder((to - from) * 140 + 32);
        b.append("{\"attributes\":[");
        for (int i = from; i < to; i++) {
            if (i > from) b.append(',');
            b.append("{\"external_id\":\"lead-").append(i)
                    .append("\",\"email\":\"lead-").append(i).append("@bench.example\"")
                    .append(",\"first_name\":\"Lead\",\"lead score\":0,\"lead_status\":\"new\"}");
        }
        return b.append("]}").toString();
    }

    @Override public String toString() {
        return attributes + " attributes objects (inc on \"lead score\") + " + events + " custom events = "
                + objectsPerRequest() + " objects per request, leads drawn uniformly from " + leads;
    }
}
