package dev.kiln.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sqlite.SQLiteConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads back what a server holds of a {@link Ledger}'s batches, from the export API or straight from
 * the SQLite file, and lists every way it breaks the durability contract: an acknowledged batch
 * missing, a batch applied to some of its users only, anything applied twice.
 */
final class DurabilityCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DurabilityCheck() {}

    /**
     * @param present    batches present for every one of their users
     * @param violations human-readable, one per problem; empty when the contract holds
     */
    record Verdict(String source, Set<Integer> present, List<String> violations) {}

    /** From {@code POST /users/export/ids} of every ledger user. */
    static Verdict fromExport(Ledger ledger, KilnClient client) {
        String source = "export";
        List<String> violations = new ArrayList<>();
        KilnClient.Response r = client.export(Ledger.allUsers());
        if (r.status() != 200) throw new AssertionError("export answered " + r);
        Map<Integer, Set<String>> seen = new TreeMap<>();
        Map<String, Double> score = new HashMap<>();
        Map<String, Long> events = new HashMap<>();
        for (JsonNode u : r.json().path("users")) {
            String user = u.path("external_id").asText();
            JsonNode custom = u.path("custom_attributes");
            for (Map.Entry<String, JsonNode> f : custom.properties()) {
                if (!f.getKey().startsWith("seen_b")) continue;
                int batch = Integer.parseInt(f.getKey().substring("seen_b".length()));
                if (!f.getValue().isBoolean() || !f.getValue().asBoolean())
                    violations.add(user + ": " + f.getKey() + " = " + f.getValue() + ", expected true");
                seen.computeIfAbsent(batch, b -> new TreeSet<>()).add(user);
            }
            if (custom.has(Ledger.SCORE)) score.put(user, custom.get(Ledger.SCORE).asDouble());
            for (JsonNode e : u.path("custom_events"))
                if (e.path("name").asText().equals(Ledger.EVENT)) events.put(user, e.path("count").asLong());
        }
        Set<Integer> present = presence(source, ledger, seen, violations);
        for (String user : Ledger.allUsers()) {
            long batches = seen.values().stream().filter(s -> s.contains(user)).count();
            double s = score.getOrDefault(user, 0.0);
            long n = events.getOrDefault(user, 0L);
            if (s != batches)
                violations.add(source + ": " + user + " has lead score " + s + " but " + batches + " batches applied to it (seen_b attributes)");
            if (n != batches)
                violations.add(source + ": " + user + " has " + Ledger.EVENT + " count " + n + " but " + batches + " batches applied to it");
        }
        return new Verdict(source, present, violations);
    }

    /** From the event log in the SQLite file; the server must not be running. */
    static Verdict fromEventLog(Ledger ledger, Path databaseFile) throws SQLException {
        String source = "event_log";
        List<String> violations = new ArrayList<>();
        Map<Integer, Map<String, Integer>> eventRows = new TreeMap<>(), seenRows = new TreeMap<>();
        Map<String, Integer> scoreRows = new HashMap<>();
        Map<String, Integer> ids = new HashMap<>();
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true); // read-only: no checkpoint on close, so the server's own recovery is what is tested next
        Map<String, String> externalIds = new HashMap<>();
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + databaseFile.toAbsolutePath(), config.toProperties());
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT user_id, external_id FROM users")) {
                while (rs.next()) externalIds.put(rs.getString(1), rs.getString(2));
            }
            // The event log's pages, decoded as the store decodes them.
            try (ResultSet rs = st.executeQuery("SELECT data FROM event_pages ORDER BY first_seq")) {
                while (rs.next()) {
                    for (dev.kiln.store.EventLogRow e : dev.kiln.store.EventPages.decode(rs.getBytes(1))) {
                        rows.add(new String[] {e.id(), e.type(), e.data(), e.externalId() != null ? e.externalId() : externalIds.get(e.userId())});
                    }
                }
            }
        }
        // What the server acknowledged and had not yet written into the tables is in its journal (read-only here:
        // the restart's own recovery is what is tested next).
        for (dev.kiln.store.CommitBatch b : dev.kiln.store.JournaledStore.unmaterialized(databaseFile)) {
            for (dev.kiln.store.UserRow u : b.upserts()) externalIds.put(u.userId(), u.externalId());
            for (dev.kiln.store.EventLogRow e : b.events()) {
                rows.add(new String[] {e.id(), e.type(), e.data(), e.externalId() != null ? e.externalId() : externalIds.get(e.userId())});
            }
        }
        for (String[] row : rows) {
            ids.merge(row[0], 1, Integer::sum);
            String type = row[1], user = row[3];
            JsonNode data = parse(row[2]);
            String name = data.path("name").asText();
            if (type.equals("users.behaviors.CustomEvent") && name.equals(Ledger.EVENT)) {
                int batch = data.path("properties").path("batch").asInt(-1);
                eventRows.computeIfAbsent(batch, b -> new TreeMap<>()).merge(user, 1, Integer::sum);
            } else if (type.equals("users.attributes.Change") && name.startsWith("seen_b")) {
                int batch = Integer.parseInt(name.substring("seen_b".length()));
                seenRows.computeIfAbsent(batch, b -> new TreeMap<>()).merge(user, 1, Integer::sum);
            } else if (type.equals("users.attributes.Change") && name.equals(Ledger.SCORE)) {
                scoreRows.merge(user, 1, Integer::sum);
            }
        }
        ids.forEach((id, n) -> { if (n > 1) violations.add(source + ": id " + id + " appears in " + n + " rows"); });
        twice(source, "custom event", eventRows, violations);
        twice(source, "seen_b attribute change", seenRows, violations);

        Map<Integer, Set<String>> seen = new TreeMap<>();
        Set<Integer> batches = new TreeSet<>(eventRows.keySet());
        batches.addAll(seenRows.keySet());
        for (int b : batches) {
            Set<String> withEvent = eventRows.getOrDefault(b, Map.of()).keySet();
            Set<String> withSeen = seenRows.getOrDefault(b, Map.of()).keySet();
            if (!withEvent.equals(withSeen))
                violations.add(source + ": batch " + b + " has events for " + new TreeSet<>(withEvent)
                        + " but attribute changes for " + new TreeSet<>(withSeen) + " (half a batch)");
            Set<String> both = new TreeSet<>(withEvent);
            both.addAll(withSeen);
            seen.put(b, both);
        }
        Set<Integer> present = presence(source, ledger, seen, violations);
        for (String user : Ledger.allUsers()) {
            long applied = seen.values().stream().filter(s -> s.contains(user)).count();
            int changes = scoreRows.getOrDefault(user, 0);
            if (changes != applied)
                violations.add(source + ": " + user + " has " + changes + " lead score changes but " + applied + " batches applied to it");
        }
        return new Verdict(source, present, violations);
    }

    /**
     * Classifies every batch as present (all its users), absent (none) or a violation (some), and flags
     * acknowledged batches that are not present and batches that were never sent.
     */
    private static Set<Integer> presence(String source, Ledger ledger, Map<Integer, Set<String>> usersByBatch, List<String> violations) {
        Map<Integer, Ledger.Outcome> outcomes = ledger.outcomes();
        Set<Integer> present = new TreeSet<>();
        Set<Integer> batches = new TreeSet<>(outcomes.keySet());
        batches.addAll(usersByBatch.keySet());
        for (int b : batches) {
            Ledger.Outcome outcome = outcomes.get(b);
            Set<String> have = usersByBatch.getOrDefault(b, Set.of());
            if (outcome == null) {
                violations.add(source + ": batch " + b + " was never sent but is applied to " + have);
                continue;
            }
            Set<String> expected = new TreeSet<>(ledger.users(b));
            Set<String> extra = new TreeSet<>(have);
            extra.removeAll(expected);
            if (!extra.isEmpty()) violations.add(source + ": batch " + b + " is applied to users it does not touch: " + extra);
            if (have.containsAll(expected)) {
                present.add(b);
                if (refused(outcome))
                    violations.add(source + ": batch " + b + " was refused (" + outcome.status() + " " + outcome.detail() + ") but is applied");
            } else if (outcome.kind() == Ledger.Kind.ACKED) {
                violations.add(source + ": batch " + b + " got 201 but is applied to " + have.size() + " of its "
                        + expected.size() + " users " + (have.isEmpty() ? "(lost)" : have));
            } else if (!have.isEmpty() && refused(outcome)) {
                violations.add(source + ": batch " + b + " was refused (" + outcome.status() + " " + outcome.detail() + ") but is applied to "
                        + have.size() + " of its " + expected.size() + " users: " + have);
            } else if (!have.isEmpty()) {
                violations.add(source + ": batch " + b + " (" + outcome.kind() + " " + outcome.detail() + ") is applied to "
                        + have.size() + " of its " + expected.size() + " users: " + have + " (partial)");
            }
        }
        return present;
    }

    /** A 4xx changes nothing; a 503 says so when it knows. */
    private static boolean refused(Ledger.Outcome o) {
        return o.kind() == Ledger.Kind.STATUS
                && ((o.status() >= 400 && o.status() < 500) || o.detail().contains("nothing was applied"));
    }

    private static void twice(String source, String what, Map<Integer, Map<String, Integer>> rows, List<String> violations) {
        rows.forEach((batch, byUser) -> byUser.forEach((user, n) -> {
            if (n > 1) violations.add(source + ": batch " + batch + " has " + n + " " + what + " rows for " + user + " (applied twice)");
        }));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("event_log.data is not JSON: " + json, e);
        }
    }

    /** Problems that only show across two reads: sources that disagree, or a present batch that vanished. */
    static List<String> compare(Verdict a, Verdict b, Set<Integer> presentBefore) {
        List<String> out = new ArrayList<>();
        Set<Integer> onlyA = new TreeSet<>(a.present()), onlyB = new TreeSet<>(b.present());
        onlyA.removeAll(b.present());
        onlyB.removeAll(a.present());
        if (!onlyA.isEmpty()) out.add("batches present in " + a.source() + " but not in " + b.source() + ": " + onlyA);
        if (!onlyB.isEmpty()) out.add("batches present in " + b.source() + " but not in " + a.source() + ": " + onlyB);
        Set<Integer> gone = new TreeSet<>(presentBefore);
        gone.removeAll(b.present());
        if (!gone.isEmpty()) out.add("batches present after the previous restart but gone now: " + gone);
        return out;
    }
}
