package dev.kiln.engine.filter;

import dev.kiln.engine.EventSummary;
import dev.kiln.engine.UserState;
import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random values and filters checked against the laws the Braze rules imply (opposite operators
 * partition the users that have the right type, De Morgan, …). Rerun one seed with
 * {@code -Dkiln.seed=N}; a failure message names its seed.
 */
class FilterInvariantsTest {
    static final int ROUNDS = 2_000;
    static final String[] WORDS = {"MQL", "mql", "SQL", "lead", "gold_tier", "", " MQL", "acme"};

    @Test
    void opposite_operators_and_combinators_obey_their_laws() {
        Long fixed = Long.getLong("kiln.seed");
        LongStream seeds = fixed != null ? LongStream.of(fixed) : LongStream.of(1, 2, 3, 42, 20260301);
        seeds.forEach(this::run);
    }

    private void run(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < ROUNDS; i++) {
            Value v = value(r);
            String where = "seed " + seed + " round " + i + " value " + v;
            boolean blank = AttributeConditions.isBlank(v);

            assertThat(test(new Condition.Blank(), v)).as(where).isNotEqualTo(test(new Condition.NotBlank(), v));

            List<String> words = words(r);
            boolean stringLike = blank || v instanceof Value.Str;
            xorOrBothFalse(where, stringLike, new Condition.Str(Condition.Str.Op.ANY_OF, words), new Condition.Str(Condition.Str.Op.NONE_OF, words), v);
            xorOrBothFalse(where, stringLike, new Condition.Str(Condition.Str.Op.CONTAINS_ANY, words), new Condition.Str(Condition.Str.Op.NOT_CONTAINS_ANY, words), v);
            xorOrBothFalse(where, stringLike, new Condition.Str(Condition.Str.Op.EQUALS, words.get(0)), new Condition.Str(Condition.Str.Op.NOT_EQUAL, words.get(0)), v);
            xorOrBothFalse(where, !blank && v instanceof Value.Str, new Condition.Regex(words.get(0), false), new Condition.Regex(words.get(0), true), v);
            xorOrBothFalse(where, blank || v instanceof Value.Arr, new Condition.Arr(Condition.Arr.Op.INCLUDES_ANY, words), new Condition.Arr(Condition.Arr.Op.INCLUDES_NONE, words), v);

            double x = r.nextInt(7) - 3;
            if (v instanceof Value.Num) {
                int holds = (test(new Condition.Num(Condition.Num.Op.GREATER_THAN, x), v) ? 1 : 0)
                        + (test(new Condition.Num(Condition.Num.Op.LESS_THAN, x), v) ? 1 : 0)
                        + (test(new Condition.Num(Condition.Num.Op.EQUALS, x), v) ? 1 : 0);
                assertThat(holds).as(where + " trichotomy at " + x).isEqualTo(1);
                assertThat(test(new Condition.Num(Condition.Num.Op.NOT_EQUAL, x), v)).as(where).isNotEqualTo(test(new Condition.Num(Condition.Num.Op.EQUALS, x), v));
            }

            if (v instanceof Value.Bool || v == null) {
                boolean t = test(new Condition.Bool(Condition.Bool.Op.TRUE), v), f = test(new Condition.Bool(Condition.Bool.Op.FALSE), v);
                assertThat(test(new Condition.Bool(Condition.Bool.Op.TRUE_OR_NOT_SET), v)).as(where).isEqualTo(t || v == null);
                assertThat(test(new Condition.Bool(Condition.Bool.Op.FALSE_OR_NOT_SET), v)).as(where).isEqualTo(f || v == null);
                assertThat(t && f).as(where).isFalse();
            }

            int days = r.nextInt(10);
            if (v instanceof Value.Time t) {
                long d = days * DAY;
                long at = t.epochMillis();
                if (at <= NOW && at != NOW - d)
                    xorOrBothFalse(where, true, new Condition.Relative(Condition.Relative.Op.MORE_THAN_DAYS_AGO, days), new Condition.Relative(Condition.Relative.Op.LESS_THAN_DAYS_AGO, days), v);
                if (at > NOW && at != NOW + d)
                    xorOrBothFalse(where, true, new Condition.Relative(Condition.Relative.Op.IN_MORE_THAN_DAYS, days), new Condition.Relative(Condition.Relative.Op.IN_LESS_THAN_DAYS, days), v);
            }

            combinatorLaws(where, r, v);
            eventLaws(where, r);
        }
    }

    private static void xorOrBothFalse(String where, boolean applies, Condition positive, Condition negative, Value v) {
        boolean p = test(positive, v), n = test(negative, v);
        if (applies) assertThat(p).as(where + ": " + positive + " vs " + negative).isNotEqualTo(n);
        else assertThat(p || n).as(where + ": wrong type matches " + positive + " or " + negative).isFalse();
    }

    private static void combinatorLaws(String where, Random r, Value v) {
        UserState u = userWith(v);
        List<Filter> fs = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) fs.add(new Filter.Attribute(ATTR, condition(r)));
        List<Filter> negated = fs.stream().map(f -> (Filter) new Filter.Not(f)).toList();
        boolean all = new Filter.All(fs).test(u, NOW), any = new Filter.Any(fs).test(u, NOW);
        assertThat(new Filter.None(fs).test(u, NOW)).as(where + " " + fs).isEqualTo(!any);
        assertThat(all).as(where + " De Morgan " + fs).isEqualTo(!new Filter.Any(negated).test(u, NOW));
        assertThat(all).as(where + " all as stream " + fs).isEqualTo(fs.stream().allMatch(f -> f.test(u, NOW)));
    }

    private static void eventLaws(String where, Random r) {
        UserState u = new UserState("u", 0);
        if (r.nextBoolean()) {
            EventSummary s = new EventSummary();
            for (int k = r.nextInt(5); k > 0; k--) s.record(NOW - (long) (r.nextDouble() * 60 * DAY), 1 + r.nextInt(3));
            u.events().put("e", s);
        }
        Activity e = new Activity.CustomEvent("e");
        long n = r.nextInt(8);
        int window = r.nextBoolean() ? EventCondition.ALL_TIME : 1 + r.nextInt(30);
        boolean gt = new Filter.Event(e, new EventCondition.Count(EventCondition.Count.Op.GREATER_THAN, n, window)).test(u, NOW);
        boolean lt = new Filter.Event(e, new EventCondition.Count(EventCondition.Count.Op.LESS_THAN, n + 1, window)).test(u, NOW);
        assertThat(gt).as(where + " event count " + n + " in " + window).isNotEqualTo(lt);
        boolean never = new Filter.Event(e, new EventCondition.Never()).test(u, NOW);
        assertThat(never).as(where).isEqualTo(new Filter.Event(e, new EventCondition.Count(EventCondition.Count.Op.EXACTLY, 0)).test(u, NOW));
        if (never) assertThat(new Filter.Event(e, new EventCondition.LastPerformed(EventCondition.LastPerformed.Op.LESS_THAN_DAYS_AGO, 1000)).test(u, NOW)).as(where).isFalse();
    }

    private static Value value(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> null;
            case 1 -> num(r.nextInt(7) - 3);
            case 2, 3 -> str(WORDS[r.nextInt(WORDS.length)]);
            case 4 -> bool(r.nextBoolean());
            case 5 -> time(NOW + (r.nextInt(21) - 10) * DAY + (r.nextBoolean() ? 0 : r.nextInt(1000) - 500));
            case 6 -> {
                List<String> w = words(r);
                yield new Value.Arr(w.subList(0, r.nextInt(w.size() + 1)));
            }
            default -> new Value.Obj(Map.of("k", "v"));
        };
    }

    private static List<String> words(Random r) {
        List<String> out = new ArrayList<>();
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            String w = WORDS[r.nextInt(WORDS.length)];
            if (!w.isEmpty() && !out.contains(w)) out.add(w);
        }
        if (out.isEmpty()) out.add("MQL");
        return out;
    }

    private static Condition condition(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> new Condition.Blank();
            case 1 -> new Condition.Num(Condition.Num.Op.values()[r.nextInt(4)], r.nextInt(5) - 2);
            case 2 -> new Condition.Str(Condition.Str.Op.NONE_OF, words(r));
            case 3 -> new Condition.Bool(Condition.Bool.Op.values()[r.nextInt(4)]);
            case 4 -> new Condition.Regex("^m", r.nextBoolean());
            default -> new Condition.Relative(Condition.Relative.Op.values()[r.nextInt(4)], r.nextInt(5));
        };
    }
}
