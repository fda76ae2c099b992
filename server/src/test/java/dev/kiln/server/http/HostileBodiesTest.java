package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.runtime.Identifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance test for hostile input: well over 1,000 malformed or hostile bodies, generated from a
 * seed plus written by hand. Every answer is a 4xx with a reason, or a 201 whose {@code errors} list
 * exactly the bad objects; never a 5xx. Bad objects only ever target seeded profiles, which must be
 * exactly as they were afterwards. Run again with {@code -Dkiln.seed=N} to replay a failure.
 */
class HostileBodiesTest {
    private static final int GENERATED = 1_200;
    private static final List<String> KNOWN = List.of("known-0", "known-1", "known-2", "known-3", "known-4");
    private static final UserAlias KNOWN_ALIAS = new UserAlias("known-anon", "web");
    private static final String KNOWN_EMAIL = "known@example.com";
    private static final String RAW = "\u0000raw"; // marks an "object" that is some other JSON value

    private static RealKiln kiln;
    private final long seed = Long.getLong("kiln.seed", System.nanoTime());
    private final Random rnd = new Random(seed);
    private int scratch;

    /** One request; {@code poisoned} holds "array#index" of every bad object, {@code valid} counts the good ones. */
    private record Case(String name, String path, String contentType, byte[] body, Set<String> poisoned, int valid,
                        boolean bodyLevel) {
        String preview() {
            String s = new String(body, 0, Math.min(body.length, 600), StandardCharsets.UTF_8);
            return body.length > 600 ? s + "… (" + body.length + " bytes)" : s;
        }
    }

    @BeforeAll
    static void start() {
        kiln = new RealKiln();
        for (String k : KNOWN) {
            Http.Response r = kiln.track("""
                    {"attributes":[{"external_id":"%s","first_name":"Known","lead score":5,"tags":["a"],"company":{"name":"Acme"}}],
                     "events":[{"external_id":"%1$s","name":"seeded","time":"2026-01-01T00:00:00Z","properties":{"p":1}}],
                     "purchases":[{"external_id":"%1$s","product_id":"seed","currency":"USD","price":1,"time":"2026-01-01T00:00:00Z"}]}"""
                    .formatted(k));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        assertThat(kiln.track("""
                {"attributes":[{"user_alias":{"alias_name":"%s","alias_label":"%s"},"_update_existing_only":false,"lead score":1},
                               {"email":"%s","lead score":2}]}""".formatted(KNOWN_ALIAS.name(), KNOWN_ALIAS.label(), KNOWN_EMAIL))
                .status()).isEqualTo(201);
    }

    @AfterAll static void stop() { kiln.close(); }

    /** Every seeded profile, as committed (UserState equality covers attributes, summaries, aliases and updated_at). */
    private static List<UserState> seeded() {
        List<UserState> all = new ArrayList<>();
        for (String k : KNOWN) all.addAll(kiln.runtime.findAll(new Identifier.ExternalId(k)));
        all.addAll(kiln.runtime.findAll(new Identifier.Alias(KNOWN_ALIAS)));
        all.addAll(kiln.runtime.findAll(new Identifier.Email(KNOWN_EMAIL)));
        return all;
    }

    @Test
    void hostile_bodies_get_a_4xx_with_a_reason_and_change_no_profile() {
        List<UserState> before = seeded();
        assertThat(before).hasSize(KNOWN.size() + 2);
        List<Case> cases = new ArrayList<>(handWritten());
        for (int i = 0; i < GENERATED; i++) cases.add(generated(i));
        assertThat(cases.size()).isGreaterThanOrEqualTo(1_000);

        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Http.Response r = kiln.http.postBytes(c.path(), kiln.key, c.contentType(), c.body());
            statuses.merge(r.status(), 1, Integer::sum);
            String where = "seed " + seed + " (replay with -Dkiln.seed=" + seed + "), case #" + i + " " + c.name()
                    + "\nbody: " + c.preview() + "\nresponse: " + r;
            assertThat(r.status()).as(where).isBetween(201, 499).isNotEqualTo(200);
            JsonNode json = r.json();
            if (r.status() != 201) assertThat(json.path("message").asText("")).as(where).isNotBlank();
            if (c.bodyLevel()) {
                assertThat(r.status()).as(where).isBetween(400, 499);
                continue;
            }
            assertThat(r.status()).as(where).isEqualTo(c.valid() > 0 ? 201 : 400);
            Set<String> errors = new TreeSet<>();
            for (JsonNode e : json.path("errors")) {
                assertThat(e.path("reason").asText("")).as(where).isNotBlank();
                errors.add(e.path("input_array").asText() + "#" + e.path("index").asInt());
            }
            assertThat(errors).as(where).isEqualTo(new TreeSet<>(c.poisoned()));
        }
        System.out.println("hostile bodies: " + cases.size() + " requests, seed " + seed + ", statuses " + statuses);
        assertThat(seeded()).as("seed " + seed + ": seeded profiles must be untouched").isEqualTo(before);
        assertThat(kiln.http.get("/health", null).status()).isEqualTo(200);
    }

