package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kiln.store.EventLogRow;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CDI over a real KilnServer with a SQLite-file warehouse (the embedded default): rows become attribute
 * changes with source {@code cdi:<id>}; late rows with an equal UPDATED_AT are applied by the next sync;
 * nothing is applied twice; bad rows are skipped with reasons while the sync completes. Events and purchases
 * rows are tracked as /users/track would: Canvases react, the event log and Currents hold them.
 */
class CdiSyncTest {
    static Path warehouse;
    static Path currentsOut;
    static CanvasRoutesTest.Running kiln;

    /** A Canvas entered on {@code trigger} that adds 1 to {@code counter}. */
    static String counting(String id, String trigger, String counter) {
        return """
                id: %s
                name: Counts %1$s
                status: active
                entry:
                  triggers: [ %s ]
                  reentry: { allowed: true, after: 0s }
                start: count
                steps:
                  count: { type: user_update, updates: [ { attribute: %s, increment: 1 } ] }
                """.formatted(id, trigger, counter);
    }

    @BeforeAll
    static void start() throws Exception {
        warehouse = Files.createTempDirectory("kiln-cdi-wh").resolve("warehouse.db");
        sql("CREATE TABLE lead_scores (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE counters (UPDATED_AT TEXT, EXTERNAL_ID TEXT, EMAIL TEXT, BRAZE_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE bad (UPDATED_AT TEXT, EXTERNAL_ID TEXT, EMAIL TEXT, BRAZE_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE gone (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE event_rows (UPDATED_AT TEXT, EXTERNAL_ID TEXT, ALIAS_NAME TEXT, ALIAS_LABEL TEXT, EMAIL TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE purchase_rows (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE bad_events (UPDATED_AT TEXT, EXTERNAL_ID TEXT, BRAZE_ID TEXT, PAYLOAD TEXT)");
        sql("CREATE TABLE bad_purchases (UPDATED_AT TEXT, EXTERNAL_ID TEXT, PAYLOAD TEXT)");
        currentsOut = warehouse.resolveSibling("currents");
        String url = "jdbc:sqlite:" + warehouse;
        kiln = new CanvasRoutesTest.Running(Map.ofEntries(
                Map.entry("cdi/events.yaml", "id: events\nname: Events\nsource: { jdbc_url: '" + url + "', table: event_rows }\n"
                        + "type: users.events\nschedule: { manual: true }\nbatch_size: 2\n"),
                Map.entry("cdi/buys.yaml", "id: buys\nname: Purchases\nsource: { jdbc_url: '" + url + "', table: purchase_rows }\n"
                        + "type: users.purchases\nschedule: { manual: true }\n"),
                Map.entry("cdi/bad-events.yaml", "id: bad-events\nname: Bad events\nsource: { jdbc_url: '" + url + "', table: bad_events }\n"
                        + "type: users.events\nschedule: { manual: true }\nbatch_size: 3\n"),
                Map.entry("cdi/bad-buys.yaml", "id: bad-buys\nname: Bad purchases\nsource: { jdbc_url: '" + url + "', table: bad_purchases }\n"
                        + "type: users.purchases\nschedule: { manual: true }\n"),
                Map.entry("canvases/demos.yaml", counting("demos", "{ custom_event: { name: demo_requested } }", "demos")),
                Map.entry("canvases/buyers.yaml", counting("buyers", "{ purchase: { product_id: pro } }", "buys")),
                Map.entry("currents/files.yaml", "id: files\nevents: [users.behaviors.CustomEvent, users.behaviors.Purchase]\n"
                        + "sink: { type: files, path: '" + currentsOut + "', roll_seconds: 1 }\n"),
                Map.entry("cdi/scores.yaml", "id: scores\nname: Lead scores\nsource: { jdbc_url: '" + url + "', table: lead_scores }\n"
                        + "type: users.attributes\nschedule: { manual: true }\n"),
                Map.entry("cdi/counters.yaml", "id: counters\nname: Counters\nsource: { jdbc_url: '" + url + "', query: 'SELECT * FROM counters' }\n"
                        + "type: users.attributes\nschedule: { manual: true }\nbatch_size: 2\n"),
                Map.entry("cdi/bad.yaml", "id: bad\nname: Bad rows\nsource: { jdbc_url: '" + url + "', table: bad }\n"
                        + "type: users.attributes\nschedule: { manual: true }\nbatch_size: 3\n"),
                Map.entry("cdi/gone.yaml", "id: gone\nname: Deletes\nsource: { jdbc_url: '" + url + "', table: gone }\n"
                        + "type: users.delete\nschedule: { manual: true }\n"),
                Map.entry("cdi/missing.yaml", "id: missing\nname: Missing file\nsource: { jdbc_url: 'jdbc:sqlite:" + warehouse.resolveSibling("nope.db")
                        + "', table: t }\ntype: users.attributes\nschedule: { every: 1m }\n")));
    }

