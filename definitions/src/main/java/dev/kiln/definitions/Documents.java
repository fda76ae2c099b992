package dev.kiln.definitions;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reading one document's text, and the fields every document kind shares. */
final class Documents {
    private Documents() {}

    // A repeated key would otherwise silently keep the last value.
    private static final ObjectMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /** Ids appear in URLs ({@code PUT /segments/{id}}) and file names, so they stay plain. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,127}");

    /** The one document in {@code text}, or empty with a problem at the root. */
    static Optional<JsonNode> read(String text, boolean json, ProblemSink sink) {
        try {
            JsonNode node;
            if (json) {
                node = JSON.readTree(text);
            } else {
                try (JsonParser parser = YAML.createParser(text)) {
                    node = YAML.readTree(parser);
                    if (parser.nextToken() != null) {
                        sink.report(Problem.ROOT, "a file holds one document; found another after ---");
                        return Optional.empty();
                    }
                }
            }
            if (node == null || node.isMissingNode() || node.isNull()) {
                sink.report(Problem.ROOT, "empty document");
                return Optional.empty();
            }
            return Optional.of(node);
        } catch (JsonProcessingException e) {
            sink.report(Problem.ROOT, "invalid " + (json ? "JSON" : "YAML") + where(e) + ": " + firstLines(e.getOriginalMessage()));
            return Optional.empty();
        } catch (java.io.IOException e) {
            sink.report(Problem.ROOT, "cannot read: " + e);
            return Optional.empty();
        }
    }

    private static String where(JsonProcessingException e) {
        var l = e.getLocation();
        return l == null || l.getLineNr() < 1 ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    /** SnakeYAML messages quote the source under a caret; keep the sentences only. */
    private static String firstLines(String message) {
        if (message == null) return "unreadable";
        return message.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::strip).collect(Collectors.joining("; "));
    }

    /** Refuses keys outside {@code allowed}, naming the nearest allowed one. */
    static void refuseUnknownKeys(Cursor root, List<String> allowed) {
        for (String k : root.keys())
            if (!allowed.contains(k)) root.field(k).problem("unknown key; " + Words.suggest(k, allowed));
    }

    static Optional<String> id(Cursor root) {
        Cursor id = root.field("id");
        Optional<String> text = id.text("a string");
        if (text.isPresent() && !ID.matcher(text.get()).matches()) {
            id.problem("must be 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit; got " + id.describe());
            return Optional.empty();
        }
        return text;
    }

    /** The id as written, for the uniqueness check; empty when it is not a valid id. */
    static Optional<String> rawId(JsonNode document) {
        JsonNode id = document.get("id");
        return id != null && id.isTextual() && ID.matcher(id.textValue()).matches() ? Optional.of(id.textValue()) : Optional.empty();
    }

    static Optional<String> name(Cursor root) {
        return root.field("name").text("a string");
    }
}
