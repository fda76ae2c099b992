package dev.kiln.definitions;

import java.util.Collection;
import java.util.List;

/** Helpers for messages that list or suggest keywords. */
final class Words {
    private Words() {}

    /** {@code a, b or c}. */
    static String oneOf(Collection<String> words) {
        List<String> w = List.copyOf(words);
        if (w.size() == 1) return w.get(0);
        return String.join(", ", w.subList(0, w.size() - 1)) + " or " + w.get(w.size() - 1);
    }

    /**
     * "did you mean x?" for a near miss (edit distance ≤ 2, and less than either word's length, so that
     * {@code up} is not "near" {@code s}), else the full list.
     */
    static String suggest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = 3;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestDistance && d < word.length() && d < c.length()) { best = c; bestDistance = d; }
        }
        return best != null ? "did you mean " + best + "?" : "expected " + oneOf(candidates);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
