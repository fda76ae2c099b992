package dev.kiln.store;

import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random profiles covering every value type and the awkward corners of each (−0.0, integral and
 * huge numbers, times next to numbers, nested objects with Long and Double leaves, non-ASCII text, event
 * summaries with holes in their day ring). Public for other modules' tests through the test-jar.
 */
public final class RandomUserStates {
    private RandomUserStates() {}

    private static final long DAY = 86_400_000L;
    private static final long BASE = 1_780_000_000_000L; // 2026

    /** A random profile with this id; the same seed gives the same profile. */
    public static UserState next(Random r, String userId) {
        long created = BASE + r.nextLong(400 * DAY);
        UserState u = new UserState(userId, created);
        u.touch(created + r.nextLong(30 * DAY));
        if (r.nextBoolean()) u.externalId("ext-" + text(r));
        for (int i = r.nextInt(3); i > 0; i--) u.aliases().add(new UserAlias("n" + i + text(r), "label" + r.nextInt(3)));
        if (r.nextInt(4) > 0) u.standard().put("email", Value.str(text(r) + "@Example.com"));
        if (r.nextBoolean()) u.standard().put("first_name", Value.str(text(r)));
        if (r.nextBoolean()) u.standard().put("dob", new Value.Time(created - r.nextLong(20_000 * DAY)));
        if (r.nextBoolean()) u.standard().put("email_subscribe", Value.str("opted_in"));
        for (int i = r.nextInt(8); i > 0; i--) u.custom().put(i == 1 ? "lead score" : "attr_" + text(r), value(r, 0));
        for (int i = r.nextInt(5); i > 0; i--) u.events().put("event_" + i, summary(r));
        for (int i = r.nextInt(3); i > 0; i--) u.products().put("product_" + i, summary(r));
        if (r.nextBoolean()) u.purchases(summary(r));
        if (r.nextBoolean()) u.sessions(summary(r));
        for (int i = r.nextInt(3); i > 0; i--) {
            dev.kiln.engine.canvas.CanvasState c = new dev.kiln.engine.canvas.CanvasState();
            c.version = 1 + r.nextInt(5);
            c.step = r.nextBoolean() ? "step_" + text(r) : null;
            c.enteredAt = created + r.nextLong(DAY);
            c.stepEnteredAt = c.enteredAt + r.nextLong(DAY);
            c.waitUntil = r.nextBoolean() ? 0 : c.stepEnteredAt + r.nextLong(DAY);
            c.rankedBest = r.nextInt(9) - 1;
            c.timerToken = r.nextInt(1000);
            c.exitPending = r.nextBoolean();
            c.lastEntryAt = r.nextBoolean() ? Long.MIN_VALUE : c.enteredAt;
            c.entries = r.nextInt(100);
            c.entryProperties = r.nextBoolean() ? java.util.Map.of() : java.util.Map.of("offer", text(r), "n", (long) r.nextInt(9));
            u.canvases().put("canvas-" + i, c);
        }
        for (int i = r.nextInt(3); i > 0; i--) {
            dev.kiln.engine.campaign.CampaignState c = new dev.kiln.engine.campaign.CampaignState();
            c.sends = r.nextInt(4);
            c.lastSentAt = c.sends == 0 ? 0 : created + r.nextLong(DAY);
            c.pending = r.nextBoolean() ? null : "msg-" + text(r);
            c.again = c.pending != null && r.nextBoolean();
            u.campaigns().put("campaign-" + text(r), c);
        }
        return u;
    }

    public static Value value(Random r, int depth) {
        return switch (r.nextInt(6)) {
            case 0 -> new Value.Num(number(r));
            case 1 -> Value.str(text(r));
            case 2 -> Value.bool(r.nextBoolean());
            case 3 -> new Value.Time(BASE + r.nextLong(-1000 * DAY, 1000 * DAY));
            case 4 -> new Value.Arr(distinctStrings(r));
            default -> new Value.Obj(object(r, depth));
        };
    }

    private static double number(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> r.nextInt(200) - 100;
            case 1 -> r.nextDouble() * 1000;
            case 2 -> -0.0;
            case 3 -> 0.0;
            case 4 -> 9.007199254740992E15 + 2 * r.nextInt(10); // 2^53 and beyond: integral but not exact as long
            case 5 -> 9.223372036854775807E18;
            case 6 -> Double.MIN_VALUE;
            case 7 -> r.nextLong() / 1e6;
            default -> 1e300 * r.nextDouble();
        };
    }

    private static List<String> distinctStrings(Random r) {
        List<String> out = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            String s = text(r);
            if (!out.contains(s)) out.add(s);
        }
        return out;
    }

    private static Map<String, Object> object(Random r, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) m.put("k" + i + text(r), leaf(r, depth + 1));
        return m;
    }

    private static Object leaf(Random r, int depth) {
        int kind = r.nextInt(depth > 3 ? 6 : 8);
        return switch (kind) {
            case 0 -> null;
            case 1 -> text(r);
            case 2 -> r.nextBoolean();
            case 3 -> r.nextLong();
            case 4 -> r.nextBoolean() ? (double) r.nextInt(10) : r.nextDouble(); // 3.0 must stay a Double
            case 5 -> r.nextBoolean() ? -0.0 : (long) r.nextInt(10);
            case 6 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) l.add(leaf(r, depth + 1));
                yield l;
            }
            default -> object(r, depth);
        };
    }

    private static final String[] PIECES = {"a", "Z", "lead score", "é", "日本", "😀", "\"", "\\", "\n", "\t", "\u0001",
            "</script>", "", " ", "ß", "\u2028", "0", "-1", "null", "{", "\u00ff"};

    public static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(5); i > 0; i--) sb.append(PIECES[r.nextInt(PIECES.length)]);
        return sb.toString();
    }

    public static EventSummary summary(Random r) {
        EventSummary s = new EventSummary();
        long end = BASE + r.nextLong(400 * DAY);
        for (int i = r.nextInt(12); i > 0; i--) s.record(end - r.nextLong(60 * DAY), 1 + r.nextInt(3));
        return s;
    }
}
