package dev.kiln.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code GET /metrics} (Prometheus text), enough to take differences between two scrapes. */
final class Scrape {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;

    private Scrape(List<Sample> samples) { this.samples = samples; }

    static Scrape parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) continue;
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) labels.put(m.group(1), m.group(2));
            } else {
                name = line.substring(0, line.indexOf(' '));
            }
            try {
                out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1).trim())));
            } catch (NumberFormatException ignored) {
                // a value we don't read ("NaN" parses; anything else is not ours)
            }
        }
        return new Scrape(out);
    }

    /** Sum of the samples named {@code name} whose labels include {@code kv} (pairs of key, value). */
    double sum(String name, String... kv) {
        double s = 0;
        outer:
        for (Sample x : samples) {
            if (!x.name.equals(name)) continue;
            for (int i = 0; i + 1 < kv.length; i += 2) if (!kv[i + 1].equals(x.labels.get(kv[i]))) continue outer;
            s += x.value;
        }
        return s;
    }

    /**
     * The upper bound of the bucket holding quantile {@code q} of what a histogram ({@code name_bucket}
     * with {@code le}) recorded between {@code before} and {@code after}; NaN when nothing was recorded.
     */
    static double quantileBetween(Scrape before, Scrape after, String name, double q) {
        Map<Double, Double> delta = new java.util.TreeMap<>();
        for (Sample s : after.samples) {
            if (!s.name.equals(name + "_bucket") || s.labels.get("le") == null) continue;
            double le = s.labels.get("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s.labels.get("le"));
            delta.merge(le, s.value, Double::sum);
        }
        for (Sample s : before.samples) {
            if (!s.name.equals(name + "_bucket") || s.labels.get("le") == null) continue;
            double le = s.labels.get("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s.labels.get("le"));
            delta.merge(le, -s.value, Double::sum);
        }
        double total = delta.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) return Double.NaN;
        for (var e : delta.entrySet()) if (e.getValue() >= q * total) return e.getKey();
        return Double.POSITIVE_INFINITY;
    }
}
