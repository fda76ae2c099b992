package dev.kiln.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;

/**
 * The scoring benchmark's event stream: every {@code /users/track} request carries 75 custom events, each
 * for a lead drawn uniformly from {@code lead-0 … lead-(leads-1)}, named after the seed Canvas's action
 * groups: {@code kiln.session_start} and {@code webinar_registered} (plus one), {@code demo_requested}
 * (plus five), {@code newsletter_unsubscribed} (minus one, floor 0). Shares in per cent.
 */
record ScoringStream(int leads, int session, int webinar, int demo, int unsubscribe) {
    static final int EVENTS_PER_REQUEST = Workload.MAX_PER_ARRAY;
    static final String[] NAMES = {"kiln.session_start", "webinar_registered", "demo_requested", "newsletter_unsubscribed"};

    ScoringStream {
        if (leads < 1) throw new IllegalArgumentException("the stream needs at least one lead, was " + leads);
        if (session < 0 || webinar < 0 || demo < 0 || unsubscribe < 0 || session + webinar + demo + unsubscribe != 100)
            throw new IllegalArgumentException("--mix needs four shares ≥ 0 adding up to 100 (session,webinar,demo,unsubscribe), was "
                    + session + "," + webinar + "," + demo + "," + unsubscribe);
    }

    /** {@code "40,30,20,10"}: session starts, webinar registrations, demo requests, newsletter unsubscribes (%). */
    static ScoringStream parse(String mix, int leads) {
        String[] p = mix.split(",");
        if (p.length != 4) throw new IllegalArgumentException("--mix needs four comma-separated per cents, was " + mix);
        int[] v = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Integer.parseInt(p[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix needs whole per cents, was " + mix);
            }
        }
        return new ScoringStream(leads, v[0], v[1], v[2], v[3]);
    }

    ScoringStream withLeads(int n) { return new ScoringStream(n, session, webinar, demo, unsubscribe); }

    private int kind(SplittableRandom r) {
        int p = r.nextInt(100);
        return p < session ? 0 : p < session + webinar ? 1 : p < session + webinar + demo ? 2 : 3;
    }

    /** One request body: 75 events for random leads, stamped now. */
    String trackBody(SplittableRandom r) {
        StringBuilder b = new StringBuilder(EVENTS_PER_REQUEST * 120 + 16);
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        b.append("{\"events\":[");
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            if (i > 0) b.append(',');
            int k = kind(r);
            b.append("{\"external_id\":\"").append(Workload.leadId(r.nextInt(leads))).append("\",\"name\":\"").append(NAMES[k])
                    .append("\",\"time\":\"").append(now).append('"');
            switch (k) {
                case 1 -> b.append(",\"properties\":{\"webinar\":\"pricing-10").append(r.nextInt(3)).append("\"}");
                case 2 -> b.append(",\"properties\":{\"source\":\"website\",\"seats\":").append(1 + r.nextInt(50)).append('}');
                default -> { }
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    @Override public String toString() {
        return EVENTS_PER_REQUEST + " events per request for leads drawn uniformly from " + String.format("%,d", leads) + ": "
                + session + "% kiln.session_start (plus one), " + webinar + "% webinar_registered (plus one), "
                + demo + "% demo_requested (plus five), " + unsubscribe + "% newsletter_unsubscribed (minus one, floor 0)";
    }
}
