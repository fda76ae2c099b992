package dev.kiln.server.currents;

import dev.kiln.definitions.CurrentsConnector;
import dev.kiln.store.EventLogRow;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the three descriptions of each Currents event type in step: its {@code .avsc} schema, the record
 * {@link CurrentsMapper#map} writes (for a sample row carrying every field Kiln writes for the type), and the
 * type's table in {@code docs/currents.md}.
 */
class CurrentsAvroSchemaTest {
    static final long T = 1_700_000_123_456L;

    /** A row of each type as Kiln writes it, with every optional field present. */
    static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("users.behaviors.CustomEvent", """
                    {"name":"webinar","properties":{"topic":"ai"},"source":"users/track:r1"}"""),
            Map.entry("users.behaviors.Purchase", """
                    {"product_id":"plan","currency":"USD","price":9.5,"quantity":2,"properties":{},"source":"s"}"""),
            Map.entry("users.behaviors.app.SessionStart", """
                    {"name":"kiln.session_start","properties":{"session_id":"s1","app_id":"web","platform":"web",
                     "os_version":"14","device_model":"Pixel","device_id":"d1"},"source":"s"}"""),
            Map.entry("users.behaviors.LandingPageView", """
                    {"name":"kiln.landing_page.view","properties":{"landing_page_api_id":"lp1","landing_page_name":"Pricing",
                     "url":"https://x.test/p","user_agent":"Firefox"},"source":"s"}"""),
            Map.entry("users.behaviors.FormSubmit", """
                    {"name":"kiln.form.submit","properties":{"landing_page_api_id":"lp1","landing_page_name":"Pricing",
                     "url":"https://x.test/p","user_agent":"Firefox"},"source":"s"}"""),
            Map.entry("users.messages.email.Delivery", email("\"sending_ip\":\"10.0.0.1\"", "kiln.email.delivery")),
            Map.entry("users.messages.email.Open", email("""
                    "user_agent":"Mail","machine_open":"true","is_amp":false,"device_class":"mobile","device_os":"iOS",
                    "browser":"safari","device_model":"iPhone","mailbox_provider":"gmail\"""", "kiln.email.open")),
            Map.entry("users.messages.email.Click", email("""
                    "url":"https://x.test","link_id":"l1","link_alias":"cta","user_agent":"Mail","is_amp":true,
                    "device_class":"desktop","device_os":"os x","browser":"chrome","device_model":"Mac",
                    "mailbox_provider":"gmail\"""", "kiln.email.click")),
            Map.entry("users.messages.email.Bounce", email("\"sending_ip\":\"10.0.0.1\",\"bounce_reason\":\"550\",\"is_drop\":false",
                    "kiln.email.bounce")),
            Map.entry("users.messages.webhook.Send", webhook()),
            Map.entry("users.messages.webhook.Abort", webhook()),
            Map.entry("users.messages.webhook.Failure", webhook()),
            Map.entry("users.messages.webhook.Retry", webhook()),
            Map.entry("users.canvas.Entry", """
                    {"canvas_id":"seed","canvas_name":"Seed","canvas_version":2,"canvas_step_id":"paths"}"""),
            Map.entry("users.canvas.Exit", """
                    {"canvas_id":"seed","canvas_version":2,"canvas_step_id":"u","reason":"completed"}"""),
            Map.entry("users.attributes.Change", """
                    {"name":"lead score","old_value":40,"new_value":50,"delta":10,"source":"s"}"""),
            Map.entry("users.Delete", """
                    {"external_id":"ext-1"}"""));

    static String email(String own, String name) {
        return "{\"name\":\"" + name + "\",\"properties\":{\"dispatch_id\":\"d1\",\"timezone\":\"Europe/Paris\",\"campaign_id\":\"c1\","
                + "\"campaign_name\":\"C\",\"message_variation_id\":\"mv\",\"message_variation_name\":\"MV\",\"email_address\":\"a@b.test\","
                + "\"canvas_id\":\"cv\",\"canvas_name\":\"CV\",\"canvas_variation_id\":\"v\",\"canvas_variation_name\":\"V\","
                + "\"canvas_step_id\":\"st\",\"canvas_step_name\":\"ST\",\"send_id\":\"sid\",\"ip_pool\":\"p\",\"esp\":\"sendgrid\","
                + "\"from_domain\":\"x.test\"," + own + "},\"source\":\"s\"}";
    }

    static String webhook() {
        return """
                {"dispatch_id":"m1","campaign_id":"h","canvas_id":"c","canvas_step_id":"w","attempt":2,"status_code":503,
                 "abort_type":"below 100","error":"HTTP 503"}""";
    }

    static List<String> types() { return CurrentsConnector.EVENT_TYPES; }

    static Schema parse(String type) throws IOException {
        try (InputStream in = CurrentsAvro.class.getResourceAsStream(CurrentsAvro.resource(type))) {
            assertThat(in).as("schema resource of %s", type).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    static List<String> fieldNames(Schema s) {
        return s.getFields().stream().map(Schema.Field::name).toList();
    }

    @Test
    void there_is_a_sample_for_every_event_type() {
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(types());
    }

    @ParameterizedTest
    @MethodSource("types")
    void each_schema_parses_and_has_required_id_and_time_then_nullable_fields_with_default_null(String type) throws IOException {
        Schema s = parse(type);
        assertThat(s.getFullName()).isEqualTo("dev.kiln.currents." + type.replace('.', '_'));
        assertThat(s).isEqualTo(CurrentsAvro.schema(type));
        assertThat(fieldNames(s)).startsWith("id", "time", "user_id", "external_user_id").endsWith(CurrentsAvro.EXTRA);
        assertThat(s.getField("id").schema().getType()).isEqualTo(Schema.Type.STRING);
        assertThat(s.getField("time").schema().getType()).isEqualTo(Schema.Type.LONG);
        for (Schema.Field f : s.getFields()) {
            if (f.name().equals("id") || f.name().equals("time")) continue;
            assertThat(f.schema().getType()).as(f.name()).isEqualTo(Schema.Type.UNION);
            assertThat(f.schema().getTypes()).as(f.name()).hasSize(2);
            assertThat(f.schema().getTypes().get(0).getType()).as(f.name()).isEqualTo(Schema.Type.NULL);
            assertThat(f.defaultVal()).as(f.name()).isEqualTo(JsonProperties.NULL_VALUE);
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void each_schema_has_exactly_the_fields_the_mapper_writes_plus_extra(String type) throws IOException {
        Map<String, Object> mapped = CurrentsMapper.map(new EventLogRow(7, "ev-1", "uid-1", "ext-1", type, T, SAMPLES.get(type), T));
        List<String> expected = new ArrayList<>(mapped.keySet());
        expected.add(CurrentsAvro.EXTRA);
        assertThat(fieldNames(parse(type))).containsExactlyInAnyOrderElementsOf(expected);
        // and the sample converts without anything left over
        assertThat(CurrentsAvro.record(parse(type), mapped).get(CurrentsAvro.EXTRA)).as("extra of the sample").isNull();
    }

    @ParameterizedTest
    @MethodSource("types")
    void each_schema_has_exactly_the_fields_and_types_of_its_table_in_the_docs(String type) throws IOException {
        Map<String, String> documented = DocTables.read().get(type);
        assertThat(documented).as("a ### heading naming `%s` in docs/currents.md", type).isNotNull();
        Map<String, String> inSchema = new LinkedHashMap<>();
        for (Schema.Field f : parse(type).getFields()) inSchema.put(f.name(), docType(f));
        assertThat(inSchema).containsExactlyInAnyOrderEntriesOf(documented);
    }

    /** The docs' word for a field's type: string, integer, number, boolean, or any (a JSON-encoded string). */
    static String docType(Schema.Field f) {
        if ("json".equals(f.getProp(CurrentsAvro.ENCODING))) return "any";
        return switch (CurrentsAvro.valueType(f.schema())) {
            case STRING -> "string";
            case LONG -> "integer";
            case DOUBLE -> "number";
            case BOOLEAN -> "boolean";
            default -> "unexpected " + f.schema();
        };
    }

    /**
     * The schema tables of {@code docs/currents.md}: under {@code ## Event schemas}, a table before the first
     * {@code ###} heading holds the fields of every type; a table under a {@code ###}/{@code ####} heading holds
     * fields of each event type the heading names in backticks.
     */
    static final class DocTables {
        private static final Pattern ROW = Pattern.compile("^\\|\\s*(`[^|]*)\\|\\s*([^|]*?)\\s*\\|.*\\|\\s*$");
        private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

        static Map<String, Map<String, String>> read() throws IOException {
            String doc = Files.readString(docs());
            int start = doc.indexOf("\n## Event schemas");
            assertThat(start).as("## Event schemas in docs/currents.md").isPositive();
            int end = doc.indexOf("\n## ", start + 1);
            Map<String, String> common = new LinkedHashMap<>();
            Map<String, Map<String, String>> perType = new LinkedHashMap<>();
            Set<String> current = null;
            for (String line : doc.substring(start, end < 0 ? doc.length() : end).split("\n")) {
                if (line.startsWith("###")) {
                    current = new LinkedHashSet<>();
                    for (String t : ticked(line)) if (CurrentsConnector.EVENT_TYPES.contains(t)) current.add(t);
                    for (String t : current) perType.computeIfAbsent(t, k -> new LinkedHashMap<>());
                    continue;
                }
                Matcher m = ROW.matcher(line);
                if (!m.matches()) continue;
                String docType = m.group(2).split("\\s+")[0];
                for (String name : ticked(m.group(1))) {
                    if (current == null) common.put(name, docType);
                    else for (String t : current) perType.get(t).put(name, docType);
                }
            }
            Map<String, Map<String, String>> out = new LinkedHashMap<>();
            perType.forEach((t, fields) -> {
                Map<String, String> all = new LinkedHashMap<>(common);
                all.putAll(fields);
                out.put(t, all);
            });
            return out;
        }

        private static List<String> ticked(String s) {
            List<String> out = new ArrayList<>();
            Matcher m = TICKED.matcher(s);
            while (m.find()) out.add(m.group(1));
            return out;
        }

        /** docs/currents.md, found from the working directory (the module or the repository root). */
        static Path docs() {
            for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
                Path p = d.resolve("docs/currents.md");
                if (Files.isRegularFile(p)) return p;
            }
            throw new AssertionError("docs/currents.md not found above " + Path.of("").toAbsolutePath());
        }
    }
}
