package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.AttributeOp;
import dev.kiln.engine.Input;
import dev.kiln.engine.Limits;
import dev.kiln.engine.Source;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.Value;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing of /users/track objects into ops, without HTTP. */
class TrackParsingTest {
    private static final Source SOURCE = Source.track("req");
    private final JsonIo json = new JsonIo(4 * 1024 * 1024);
    private final EventParser events = new EventParser(json.mapper());

    private JsonNode node(String text) { return json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }

    private Op.Apply attributes(String text) { return (Op.Apply) AttributeParser.parse(node(text), "req.a0", SOURCE); }

    private List<AttributeOp> ops(String text) { return ((Input.UpdateAttributes) attributes(text).input()).ops(); }

    private Invalid attributeError(String text) {
        try {
            AttributeParser.parse(node(text), "req.a0", SOURCE);
        } catch (Invalid e) {
            return e;
        }
        throw new AssertionError("expected a validation error for " + text);
    }

    private Invalid eventError(String text) {
        try {
            events.event(node(text), "req.e0", SOURCE);
        } catch (Invalid e) {
            return e;
        }
        throw new AssertionError("expected a validation error for " + text);
    }

    private Invalid purchaseError(String text) {
        try {
            events.purchase(node(text), "req.p0", SOURCE);
        } catch (Invalid e) {
            return e;
        }
        throw new AssertionError("expected a validation error for " + text);
    }

    @Test
    void scalar_values_map_to_typed_sets_and_null_unsets() {
        assertThat(ops("""
                {"external_id":"u","s":"text","n":2.5,"b":true,"t":"2026-03-01T10:00:00Z","gone":null,"arr":["a","b"]}"""))
                .containsExactly(
                        new AttributeOp.Set("s", new Value.Str("text")),
                        new AttributeOp.Set("n", new Value.Num(2.5)),
                        new AttributeOp.Set("b", new Value.Bool(true)),
                        new AttributeOp.Set("t", new Value.Time(1772359200000L)),
                        new AttributeOp.Unset("gone"),
                        new AttributeOp.Set("arr", new Value.Arr(List.of("a", "b"))));
    }

    @Test
    void inc_add_and_remove_become_operations() {
        assertThat(ops("""
                {"external_id":"u","lead score":{"inc":-1},"tags":{"add":["x"],"remove":["y"]}}"""))
                .containsExactly(
                        new AttributeOp.Inc("lead score", -1),
                        new AttributeOp.Add("tags", List.of("x")),
                        new AttributeOp.Remove("tags", List.of("y")));
    }

    @Test
    void any_other_object_is_a_nested_custom_attribute() {
        assertThat(ops("""
                {"external_id":"u","company":{"name":"Acme","size":50,"tags":["b2b"],"hq":{"city":"Lisbon"}}}"""))
                .containsExactly(new AttributeOp.Set("company", new Value.Obj(Map.of(
                        "name", "Acme", "size", 50L, "tags", List.of("b2b"), "hq", Map.of("city", "Lisbon")))));
    }

    @Test
    void identifiers_and_update_existing_only_defaults_follow_braze() {
        Op.Apply byExternal = attributes("{\"external_id\":\"u\"}");
        assertThat(byExternal.who()).isEqualTo(new Identifier.ExternalId("u"));
        assertThat(byExternal.createIfMissing()).isTrue();
        Op.Apply byAlias = attributes("{\"user_alias\":{\"alias_name\":\"n\",\"alias_label\":\"l\"}}");
        assertThat(byAlias.who()).isEqualTo(new Identifier.Alias(new UserAlias("n", "l")));
        assertThat(byAlias.createIfMissing()).isFalse();
        assertThat(attributes("{\"user_alias\":{\"alias_name\":\"n\",\"alias_label\":\"l\"},\"_update_existing_only\":false}")
                .createIfMissing()).isTrue();
        assertThat(attributes("{\"external_id\":\"u\",\"_update_existing_only\":true}").createIfMissing()).isFalse();
        assertThat(attributes("{\"braze_id\":\"b\",\"_update_existing_only\":false}").createIfMissing())
                .as("a braze_id never creates").isFalse();
    }

