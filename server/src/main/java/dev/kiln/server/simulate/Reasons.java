package dev.kiln.server.simulate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Why lines or objects were refused, grouped: the reason with quoted values and numbers blanked out
 * (so "no user with external_id \"u1\"" and "… \"u2\"" are one group), with the first example kept whole.
 */
final class Reasons {
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern SINGLE_QUOTED = Pattern.compile("'[^']*'( \\(code \\d+\\))?");
    /** Counts and positions in messages ("line 3, column 7", "has 80 objects", "element 2"). */
    private static final Pattern NUMBERS = Pattern.compile("(?<=\\b(?:line|column|has|take|element|index) )\\d+");
    private static final int TEMPLATE_LENGTH = 100;
    private static final int EXAMPLE_LENGTH = 160;

    /** One group: the count, the stable type, and where it first happened. */
    record Group(String type, String template, long count, String example) {}

    private static final class Slot {
        final String type, template, example;
        long count;
        Slot(String type, String template, String example) { this.type = type; this.template = template; this.example = example; }
    }

    private final Map<String, Slot> groups = new HashMap<>();
    private long total;

    /** @param where e.g. {@code line 12 events[0]}, shown with the first example */
    void add(String type, String reason, String where) {
        total++;
        String template = QUOTED.matcher(reason).replaceAll("\"…\"");
        template = SINGLE_QUOTED.matcher(template).replaceAll("'…'");
        template = NUMBERS.matcher(template).replaceAll("N");
        if (template.length() > TEMPLATE_LENGTH) template = template.substring(0, TEMPLATE_LENGTH) + "…";
        Slot s = groups.get(type + '\u0000' + template);
        if (s == null) {
            String example = where + ": " + reason;
            if (example.length() > EXAMPLE_LENGTH) example = example.substring(0, EXAMPLE_LENGTH) + "…";
            s = new Slot(type, template, example);
            groups.put(type + '\u0000' + template, s);
        }
        s.count++;
    }

    long total() { return total; }

    /** The {@code n} largest groups, largest first (ties by type, then reason). */
    List<Group> top(int n) {
        List<Group> all = new ArrayList<>();
        for (Slot s : groups.values()) all.add(new Group(s.type, s.template, s.count, s.example));
        all.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::type).thenComparing(Group::template));
        return all.subList(0, Math.min(n, all.size()));
    }

    int groups() { return groups.size(); }
}