    // ---- hand-written ---------------------------------------------------------------------------

    private List<Case> handWritten() {
        List<Case> out = new ArrayList<>();
        String valid = "{\"attributes\":[" + write(knownAttributes()) + "]}";
        for (String body : List.of("", " ", "{", "}", "[", "{\"attributes\":[", "{\"attributes\":[{\"external_id\":\"known-0\"",
                "null", "true", "42", "\"attributes\"", "[]", "[{\"external_id\":\"known-0\"}]", "{}",
                "{\"attributes\":null,\"events\":null}", "{\"attributes\":[]}", "{'attributes':[]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":NaN}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":Infinity}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":-Infinity}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":0x10}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":01}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":1,}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":1}],}",
                "{\"attributes\":[{\"external_id\":\"known-0\" /* c */,\"x\":1}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":1}]} trailing",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":1}]}{}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"external_id\":\"known-1\"}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":" + "9".repeat(2_000) + "}]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"" + "k".repeat(20_000) + "\":1}]}",
                "{\"attributes\":{\"external_id\":\"known-0\",\"x\":1}}",
                "{\"attributes\":\"known-0\"}", "{\"events\":5}", "{\"purchases\":true}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":1}],\"attribute\":[]}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":1}],\"api_key\":\"k\"}",
                "{\"attributes\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}",
                "{\"attributes\":[{\"external_id\":\"known-0\",\"o\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}]}")) {
            out.add(bodyLevel("hand-written", "/users/track", body));
        }
        out.add(new Case("invalid UTF-8", "/users/track", "application/json",
                concat(valid.substring(0, 20).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                        valid.substring(20).getBytes(StandardCharsets.UTF_8)), Set.of(), 0, true));
        byte[] tenMb = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(tenMb, (byte) ' ');
        byte[] prefix = valid.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(prefix, 0, tenMb, 0, prefix.length);
        out.add(new Case("10 MB body", "/users/track", "application/json", tenMb, Set.of(), 0, true));
        String huge = "{\"attributes\":[{\"external_id\":\"known-1\",\"bio\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}]}";
        out.add(new Case("3 MB string", "/users/track", "application/json", bytes(huge), Set.of("attributes#0"), 0, false));
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"))
            out.add(new Case("content type " + type, "/users/track", type, bytes(valid), Set.of(), 0, true));
        out.add(bodyLevel("76 valid attributes for known users", "/users/track", track(Map.of("attributes", repeatKnown(76, this::knownAttributes)))));
        out.add(bodyLevel("76 valid events for known users", "/users/track", track(Map.of("events", repeatKnown(76, this::knownEvent)))));
        out.add(bodyLevel("76 valid purchases for known users", "/users/track", track(Map.of("purchases", repeatKnown(76, this::knownPurchase)))));
        out.addAll(otherEndpoints());
        return out;
    }

    private List<Case> otherEndpoints() {
        List<Case> out = new ArrayList<>();
        for (String body : List.of("{\"external_ids\":[\"known-0\",5]}", "{\"external_ids\":[\"known-0\",\"\"]}",
                "{\"external_ids\":\"known-0\"}", "{\"user_aliases\":[{\"alias_name\":\"known-anon\"}]}",
                "{\"braze_ids\":[null]}", "{\"external_ids\":[\"known-0\"],\"extra\":1}", "[\"known-0\"]",
                "{\"email_addresses\":[{\"email\":\"known@example.com\",\"prioritization\":[\"most_recently_updated\"]}]}",
                "{\"external_ids\":[" + "\"known-0\",".repeat(50) + "\"known-1\"]}"))
            out.add(bodyLevel("delete", "/users/delete", body));
        for (String body : List.of("{}", "{\"aliases_to_identify\":{}}", "{\"aliases_to_identify\":\"known-anon\"}",
                "{\"emails_to_identify\":[{\"external_id\":\"known-0\",\"email\":\"known@example.com\"}]}"))
            out.add(bodyLevel("identify", "/users/identify", body));
        out.add(new Case("identify bad objects", "/users/identify", "application/json", bytes("""
                {"aliases_to_identify":[{"external_id":"known-0","user_alias":{"alias_name":"known-anon"}},
                  {"external_id":5,"user_alias":{"alias_name":"known-anon","alias_label":"web"}},
                  {"external_id":"known-0","user_alias":{"alias_name":"known-anon","alias_label":"web"},"x":1}, 7]}"""),
                Set.of("aliases_to_identify#0", "aliases_to_identify#1", "aliases_to_identify#2", "aliases_to_identify#3"), 0, false));
        out.add(new Case("alias/new bad objects", "/users/alias/new", "application/json", bytes("""
                {"user_aliases":[{"external_id":"known-0","alias_name":"x"},{"external_id":"known-1","alias_label":"crm"},
                  {"external_id":["known-2"],"alias_name":"x","alias_label":"crm"},{"external_id":"known-3","alias_name":"","alias_label":"crm"},
                  {"external_id":"known-4","alias_name":"x","alias_label":"crm","admin":true}]}"""),
                Set.of("user_aliases#0", "user_aliases#1", "user_aliases#2", "user_aliases#3", "user_aliases#4"), 0, false));
        for (String body : List.of("{}", "{\"external_ids\":[1]}", "{\"fields_to_export\":[\"email\"]}",
                "{\"external_ids\":[\"known-0\"],\"fields_to_export\":[\"password\"]}", "{\"device_id\":\"d\"}"))
            out.add(bodyLevel("export", "/users/export/ids", body));
        return out;
    }

    // ---- generated ------------------------------------------------------------------------------

    private Case generated(int i) {
        int kind = rnd.nextInt(100);
        if (kind < 55) return objectLevel("objects #" + i);
        if (kind < 70) return broken(objectLevel("broken #" + i));
        if (kind < 82) return bodyLevel("shape #" + i, "/users/track", wrongShape());
        if (kind < 89) {
            String array = pick("attributes", "events", "purchases");
            Map<String, Object> body = Map.of(array, repeatKnown(76 + rnd.nextInt(60), generatorFor(array)));
            return bodyLevel("too many " + array + " #" + i, "/users/track", track(body));
        }
        if (kind < 94) {
            Case valid = objectLevel("content type #" + i);
            return new Case(valid.name(), "/users/track", pick("text/plain", "text/html", "application/octet-stream", "image/png"),
                    valid.body(), Set.of(), 0, true);
        }
        List<Case> others = otherEndpoints();
        Case c = others.get(rnd.nextInt(others.size()));
        return new Case(c.name() + " #" + i, c.path(), c.contentType(), c.body(), c.poisoned(), c.valid(), c.bodyLevel());
    }

    /** A well-formed /users/track body whose objects are either valid (fresh users) or poisoned (seeded users). */
    private Case objectLevel(String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        Set<String> poisoned = new HashSet<>();
        int valid = 0;
        for (String array : List.of("attributes", "events", "purchases")) {
            if (rnd.nextInt(3) == 0) continue;
            List<Map<String, String>> objects = new ArrayList<>();
            int n = 1 + rnd.nextInt(8);
            for (int j = 0; j < n; j++) {
                if (rnd.nextInt(10) < 7) {
                    Map<String, String> o = generatorFor(array).get();
                    poison(array, o);
                    objects.add(o);
                    poisoned.add(array + "#" + j);
                } else {
                    objects.add(validScratch(array));
                    valid++;
                }
            }
            body.put(array, objects);
        }
        if (body.isEmpty()) {
            Map<String, String> o = knownEvent();
            poison("events", o);
            body.put("events", List.of(o));
            poisoned.add("events#0");
        }
        return new Case(name, "/users/track", "application/json", bytes(track(body)), poisoned, valid, false);
    }

    /** Breaks the JSON itself: a truncation, or a structural character replaced outside strings. */
    private Case broken(Case c) {
        String text = new String(c.body(), StandardCharsets.UTF_8);
        String out;
        if (rnd.nextBoolean()) {
            out = text.substring(0, rnd.nextInt(text.length()));
        } else {
            List<Integer> structural = new ArrayList<>();
            boolean inString = false;
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (inString) {
                    if (ch == '\\') i++;
                    else if (ch == '"') inString = false;
                } else if (ch == '"') {
                    inString = true;
                } else if ("{}[],:".indexOf(ch) >= 0) {
                    structural.add(i);
                }
            }
            int at = structural.get(rnd.nextInt(structural.size()));
            out = text.substring(0, at) + pick(";", "#", "@", "\\") + text.substring(at + 1);
        }
        return new Case(c.name(), c.path(), c.contentType(), bytes(out), Set.of(), 0, true);
    }

    private String wrongShape() {
        String obj = write(knownAttributes());
        return switch (rnd.nextInt(12)) {
            case 0 -> pick("[]", "null", "true", "false", "0", "-1.5", "\"x\"", "[" + obj + "]");
            case 1 -> "{\"attributes\":" + obj + "}";
            case 2 -> "{\"attributes\":" + pick("\"x\"", "1", "true", "{}") + "}";
            case 3 -> "{\"events\":" + pick("\"x\"", "1", "false", "{\"name\":\"e\"}") + "}";
            case 4 -> "{\"purchases\":" + pick("\"x\"", "2.5", "true", "{}") + "}";
            case 5 -> "{\"attributes\":[" + obj + "],\"" + pick("attribute", "event", "users", "api_key", "") + "\":[]}";
            case 6 -> "{}";
            case 7 -> "{\"attributes\":[],\"events\":[],\"purchases\":[]}";
            case 8 -> "{\"attributes\":" + "[".repeat(65 + rnd.nextInt(5_000)) + "]".repeat(0) + "}";
            case 9 -> "{\"attributes\":[{\"external_id\":\"known-0\",\"x\":" + pick("NaN", "Infinity", "+1", ".5", "1.", "1e", "--1", "0x1F") + "}]}";
            case 10 -> "{\"attributes\":[" + obj.substring(0, obj.length() - 1) + ",\"external_id\":\"known-2\"}]}";
            default -> "{\"attributes\":[" + obj + "]," + "\"attributes\":[]}";
        };
    }

    // ---- objects --------------------------------------------------------------------------------

    private java.util.function.Supplier<Map<String, String>> generatorFor(String array) {
        return switch (array) {
            case "attributes" -> this::knownAttributes;
            case "events" -> this::knownEvent;
            default -> this::knownPurchase;
        };
    }

    private String known() { return KNOWN.get(rnd.nextInt(KNOWN.size())); }

    private Map<String, String> knownAttributes() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("external_id", str(known()));
        o.put("lead score", "{\"inc\":" + (1 + rnd.nextInt(9)) + "}");
        o.put("plan", str("enterprise"));
        return o;
    }

    private Map<String, String> knownEvent() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("external_id", str(known()));
        o.put("name", str("hostile_evt"));
        o.put("time", str("2026-01-0" + (1 + rnd.nextInt(9)) + "T00:00:00Z"));
        o.put("properties", "{\"a\":1,\"b\":\"x\"}");
        return o;
    }

    private Map<String, String> knownPurchase() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("external_id", str(known()));
        o.put("product_id", str("hostile"));
        o.put("currency", str("USD"));
        o.put("price", Integer.toString(rnd.nextInt(100)));
        o.put("time", str("2026-01-01T00:00:00Z"));
        return o;
    }

    private List<Map<String, String>> repeatKnown(int n, java.util.function.Supplier<Map<String, String>> gen) {
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(gen.get());
        return out;
    }

    private Map<String, String> validScratch(String array) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("external_id", str("scratch-" + seed + "-" + scratch++));
        switch (array) {
            case "attributes" -> {
                if (rnd.nextBoolean()) o.put("lead score", "{\"inc\":" + rnd.nextInt(10) + "}");
                if (rnd.nextBoolean()) o.put("plan", str(pick("free", "pro", "é中😀")));
                if (rnd.nextBoolean()) o.put("tags", "[\"a\",\"b\",\"a\"]");
                if (rnd.nextBoolean()) o.put("company", "{\"name\":\"Acme\",\"size\":12,\"tags\":[\"x\"]}");
                if (rnd.nextBoolean()) o.put("signed_up", str("2026-01-02T03:04:05Z"));
                if (rnd.nextBoolean()) o.put("email_subscribe", str("subscribed"));
            }
            case "events" -> {
                o.put("name", str(pick("page_view", "demo_requested", "kiln.session_start", "kiln.email.open")));
                o.put("time", str(pick("2026-01-01T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00:123Z", "2999-01-01T00:00:00Z")));
                if (rnd.nextBoolean()) o.put("properties", "{\"n\":1,\"s\":\"x\",\"nested\":{\"a\":[1,2]},\"nothing\":null}");
            }
            default -> {
                o.put("product_id", str("plan"));
                o.put("currency", str(pick("USD", "eur", "BRL")));
                o.put("price", pick("0", "9.99", "-5"));
                o.put("quantity", Integer.toString(1 + rnd.nextInt(100)));
                o.put("time", str("2026-01-01T00:00:00Z"));
            }
        }
        return o;
    }

    /** Makes an object certainly invalid, in one of many ways (sometimes several). */
    private void poison(String array, Map<String, String> o) {
        List<BiConsumer<Map<String, String>, Random>> common = List.of(
                (m, r) -> m.remove("external_id"),
                (m, r) -> m.put("braze_id", str("b-" + r.nextInt(1000))),
                (m, r) -> m.put("user_alias", "{\"alias_name\":\"x\",\"alias_label\":\"y\"}"),
                (m, r) -> m.put("external_id", pick("5", "true", "null", "[\"known-0\"]", "{\"id\":\"known-0\"}", "\"\"", "1e400")),
                (m, r) -> m.put("external_id", str("known-" + "0".repeat(256 + r.nextInt(2_000)))),
                (m, r) -> m.put("external_id", str("known-0\u0000")),
                (m, r) -> m.put("external_id", str("known-\ud800")),
                (m, r) -> { String id = m.remove("external_id"); m.put(pick("user_id", "device_id", "customer_id", "id"), id); },
                (m, r) -> { m.remove("external_id"); m.put("phone", str("+15551234567")); },
                (m, r) -> m.put("user_alias", pick("\"known-anon\"", "{\"alias_name\":\"known-anon\"}", "{\"alias_label\":\"web\"}",
                        "{\"alias_name\":\"known-anon\",\"alias_label\":\"web\",\"x\":1}", "[]")),
                (m, r) -> m.put("_update_existing_only", pick("\"no\"", "0", "1", "[]", "\"false\"")),
                (m, r) -> { m.clear(); m.put(RAW, pick("5", "\"x\"", "null", "[]", "true", "[{}]")); });
        List<BiConsumer<Map<String, String>, Random>> specific = switch (array) {
            case "attributes" -> List.of(
                    (m, r) -> m.put("bio", str("x".repeat(256 + r.nextInt(3_000)))),
                    (m, r) -> m.put("n", pick("1e400", "-1e400", "1e19", "-9.3e18", "123456789012345678901234567890")),
                    (m, r) -> m.put("$" + pick("secret", "set", "inc"), "1"),
                    (m, r) -> m.put("", "1"),
                    (m, r) -> m.put("k".repeat(256), "1"),
                    (m, r) -> m.put("bad\u0000name", "1"),
                    (m, r) -> m.put("lead score", pick("{\"inc\":\"5\"}", "{\"inc\":null}", "{\"inc\":[1]}", "{\"inc\":1,\"x\":2}", "{\"inc\":1e400}", "{\"inc\":{}}")),
                    (m, r) -> m.put("tags", pick("{\"add\":\"x\"}", "{\"add\":[1]}", "{\"remove\":[null]}", "{\"add\":[\"x\"],\"y\":1}", "{\"add\":[{}]}",
                            "{\"add\":[\"" + "t".repeat(300) + "\"]}")),
                    (m, r) -> m.put("tags", pick("[1,2]", "[\"a\",null]", "[[\"a\"]]", "[{\"hotel\":\"x\"}]", "[true]")),
                    (m, r) -> m.put("company", pick("{\"a\":null}", "{\"$a\":1}", "{\"a\":{\"b\":null}}", "{\"a\":1e400}", "{\"\":1}",
                            "{\"s\":\"" + "x".repeat(300) + "\"}", deep(51 + r.nextInt(8)))),
                    (m, r) -> m.put(pick("email_subscribe", "push_subscribe"), str(pick("yes", "OPTED_IN", "", "true"))),
                    (m, r) -> m.put("email", str(pick("no-at", "a@b", "@x.com", "a b@c.com", "a@@b.co"))),
                    (m, r) -> m.put("gender", str(pick("X", "male", "", "unknown"))),
                    (m, r) -> m.put("dob", str(pick("21/12/1980", "1980-13-01", "yesterday", "1980-02-30"))),
                    (m, r) -> m.put(pick("first_name", "country", "time_zone", "language"), pick("5", "true", "[\"x\"]", "{\"inc\":1}", "{}")),
                    (m, r) -> m.put("date_of_first_session", str(pick("soon", "2026-99-99", ""))),
                    (m, r) -> m.put(pick("push_tokens", "subscription_groups", "push_token_import", "facebook"), "[]"),
                    (m, r) -> m.put("_merge_objects", "true"),
                    (m, r) -> m.put("plan", str("bad\u0000value")),
                    (m, r) -> m.put("plan", str("lone \udc00 surrogate")));
            case "events" -> List.of(
                    (m, r) -> m.remove("name"),
                    (m, r) -> m.put("name", pick("5", "null", "\"\"", "[\"e\"]", "{}", str("e".repeat(256)), str("kiln." + r.nextInt(100)), str("kiln.admin"))),
                    (m, r) -> m.remove("time"),
                    (m, r) -> m.put("time", pick("1767225600", "null", "\"\"", "\"yesterday\"", "\"2026-02-30T00:00:00Z\"", "\"2026-13-01\"",
                            "\"99999-01-01\"", "\"01/02/2026\"", "\"2026-01-01T25:00:00Z\"", "[]")),
                    (m, r) -> m.put("properties", pick("[]", "\"x\"", "5", "true")),
                    (m, r) -> m.put("properties", pick("{\"$p\":1}", "{\"time\":1}", "{\"event_name\":\"x\"}", "{\"\":1}", "{\"p\":1e400}",
                            "{\"p\":\"" + "v".repeat(300) + "\"}", "{\"" + "k".repeat(256) + "\":1}", "{\"p\":" + deep(51 + r.nextInt(8)) + "}",
                            "{\"p\":{\"$x\":1}}", manyProperties(257 + r.nextInt(50)))),
                    (m, r) -> m.put(pick("propertes", "timestamp", "user", "price"), "1"),
                    // Two identifiers whatever other poison removed the external id.
                    (m, r) -> { m.put("email", str(KNOWN_EMAIL)); m.put("braze_id", str("b")); });
            default -> List.of(
                    (m, r) -> m.remove(pick("product_id", "currency", "price", "time")),
                    (m, r) -> m.put("product_id", pick("5", "\"\"", "null", str("p".repeat(256)))),
                    (m, r) -> m.put("currency", str(pick("US", "USDD", "123", "ZZZ", "dollars", ""))),
                    (m, r) -> m.put("price", pick("\"1\"", "null", "1e400", "-1e400", "[1]", "true")),
                    (m, r) -> m.put("quantity", pick("0", "101", "1.5", "\"2\"", "-1", "1e400")),
                    (m, r) -> m.put("time", pick("\"never\"", "0", "\"2026-02-30\"")),
                    (m, r) -> m.put("properties", pick("{\"$p\":1}", "[]", "{\"p\":1e400}", "{\"time\":1}")),
                    (m, r) -> m.put("product", str("x")));
        };
        int n = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
        for (int i = 0; i < n; i++) {
            boolean useCommon = rnd.nextInt(3) == 0;
            List<BiConsumer<Map<String, String>, Random>> from = useCommon ? common : specific;
            from.get(rnd.nextInt(from.size())).accept(o, rnd);
            if (o.containsKey(RAW)) return;
        }
    }

    private static String deep(int levels) { return "{\"a\":".repeat(levels) + "1" + "}".repeat(levels); }

    private static String manyProperties(int n) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
        return b.append('}').toString();
    }

    // ---- writing --------------------------------------------------------------------------------

    private Case bodyLevel(String name, String path, String body) {
        return new Case(name, path, "application/json", bytes(body), Set.of(), 0, true);
    }

    @SuppressWarnings("unchecked")
    private static String track(Map<String, Object> body) {
        StringBuilder b = new StringBuilder("{");
        Iterator<Map.Entry<String, Object>> it = body.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            b.append(str(e.getKey())).append(":[");
            List<Map<String, String>> objects = (List<Map<String, String>>) e.getValue();
            for (int i = 0; i < objects.size(); i++) b.append(i == 0 ? "" : ",").append(write(objects.get(i)));
            b.append(']').append(it.hasNext() ? "," : "");
        }
        return b.append('}').toString();
    }

    private static String write(Map<String, String> o) {
        if (o.containsKey(RAW)) return o.get(RAW);
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (var e : o.entrySet()) {
            b.append(first ? "" : ",").append(str(e.getKey())).append(':').append(e.getValue());
            first = false;
        }
        return b.append('}').toString();
    }

    /** A JSON string literal; control characters and every surrogate escaped, so lone ones reach the server as such. */
    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || Character.isSurrogate(c)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private String pick(String... options) { return options[rnd.nextInt(options.length)]; }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