    @Test
    void email_alone_identifies_the_user_and_sets_the_email_attribute() {
        Op.Apply op = attributes("{\"email\":\"ana@example.com\",\"first_name\":\"Ana\"}");
        assertThat(op.who()).isEqualTo(new Identifier.Email("ana@example.com"));
        assertThat(op.createIfMissing()).isTrue();
        assertThat(((Input.UpdateAttributes) op.input()).ops())
                .contains(new AttributeOp.Set("email", new Value.Str("ana@example.com")));
    }

    @Test
    void email_next_to_an_external_id_is_just_an_attribute() {
        Op.Apply op = attributes("{\"external_id\":\"u\",\"email\":\"ana@example.com\"}");
        assertThat(op.who()).isEqualTo(new Identifier.ExternalId("u"));
        assertThat(((Input.UpdateAttributes) op.input()).ops())
                .containsExactly(new AttributeOp.Set("email", new Value.Str("ana@example.com")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {}                                                        | missing_identifier   | one of external_id
            {"external_id":"a","braze_id":"b"}                        | multiple_identifiers | external_id and braze_id
            {"external_id":""}                                        | invalid_identifier   | must not be empty
            {"external_id":5}                                         | invalid_identifier   | must be a string
            {"user_alias":{"alias_name":"n"}}                          | invalid_identifier   | alias_label must be a string
            {"user_alias":"n"}                                        | invalid_identifier   | must be an object
            {"phone":"+15551234567"}                                  | unsupported_field    | phone
            {"email":"not-an-email"}                                  | invalid_identifier   | not a valid email
            {"external_id":"u","email":"nope"}                        | invalid_attribute    | not a valid email
            {"external_id":"u","email_subscribe":"yes"}               | invalid_attribute    | opted_in, subscribed, unsubscribed
            {"external_id":"u","gender":"X"}                          | invalid_attribute    | gender
            {"external_id":"u","dob":"21/12/1980"}                    | invalid_attribute    | YYYY-MM-DD
            {"external_id":"u","first_name":7}                        | invalid_attribute    | first_name must be a string
            {"external_id":"u","first_name":{"inc":1}}                | invalid_attribute    | first_name must be a string
            {"external_id":"u","date_of_first_session":"soon"}        | invalid_attribute    | must be a time
            {"external_id":"u","$secret":1}                           | invalid_attribute    | must not start with $
            {"external_id":"u","score":{"inc":"1"}}                   | invalid_attribute    | must be a number
            {"external_id":"u","score":{"inc":1,"by":2}}              | invalid_attribute    | cannot be combined
            {"external_id":"u","tags":{"add":"x"}}                    | invalid_attribute    | array of strings
            {"external_id":"u","tags":{"add":["x"],"x":1}}            | invalid_attribute    | cannot be combined
            {"external_id":"u","tags":[1,2]}                          | invalid_attribute    | strings only
            {"external_id":"u","stays":[{"hotel":"x"}]}               | invalid_attribute    | strings only
            {"external_id":"u","obj":{"a":null}}                      | invalid_attribute    | must not be null
            {"external_id":"u","obj":{"$a":1}}                        | invalid_attribute    | must not start with $
            {"external_id":"u","n":1e400}                             | invalid_attribute    | out of range
            {"external_id":"u","n":-1e19}                             | invalid_attribute    | out of range
            {"external_id":"u","n":123456789012345678901234567890}    | invalid_attribute    | out of range
            {"external_id":"u","push_tokens":[]}                      | unsupported_field    | push_tokens
            {"external_id":"u","_merge_objects":true}                 | unsupported_field    | _merge_objects
            {"external_id":"u","_update_existing_only":"no"}          | invalid_attribute    | true or false
            {"external_id":"u","s":"\\u0000"}                          | invalid_attribute    | NUL
            {"external_id":"u","s":"\\ud800"}                          | invalid_attribute    | unpaired surrogate
            []                                                        | invalid_object       | must be a JSON object
            """)
    void invalid_attribute_objects_are_refused_with_a_reason(String body, String type, String reason) {
        Invalid e = attributeError(body);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.getMessage()).contains(reason);
    }

    @Test
    void strings_longer_than_255_characters_are_refused_but_255_are_fine() {
        String ok = "é".repeat(Limits.MAX_STRING_LENGTH);
        assertThat(ops("{\"external_id\":\"u\",\"s\":\"" + ok + "\"}")).hasSize(1);
        assertThat(attributeError("{\"external_id\":\"u\",\"s\":\"" + ok + "x\"}").getMessage()).contains("longer than 255");
        assertThat(attributeError("{\"external_id\":\"" + "x".repeat(256) + "\"}").type()).isEqualTo(Invalid.IDENTIFIER);
    }

    @Test
    void nested_attributes_deeper_than_the_limit_are_refused() {
        String deep = "{\"a\":".repeat(Limits.MAX_NESTING_DEPTH) + "1" + "}".repeat(Limits.MAX_NESTING_DEPTH);
        assertThat(ops("{\"external_id\":\"u\",\"o\":" + deep + "}")).hasSize(1);
        String deeper = "{\"a\":".repeat(Limits.MAX_NESTING_DEPTH + 1) + "1" + "}".repeat(Limits.MAX_NESTING_DEPTH + 1);
        assertThat(attributeError("{\"external_id\":\"u\",\"o\":" + deeper + "}").getMessage()).contains("nested deeper");
    }

    @Test
    void an_event_becomes_a_track_event_with_plain_properties() {
        Op.Apply op = (Op.Apply) events.event(node("""
                {"external_id":"u","app_id":"web","name":"demo_requested","time":"2026-01-02T03:04:05:678Z",
                 "properties":{"plan":"pro","seats":3,"ratio":0.5,"ok":true,"tags":["a"],"meta":{"k":null}}}"""), "req.e0", SOURCE);
        Input.TrackEvent e = (Input.TrackEvent) op.input();
        assertThat(e.id()).isEqualTo("req.e0");
        assertThat(e.name()).isEqualTo("demo_requested");
        assertThat(e.time()).isEqualTo(java.time.Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
        assertThat(e.properties()).containsEntry("seats", 3L).containsEntry("ratio", 0.5).containsEntry("ok", true)
                .containsEntry("tags", List.of("a"));
        assertThat(op.createIfMissing()).isTrue();
    }

    @Test
    void reserved_kiln_events_are_accepted_and_other_kiln_names_refused() {
        assertThat(((Input.TrackEvent) ((Op.Apply) events.event(node("""
                {"external_id":"u","name":"kiln.session_start","time":"2026-01-01T00:00:00Z"}"""), "r", SOURCE)).input()).name())
                .isEqualTo("kiln.session_start");
        assertThat(eventError("{\"external_id\":\"u\",\"name\":\"kiln.hack\",\"time\":\"2026-01-01T00:00:00Z\"}").getMessage())
                .contains("reserved").contains("kiln.email.open");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"external_id":"u","time":"2026-01-01T00:00:00Z"}                                   | invalid_event      | name must be a string
            {"external_id":"u","name":"","time":"2026-01-01T00:00:00Z"}                         | invalid_event      | name must not be empty
            {"external_id":"u","name":"e"}                                                      | invalid_event      | time is required
            {"external_id":"u","name":"e","time":1767225600}                                    | invalid_event      | time must be a string
            {"external_id":"u","name":"e","time":"2026-13-45T99:00:00Z"}                        | invalid_event      | ISO 8601
            {"external_id":"u","name":"e","time":"yesterday"}                                   | invalid_event      | ISO 8601
            {"external_id":"u","name":"e","time":"2026-01-01","propertes":{}}                   | invalid_event      | unknown field
            {"external_id":"u","email":"a@b.co","name":"e","time":"2026-01-01"}                 | multiple_identifiers | external_id and email
            {"name":"e","time":"2026-01-01"}                                                    | missing_identifier | one of
            {"external_id":"u","name":"e","time":"2026-01-01","properties":[]}                  | invalid_property   | must be an object
            {"external_id":"u","name":"e","time":"2026-01-01","properties":{"$p":1}}            | invalid_property   | must not start with $
            {"external_id":"u","name":"e","time":"2026-01-01","properties":{"":1}}              | invalid_property   | empty key
            {"external_id":"u","name":"e","time":"2026-01-01","properties":{"time":1}}          | invalid_property   | reserved
            {"external_id":"u","name":"e","time":"2026-01-01","properties":{"event_name":1}}    | invalid_property   | reserved
            {"external_id":"u","name":"e","time":"2026-01-01","properties":{"n":1e999}}         | invalid_property   | out of range
            "event"                                                                             | invalid_object     | must be a JSON object
            """)
    void invalid_events_are_refused_with_a_reason(String body, String type, String reason) {
        Invalid e = eventError(body);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.getMessage()).contains(reason);
    }

    @Test
    void properties_are_limited_in_keys_name_length_and_size() {
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i <= Limits.MAX_EVENT_PROPERTIES; i++) many.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":1");
        many.append('}');
        assertThat(eventError("{\"external_id\":\"u\",\"name\":\"e\",\"time\":\"2026-01-01\",\"properties\":" + many + "}")
                .getMessage()).contains("257 keys");
        assertThat(eventError("{\"external_id\":\"u\",\"name\":\"e\",\"time\":\"2026-01-01\",\"properties\":{\""
                + "k".repeat(256) + "\":1}}").getMessage()).contains("longer than 255");
        StringBuilder big = new StringBuilder("{");
        for (int i = 0; i < 250; i++) big.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":\"").append("x".repeat(250)).append('"');
        big.append('}');
        assertThat(eventError("{\"external_id\":\"u\",\"name\":\"e\",\"time\":\"2026-01-01\",\"properties\":" + big + "}")
                .getMessage()).contains("bytes");
    }

    @Test
    void a_purchase_becomes_a_track_purchase_with_quantity_defaulting_to_one() {
        Input.TrackPurchase p = (Input.TrackPurchase) ((Op.Apply) events.purchase(node("""
                {"external_id":"u","product_id":"plan","currency":"eur","price":12.5,"time":"2026-01-01T00:00:00Z"}"""),
                "req.p0", SOURCE)).input();
        assertThat(p.currency()).isEqualTo("EUR");
        assertThat(p.quantity()).isEqualTo(1);
        assertThat(p.price()).isEqualTo(12.5);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"external_id":"u","currency":"USD","price":1,"time":"2026-01-01"}                    | product_id must be a string
            {"external_id":"u","product_id":"p","price":1,"time":"2026-01-01"}                    | currency must be a string
            {"external_id":"u","product_id":"p","currency":"XYZ","price":1,"time":"2026-01-01"}   | ISO 4217
            {"external_id":"u","product_id":"p","currency":"US","price":1,"time":"2026-01-01"}    | ISO 4217
            {"external_id":"u","product_id":"p","currency":"USD","time":"2026-01-01"}             | price must be a number
            {"external_id":"u","product_id":"p","currency":"USD","price":"1","time":"2026-01-01"} | price must be a number
            {"external_id":"u","product_id":"p","currency":"USD","price":1,"quantity":0,"time":"2026-01-01"}   | quantity must be a whole number from 1 to 100
            {"external_id":"u","product_id":"p","currency":"USD","price":1,"quantity":101,"time":"2026-01-01"} | quantity must be a whole number
            {"external_id":"u","product_id":"p","currency":"USD","price":1,"quantity":1.5,"time":"2026-01-01"} | quantity must be a whole number
            {"external_id":"u","product_id":"p","currency":"USD","price":1}                       | time is required
            """)
    void invalid_purchases_are_refused_with_a_reason(String body, String reason) {
        assertThat(purchaseError(body).getMessage()).contains(reason);
    }

    @Test
    void quoted_client_text_is_shortened_and_made_printable() {
        assertThat(Check.quote("x".repeat(100))).hasSize(64 + 3);
        assertThat(Check.quote("a\u0000b\ud800")).isEqualTo("\"a\uFFFDb\uFFFD\"");
        assertThat(Check.quote("😀")).isEqualTo("\"😀\"");
    }
}
