package dev.kiln.server.simulate;

import dev.kiln.engine.BrazeTime;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Writes a seed-workflow events file for {@code kiln simulate}: leads appear (email, {@code lead score}
 * 0; a few are employees), then send session starts, webinar registrations, demo requests, newsletter
 * unsubscribes, email opens and page views over weeks; a few get scores from an outside model. Activity
 * is skewed (a few leads do most), so quiet leads decay. Seeded: the same settings write the same bytes.
 */
final class Generator {
    /** @param events event objects to write; attribute objects come on top */
    record Settings(long events, int leads, long seed, long start, int days) {
        Settings {
            if (events < 1) throw new IllegalArgumentException("--generate must be at least 1, was " + events);
            if (leads < 1) throw new IllegalArgumentException("--leads must be at least 1, was " + leads);
            if (days < 1) throw new IllegalArgumentException("--days must be at least 1, was " + days);
        }
    }

    /** What was written. */
    record Written(long lines, long events, long attributes) {}

    private static final String[] NAMES = {
            "kiln.session_start", "webinar_registered", "demo_requested", "newsletter_unsubscribed",
            "kiln.email.open", "page_viewed"};
    /** Cumulative per mille of each name above. */
    private static final int[] MIX = {550, 670, 730, 800, 850, 1000};
    private static final String[] PAGES = {"/pricing", "/docs", "/blog/lead-scoring", "/careers", "/"};

    private Generator() {}

    static Written write(Settings s, Writer out) throws IOException {
        BufferedWriter w = out instanceof BufferedWriter b ? b : new BufferedWriter(out, 1 << 16);
        SplittableRandom random = new SplittableRandom(s.seed());
        BitSet seen = new BitSet(s.leads());
        long span = s.days() * 86_400_000L;
        long expectedLines = Math.max(1, Math.round(s.events() / 1.6));
        double step = (double) span / expectedLines;
        long events = 0, lines = 0, attributes = 0;
        StringBuilder b = new StringBuilder(512);
        while (events < s.events()) {
            long time = s.start() + (long) (lines * step);
            String at = BrazeTime.format(time);
            // Skewed activity: lead i is picked with density ∝ i^(-2/3).
            int lead = (int) Math.min(s.leads() - 1, (long) (s.leads() * Math.pow(random.nextDouble(), 3)));
            String id = "lead-" + lead;
            boolean timeField = random.nextInt(10) != 0; // one line in ten relies on its events' times
            b.setLength(0);
            b.append('{');
            if (timeField) b.append("\"time\":\"").append(at).append("\",");
            boolean attrs = false;
            if (!seen.get(lead)) {
                seen.set(lead);
                b.append("\"attributes\":[{\"external_id\":\"").append(id).append("\",\"email\":\"").append(id)
                        .append("@example.com\",\"first_name\":\"Lead ").append(lead).append("\",\"lead score\":0");
                if (random.nextInt(20) == 0) b.append(",\"is_employee\":true");
                b.append("}]");
                attrs = true;
                attributes++;
            } else if (random.nextInt(200) == 0) {
                // An outside model's score, as CDI or a batch job would send it.
                b.append("\"attributes\":[{\"external_id\":\"").append(id).append("\",\"lead score\":")
                        .append(random.nextInt(121)).append("}]");
                attrs = true;
                attributes++;
            }
            int n = (int) Math.min(s.events() - events, 1 + (random.nextInt(10) < 4 ? 1 + random.nextInt(2) : 0));
            if (attrs) b.append(',');
            b.append("\"events\":[");
            for (int i = 0; i < n; i++) {
                if (i > 0) b.append(',');
                long eventTime = timeField ? time - random.nextInt(60_000) : time;
                String name = name(random.nextInt(1000));
                b.append("{\"external_id\":\"").append(id).append("\",\"name\":\"").append(name)
                        .append("\",\"time\":\"").append(BrazeTime.format(eventTime)).append('"');
                switch (name) {
                    case "webinar_registered" -> b.append(",\"properties\":{\"webinar\":\"pricing-10").append(random.nextInt(3)).append("\"}");
                    case "demo_requested" -> b.append(",\"properties\":{\"source\":\"website\",\"seats\":").append(1 + random.nextInt(50)).append('}');
                    case "page_viewed" -> b.append(",\"properties\":{\"path\":\"").append(PAGES[random.nextInt(PAGES.length)]).append("\"}");
                    default -> { }
                }
                b.append('}');
            }
            b.append("]}\n");
            w.append(b);
            events += n;
            lines++;
        }
        w.flush();
        return new Written(lines, events, attributes);
    }

    private static String name(int perMille) {
        for (int i = 0; i < MIX.length; i++) if (perMille < MIX[i]) return NAMES[i];
        return NAMES[NAMES.length - 1];
    }
}