    @AfterAll static void stop() { if (kiln != null) kiln.close(); }

    static void sql(String statement, Object... args) throws SQLException {
        CdiJobs.sql("jdbc:sqlite:" + warehouse, new java.util.Properties(), statement, args);
    }

    /** Starts a manual sync, waits for it to end, returns its job_sync_status entry. */
    static JsonNode sync(String id) { return CdiJobs.sync(kiln, id); }

    static JsonNode history(String user, String attribute) {
        Http.Response r = kiln.get("/users/" + user + "/attributes/" + attribute.replace(" ", "%20") + "/history");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("changes");
    }

    static JsonNode profile(String user) {
        Http.Response r = kiln.post("/users/export/ids", "{\"external_ids\":[\"" + user + "\"]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("users").get(0);
    }

    @Test
    void a_row_sets_the_lead_score_with_source_cdi() throws Exception {
        String u = "u-" + UUID.randomUUID();
        sql("INSERT INTO lead_scores VALUES ('2024-05-01 10:00:00', ?, '{\"lead score\": 120}')", u);
        JsonNode run = sync("scores");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isGreaterThanOrEqualTo(1);
        JsonNode changes = history(u, "lead score");
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).path("new_value").asLong()).isEqualTo(120);
        assertThat(changes.get(0).path("source").path("label").asText()).isEqualTo("cdi:scores");
        assertThat(changes.get(0).path("source").path("integration_id").asText()).isEqualTo("scores");
    }

    @Test
    void late_rows_with_the_last_max_are_applied_and_nothing_is_applied_twice() throws Exception {
        String a = "a-" + UUID.randomUUID(), b = "b-" + UUID.randomUUID();
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T09:00:00Z', ?, '{\"visits\": {\"inc\": 1}}')", a);
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T10:00:00Z', ?, '{\"visits\": {\"inc\": 1}}')", a);
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T10:00:00Z', ?, '{\"visits\": {\"inc\": 5}}')", b);
        JsonNode first = sync("counters");
        assertThat(first.path("job_status").asText()).as(first.toString()).isEqualTo("success");
        assertThat(first.path("rows_synced").asLong()).isEqualTo(3);
        assertThat(profile(a).path("custom_attributes").path("visits").asLong()).isEqualTo(2);

        JsonNode again = sync("counters");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(3); // the rows in the look-back window (from 09:00)
        assertThat(profile(a).path("custom_attributes").path("visits").asLong()).isEqualTo(2);

        // Committed late in the warehouse with the same UPDATED_AT as the last synced maximum (Braze would
        // re-sync every row at that time; Kiln applies only the new one).
        sql("INSERT INTO counters (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-06-01T10:00:00Z', ?, '{\"visits\": {\"inc\": 10}}')", a);
        JsonNode late = sync("counters");
        assertThat(late.path("rows_synced").asLong()).as(late.toString()).isEqualTo(1);
        assertThat(profile(a).path("custom_attributes").path("visits").asLong()).isEqualTo(12);
        assertThat(profile(b).path("custom_attributes").path("visits").asLong()).isEqualTo(5);
        assertThat(history(a, "visits")).allSatisfy(c -> assertThat(c.path("source").path("label").asText()).isEqualTo("cdi:counters"));
    }

    @Test
    void bad_rows_are_skipped_with_reasons_and_the_sync_completes() throws Exception {
        String ok = "ok-" + UUID.randomUUID();
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 251; i++) many.append(i == 0 ? "" : ",").append("\"a").append(i).append("\": 1");
        many.append('}');
        String t = "2030-01-01T00:00:00Z";
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'bad-json', '{nope')", t);
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, EMAIL, PAYLOAD) VALUES (?, 'two', 'two@example.com', '{\"x\": 1}')", t);
        sql("INSERT INTO bad (UPDATED_AT, PAYLOAD) VALUES (?, '{\"x\": 1}')", t);
        sql("INSERT INTO bad (UPDATED_AT, BRAZE_ID, PAYLOAD) VALUES (?, 'no-such-user', '{\"x\": 1}')", t);
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'wide', ?)", t, many.toString());
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'badop', '{\"x\": {\"inc\": \"one\"}}')", t);
        String huge = "{\"notes\": \"" + "x".repeat(1024 * 1024) + "\"}"; // one attribute, just over 1 MB
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, 'huge', ?)", t, huge);
        sql("INSERT INTO bad (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, ?, '{\"visits\": {\"inc\": 1}}')", t, ok);
        JsonNode run = sync("bad");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(run.path("rows_failed_with_errors").asLong()).isEqualTo(7);
        assertThat(run.path("first_errors").findValuesAsText("reason")).anySatisfy(r -> assertThat(r).startsWith("PAYLOAD is not valid JSON"))
                .anySatisfy(r -> assertThat(r).startsWith("exactly one identifier is allowed per row, found EXTERNAL_ID and EMAIL"))
                .anySatisfy(r -> assertThat(r).startsWith("no identifier"))
                .contains("no such user")
                .anySatisfy(r -> assertThat(r).isEqualTo("PAYLOAD has 251 attributes; at most 250 per row"))
                .anySatisfy(r -> assertThat(r).contains("inc"))
                .contains("PAYLOAD is " + huge.length() + " bytes; at most 1 MB (1048576) per row");
        assertThat(kiln.post("/users/export/ids", "{\"external_ids\":[\"huge\", \"wide\", \"two\", \"bad-json\"]}").json().path("users"))
                .as("bad rows create no users").isEmpty();
        assertThat(run.path("first_errors")).anySatisfy(e -> {
            assertThat(e.path("row").asText()).isEqualTo("BRAZE_ID \"no-such-user\" at UPDATED_AT " + t);
            assertThat(e.path("reason").asText()).isEqualTo("no such user");
        });
        assertThat(profile(ok).path("custom_attributes").path("visits").asLong()).isEqualTo(1);
        // Bad rows are not reported again by the next sync (their fingerprints are in the watermark).
        JsonNode again = sync("bad");
        assertThat(again.path("rows_failed_with_errors").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_synced").asLong()).isZero();
    }

    /** The events and purchases the event log holds for CDI integration {@code id}'s rows (not what Canvases did then), by id. */
    static Map<String, EventLogRow> loggedBy(String id) {
        Map<String, EventLogRow> out = new LinkedHashMap<>();
        for (EventLogRow r : kiln.server.store().readEventLog(0, 100_000))
            if (r.id().startsWith("cdi:" + id + ":") && r.type().startsWith("users.behaviors.")) out.put(r.id(), r);
        return out;
    }

    /** Every event Currents wrote to the files so far (one JSON object a line, gzipped). */
    static List<JsonNode> exported() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        if (!Files.isDirectory(currentsOut)) return all;
        try (Stream<Path> files = Files.walk(currentsOut)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json.gz")).toList())
                try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) all.add(Http.JSON.readTree(line));
                }
        }
        return all;
    }

    static JsonNode summary(JsonNode summaries, String name) {
        for (JsonNode e : summaries) if (e.path("name").asText().equals(name)) return e;
        throw new AssertionError("no " + name + " in " + summaries);
    }

    @Test
    void event_rows_are_tracked_events_that_trigger_canvases_reach_currents_and_are_never_applied_twice() throws Exception {
        String u = "ev-" + UUID.randomUUID(), alias = "al-" + UUID.randomUUID(), mail = "ev-" + UUID.randomUUID() + "@example.com";
        // no time: the event happened at UPDATED_AT
        sql("INSERT INTO event_rows (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-07-01T10:00:00Z', ?, ?)", u,
                "{\"name\": \"demo_requested\", \"properties\": {\"plan\": \"pro\", \"seats\": 3}}");
        // an own time (Braze's colon-millis form) wins over UPDATED_AT
        sql("INSERT INTO event_rows (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-07-01T11:00:00Z', ?, ?)", u,
                "{\"name\": \"webinar_registered\", \"time\": \"2024-06-30T08:00:00:250Z\", \"app_id\": \"web\"}");
        sql("INSERT INTO event_rows (UPDATED_AT, ALIAS_NAME, ALIAS_LABEL, PAYLOAD) VALUES ('2024-07-01T11:00:00Z', ?, 'crm', ?)", alias,
                "{\"name\": \"webinar_registered\"}");
        sql("INSERT INTO event_rows (UPDATED_AT, EMAIL, PAYLOAD) VALUES ('2024-07-01T11:00:00Z', ?, ?)", mail, "{\"name\": \"demo_requested\"}");
        JsonNode run = sync("events");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(4);

        JsonNode user = profile(u);
        JsonNode demo = summary(user.path("custom_events"), "demo_requested");
        assertThat(demo.path("count").asInt()).isEqualTo(1);
        assertThat(demo.path("first").asText()).isEqualTo("2024-07-01T10:00:00Z");
        JsonNode webinar = summary(user.path("custom_events"), "webinar_registered");
        assertThat(webinar.path("last").asText()).isEqualTo("2024-06-30T08:00:00.250Z");
        assertThat(user.path("custom_attributes").path("demos").asInt()).as("the custom_event Canvas ran").isEqualTo(1);
        Http.Response byAlias = kiln.post("/users/export/ids", "{\"user_aliases\":[{\"alias_name\":\"" + alias + "\",\"alias_label\":\"crm\"}]}");
        assertThat(summary(byAlias.json().path("users").get(0).path("custom_events"), "webinar_registered").path("count").asInt())
                .as("an alias row creates its user: %s", byAlias).isEqualTo(1);

        Map<String, EventLogRow> logged = loggedBy("events");
        assertThat(logged).hasSize(4);
        assertThat(logged.values()).allSatisfy(r -> {
            assertThat(r.type()).isEqualTo("users.behaviors.CustomEvent");
            assertThat(Http.JSON.readTree(r.data()).path("source").asText()).isEqualTo("cdi:events");
        });
        EventLogRow demoRow = logged.values().stream().filter(r -> u.equals(r.externalId()) && r.data().contains("demo_requested")).findFirst().orElseThrow();
        assertThat(Http.JSON.readTree(demoRow.data()).path("properties").toString()).isEqualTo("{\"plan\":\"pro\",\"seats\":3}");
        assertThat(demoRow.time()).isEqualTo(java.time.Instant.parse("2024-07-01T10:00:00Z").toEpochMilli());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(exported()).extracting(e -> e.path("id").asText()).containsAll(logged.keySet()));
        JsonNode currentsDemo = exported().stream().filter(e -> e.path("id").asText().equals(demoRow.id())).findFirst().orElseThrow();
        assertThat(currentsDemo.path("name").asText()).isEqualTo("demo_requested");
        assertThat(currentsDemo.path("external_user_id").asText()).isEqualTo(u);
        assertThat(currentsDemo.path("time").asLong()).isEqualTo(java.time.Instant.parse("2024-07-01T10:00:00Z").getEpochSecond());

        // Again: every row is known by its fingerprint; nothing is counted twice, no Canvas runs again.
        JsonNode again = sync("events");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(4);
        assertThat(loggedBy("events")).hasSize(4);
        user = profile(u);
        assertThat(summary(user.path("custom_events"), "demo_requested").path("count").asInt()).isEqualTo(1);
        assertThat(summary(user.path("custom_events"), "webinar_registered").path("count").asInt()).isEqualTo(1);
        assertThat(user.path("custom_attributes").path("demos").asInt()).isEqualTo(1);

        // A row committed late with the last maximum's UPDATED_AT is a new event: applied once.
        sql("INSERT INTO event_rows (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES ('2024-07-01T11:00:00Z', ?, ?)", u, "{\"name\": \"demo_requested\"}");
        JsonNode late = sync("events");
        assertThat(late.path("rows_synced").asLong()).as(late.toString()).isEqualTo(1);
        assertThat(late.path("rows_already_synced").asLong()).isEqualTo(4);
        assertThat(summary(profile(u).path("custom_events"), "demo_requested").path("count").asInt()).isEqualTo(2);
        assertThat(loggedBy("events")).hasSize(5);
    }

    @Test
    void purchase_rows_are_tracked_purchases_that_trigger_canvases_and_are_never_applied_twice() throws Exception {
        String u = "buy-" + UUID.randomUUID();
        sql("INSERT INTO purchase_rows VALUES ('2024-07-02 09:00:00', ?, ?)", u,
                "{\"product_id\": \"pro\", \"currency\": \"usd\", \"price\": 12.5, \"quantity\": 2, \"properties\": {\"seats\": 2}}");
        sql("INSERT INTO purchase_rows VALUES ('2024-07-02 09:30:00', ?, ?)", u,
                "{\"product_id\": \"addon\", \"currency\": \"EUR\", \"price\": 3, \"time\": \"2024-07-01T00:00:00Z\"}");
        JsonNode run = sync("buys");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("success");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(2);
        JsonNode user = profile(u);
        JsonNode pro = summary(user.path("purchases"), "pro");
        assertThat(pro.path("count").asInt()).as("quantity 2").isEqualTo(2);
        assertThat(pro.path("first").asText()).isEqualTo("2024-07-02T09:00:00Z");
        assertThat(summary(user.path("purchases"), "addon").path("last").asText()).isEqualTo("2024-07-01T00:00:00Z");
        assertThat(user.path("custom_attributes").path("buys").asInt()).as("the purchase Canvas ran for pro only").isEqualTo(1);
        Map<String, EventLogRow> logged = loggedBy("buys");
        assertThat(logged).hasSize(2);
        EventLogRow proRow = logged.values().stream().filter(r -> r.data().contains("\"pro\"")).findFirst().orElseThrow();
        JsonNode data = Http.JSON.readTree(proRow.data());
        assertThat(proRow.type()).isEqualTo("users.behaviors.Purchase");
        assertThat(data.path("currency").asText()).isEqualTo("USD");
        assertThat(data.path("price").asDouble()).isEqualTo(12.5);
        assertThat(data.path("quantity").asInt()).isEqualTo(2);
        assertThat(data.path("source").asText()).isEqualTo("cdi:buys");

        JsonNode again = sync("buys");
        assertThat(again.path("rows_synced").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_already_synced").asLong()).isEqualTo(2);
        assertThat(summary(profile(u).path("purchases"), "pro").path("count").asInt()).isEqualTo(2);
        assertThat(profile(u).path("custom_attributes").path("buys").asInt()).isEqualTo(1);
        assertThat(loggedBy("buys")).hasSize(2);
    }

    @Test
    void bad_event_and_purchase_rows_are_skipped_with_reasons_and_the_sync_completes() throws Exception {
        String ok = "okev-" + UUID.randomUUID(), okBuy = "okbuy-" + UUID.randomUUID();
        String t = "2030-01-01T00:00:00Z";
        String hugeEvent = "{\"name\": \"x\", \"properties\": {\"n\": \"" + "y".repeat(1024 * 1024) + "\"}}";
        String[][] events = {
                {"not-object", "[\"demo_requested\"]", "PAYLOAD must be a JSON object with name, was array"},
                {"no-name", "{\"properties\": {\"a\": 1}}", "name must be a string"},
                {"bad-time", "{\"name\": \"x\", \"time\": \"yesterday\"}", "time must be ISO 8601"},
                {"id-in-payload", "{\"name\": \"x\", \"external_id\": \"other\"}",
                        "PAYLOAD must not hold external_id: the row's identifier comes from its columns"},
                {"typo", "{\"name\": \"x\", \"propertes\": {}}",
                        "PAYLOAD has an unknown field \"propertes\"; a users.events PAYLOAD may hold name, time, properties, app_id"},
                {"bad-props", "{\"name\": \"x\", \"properties\": [1]}", "properties must be an object"},
                {"huge", hugeEvent, "PAYLOAD is " + hugeEvent.length() + " bytes; at most 1 MB (1048576) per row"},
                {"null-payload", null, "PAYLOAD is null; users.events rows need a JSON object with name"},
                {"bad-json", "{\"name\": ", "PAYLOAD is not valid JSON"},
        };
        for (String[] e : events) sql("INSERT INTO bad_events (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, ?, ?)", t, e[0], e[1]);
        sql("INSERT INTO bad_events (UPDATED_AT, BRAZE_ID, PAYLOAD) VALUES (?, 'no-such-user', '{\"name\": \"x\"}')", t);
        sql("INSERT INTO bad_events (UPDATED_AT, EXTERNAL_ID, PAYLOAD) VALUES (?, ?, '{\"name\": \"demo_requested\"}')", t, ok);
        JsonNode run = sync("bad-events");
        assertThat(run.path("job_status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(run.path("rows_synced").asLong()).isEqualTo(1);
        assertThat(run.path("rows_failed_with_errors").asLong()).isEqualTo(events.length + 1);
        Map<String, String> reasons = new LinkedHashMap<>();
        for (JsonNode e : run.path("first_errors")) reasons.put(e.path("row").asText(), e.path("reason").asText());
        for (String[] e : events)
            assertThat(reasons.get("EXTERNAL_ID \"" + e[0] + "\" at UPDATED_AT " + t)).as("%s in %s", e[0], reasons).startsWith(e[2]);
        assertThat(reasons.get("BRAZE_ID \"no-such-user\" at UPDATED_AT " + t)).isEqualTo("no such user");
        assertThat(summary(profile(ok).path("custom_events"), "demo_requested").path("count").asInt()).isEqualTo(1);
        assertThat(kiln.post("/users/export/ids", "{\"external_ids\":[\"no-name\", \"huge\", \"bad-time\", \"other\"]}").json().path("users"))
                .as("bad rows create no users").isEmpty();

        String[][] purchases = {
                {"price-text", "{\"product_id\": \"p\", \"currency\": \"USD\", \"price\": \"12\"}", "price must be a number"},
                {"no-product", "{\"currency\": \"USD\", \"price\": 1}", "product_id must be a string"},
                {"bad-currency", "{\"product_id\": \"p\", \"currency\": \"dollars\", \"price\": 1}", "currency must be an ISO 4217 code"},
                {"zero-quantity", "{\"product_id\": \"p\", \"currency\": \"USD\", \"price\": 1, \"quantity\": 0}",
                        "quantity must be a whole number from 1 to 100"},
                {"event-shaped", "{\"name\": \"x\"}", "PAYLOAD has an unknown field \"name\"; a users.purchases PAYLOAD may hold product_id"},
        };
        for (String[] p : purchases) sql("INSERT INTO bad_purchases VALUES (?, ?, ?)", t, p[0], p[1]);
        sql("INSERT INTO bad_purchases VALUES (?, ?, '{\"product_id\": \"p\", \"currency\": \"USD\", \"price\": 0}')", t, okBuy);
        JsonNode buys = sync("bad-buys");
        assertThat(buys.path("job_status").asText()).as(buys.toString()).isEqualTo("partial");
        assertThat(buys.path("rows_synced").asLong()).isEqualTo(1);
        assertThat(buys.path("rows_failed_with_errors").asLong()).isEqualTo(purchases.length);
        reasons.clear();
        for (JsonNode e : buys.path("first_errors")) reasons.put(e.path("row").asText(), e.path("reason").asText());
        for (String[] p : purchases)
            assertThat(reasons.get("EXTERNAL_ID \"" + p[0] + "\" at UPDATED_AT " + t)).as("%s in %s", p[0], reasons).startsWith(p[2]);
        assertThat(summary(profile(okBuy).path("purchases"), "p").path("count").asInt()).isEqualTo(1);

        // Bad rows are known by their fingerprints: not reported, nothing applied, on the next sync.
        JsonNode again = sync("bad-events");
        assertThat(again.path("rows_failed_with_errors").asLong()).as(again.toString()).isZero();
        assertThat(again.path("rows_synced").asLong()).isZero();
    }

    @Test
    void delete_rows_delete_users() throws Exception {
        String u = "d-" + UUID.randomUUID();
        kiln.track("{\"attributes\":[{\"external_id\":\"" + u + "\",\"plan\":\"pro\"}]}");
        sql("INSERT INTO gone VALUES ('2024-01-01 00:00:00', ?, NULL)", u);
        sql("INSERT INTO gone VALUES ('2024-01-01 00:00:00', 'with-payload', '{}')");
        JsonNode run = sync("gone");
        assertThat(run.path("rows_synced").asLong()).as(run.toString()).isEqualTo(1);
        assertThat(run.path("first_errors").findValuesAsText("reason")).containsExactly("users.delete rows carry no PAYLOAD (it must be null)");
        Http.Response r = kiln.post("/users/export/ids", "{\"external_ids\":[\"" + u + "\"]}");
        assertThat(r.json().path("users")).isEmpty();
    }

    @Test
    void a_missing_warehouse_file_is_a_recorded_failure_and_integrations_are_listed() {
        await().atMost(Duration.ofSeconds(30)).until(() -> kiln.get("/cdi/integrations/missing/job_sync_status").json().path("results").size() > 0
                && !kiln.get("/cdi/integrations/missing/job_sync_status").json().path("results").get(0).path("job_status").asText().equals("running"));
        JsonNode run = kiln.get("/cdi/integrations/missing/job_sync_status").json().path("results").get(0);
        assertThat(run.path("job_status").asText()).isEqualTo("error");
        assertThat(run.path("trigger").asText()).isEqualTo("schedule");
        assertThat(run.path("error").asText()).contains("does not exist");
        Http.Response list = kiln.get("/cdi/integrations");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("results").findValuesAsText("integration_id"))
                .containsExactly("bad", "bad-buys", "bad-events", "buys", "counters", "events", "gone", "missing", "scores");
        JsonNode missing = list.json().path("results").get(7);
        assertThat(missing.path("integration_type").asText()).isEqualTo("users.attributes");
        assertThat(missing.path("warehouse_type").asText()).isEqualTo("sqlite");
        assertThat(missing.path("last_job_status").asText()).isEqualTo("error");
        assertThat(missing.path("next_scheduled_run").asText()).isNotBlank();
    }

    @Test
    void unknown_integrations_are_404_and_scopes_are_checked() {
        assertThat(kiln.post("/cdi/integrations/nope/sync", "").status()).isEqualTo(404);
        String reader = kiln.keyWith(Scopes.CDI_READ);
        assertThat(kiln.http.post("/cdi/integrations/scores/sync", reader, "").status()).isEqualTo(403);
        assertThat(kiln.http.get("/cdi/integrations", reader).status()).isEqualTo(200);
    }
}
