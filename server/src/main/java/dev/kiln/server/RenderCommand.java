package dev.kiln.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.BrazeTime;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.ConnectedContentException;
import dev.kiln.liquid.Liquid;
import dev.kiln.liquid.LiquidTemplate;
import dev.kiln.liquid.RenderContext;
import dev.kiln.liquid.RenderException;
import dev.kiln.liquid.RenderResult;
import dev.kiln.liquid.TemplateException;
import dev.kiln.server.fake.ConnectedContentStub;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code kiln render TEMPLATE --context CONTEXT.json}: renders a webhook template offline with the Liquid engine the
 * server uses, for one made-up user. Prints the output as rendered (not trimmed) on stdout, exit 0; an
 * {@code abort_message} prints its reason on stderr, exit 3; an invalid template prints {@code file:line:column:
 * detail}, exit 2; anything else (an unreadable file, a bad context, a failed render), exit 1. No network: connected
 * content answers from {@code --connected-content STUB.json} or aborts.
 */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render a Liquid template (Braze dialect) offline for one user, with the engine the server uses, "
                + "and print the output. Exit codes: 0 rendered, 3 aborted (abort_message; the reason goes to stderr), "
                + "2 invalid template (file:line:column), 1 other errors."},
        footer = {"", "CONTEXT.json, every key optional:",
                "  {\"user_id\": \"00Q5e00000AbCdE\",         $${user_id} (\"external_id\" is the same)",
                "   \"email_address\": \"ana@example.com\",   any standard attribute by its Liquid",
                "                                         name: braze_id, first_name, last_name,",
                "                                         phone_number, country, language,",
                "                                         time_zone, city, gender, date_of_birth",
                "   \"custom_attributes\": {\"lead score\": 101},   numbers as numbers",
                "   \"event_properties\": {...}, \"canvas_entry_properties\": {...},",
                "   \"connections\": {\"salesforce\": {\"access_token\": \"...\",",
                "                                  \"instance_url\": \"https://...\"}},",
                "   \"variables\": {\"region\": \"emea\"}}       other top-level variables",
                "",
                "STUB.json: {\"URL\" or \"METHOD URL\": response}, the URL as the template renders",
                "it, query included. A JSON object or array is answered as JSON (bound by",
                ":save), a string as text, both with status 200; {\"$status\": 503, \"$body\": ...}",
                "answers another status. Without --connected-content every call aborts."})
final class RenderCommand implements Callable<Integer> {
    static final int RENDERED = 0, FAILED = 1, INVALID_TEMPLATE = 2, ABORTED = 3;
    private static final List<String> KEYS = List.of("user_id", "external_id", "custom_attributes", "event_properties",
            "canvas_entry_properties", "connections", "variables");

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "TEMPLATE_FILE", description = "The template (URL, header value or body of a webhook).")
    Path template;

    @Option(names = "--context", paramLabel = "CONTEXT.json", description = "The user and event to render for (see below); default: nobody.")
    Path context;

    @Option(names = "--connected-content", paramLabel = "STUB.json", description = "Answers for connected_content calls, by URL (see below).")
    Path stub;

    @Option(names = "--now", paramLabel = "TIME", description = "The time \"now\" reads, ISO 8601 (default: the clock).")
    String now;

    /** A problem with the inputs, reported as {@code kiln render: message}, exit 1. */
    private static final class InputException extends Exception {
        private static final long serialVersionUID = 1L;

        InputException(String message) { super(message); }
    }

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try {
            LiquidTemplate compiled = Liquid.compile(read(template, "template"), template.toString());
            RenderResult result = compiled.render(context());
            switch (result) {
                case RenderResult.Rendered r -> {
                    out.print(r.output());
                    out.flush();
                    return RENDERED;
                }
                case RenderResult.Aborted a -> {
                    err.println("aborted: " + (a.hasReason() ? a.reason() : "(abort_message without a reason)"));
                    err.flush();
                    return ABORTED;
                }
            }
        } catch (TemplateException e) {
            err.println(e.getMessage());
            err.flush();
            return INVALID_TEMPLATE;
        } catch (InputException | RenderException e) {
            err.println("kiln render: " + e.getMessage());
            err.flush();
            return FAILED;
        }
    }

    private RenderContext context() throws InputException {
        RenderContext.Builder b = RenderContext.builder().lastAttempt(true).connectedContent(port());
        if (now != null) {
            long millis = BrazeTime.parse(now).orElseThrow(() ->
                    new InputException("--now must be an ISO 8601 time such as 2026-03-01T12:00:00Z, was '" + now + "'"));
            b.clock(Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC));
        }
        if (context == null) return b.build();
        JsonNode doc = json(context, "context");
        if (!doc.isObject()) throw new InputException(context + ": expected a JSON object, such as {\"user_id\": \"00Q1\"}");
        ObjectMapper mapper = new ObjectMapper();
        String userId = null;
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            Object value = mapper.convertValue(v, Object.class);
            switch (key) {
                case "user_id", "external_id" -> {
                    String id = v.isNull() ? null : v.asText();
                    if (userId != null && !userId.equals(id)) {
                        throw new InputException(context + ": user_id and external_id are the same attribute and differ");
                    }
                    userId = id;
                    b.externalId(id);
                }
                case "custom_attributes" -> b.customAttributes(object(key, value));
                case "event_properties" -> b.eventProperties(object(key, value));
                case "canvas_entry_properties" -> b.canvasEntryProperties(object(key, value));
                case "connections" -> b.variable("connections", object(key, value));
                case "variables" -> {
                    for (Map.Entry<String, Object> var : object(key, value).entrySet()) {
                        try {
                            b.variable(var.getKey(), var.getValue());
                        } catch (IllegalArgumentException bad) {
                            throw new InputException(context + ": variables: " + bad.getMessage());
                        }
                    }
                }
                default -> {
                    if (!RenderContext.STANDARD_ATTRIBUTES.contains(key)) {
                        TreeSet<String> known = new TreeSet<>(RenderContext.STANDARD_ATTRIBUTES);
                        known.addAll(KEYS);
                        throw new InputException(context + ": unknown key '" + key + "'; known: " + known);
                    }
                    if (v.isContainerNode()) throw new InputException(context + ": " + key + " must be a string, number or boolean");
                    b.standardAttribute(key, value);
                }
            }
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(String key, Object value) throws InputException {
        if (value == null) return Map.of();
        if (!(value instanceof Map<?, ?>)) throw new InputException(context + ": " + key + " must be a JSON object");
        return (Map<String, Object>) value;
    }

    private ConnectedContent port() throws InputException {
        if (stub == null) {
            return request -> {
                throw new ConnectedContentException("kiln render makes no network calls; pass --connected-content STUB.json "
                        + "with an answer for this URL", false);
            };
        }
        try {
            return ConnectedContentStub.of(stub.toString(), json(stub, "connected content stub"));
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }

    private static JsonNode json(Path file, String what) throws InputException {
        try {
            return new ObjectMapper().readTree(read(file, what));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
            throw new InputException(file + where + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String read(Path file, String what) throws InputException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InputException("cannot read the " + what + " " + file + ": " + describe(e));
        }
    }

    private static String describe(Exception e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.charset.MalformedInputException x -> "not UTF-8 text";
            default -> String.valueOf(e.getMessage());
        };
    }
}
