package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.filter.Segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a definitions directory: one folder per {@link DocumentKind} ({@code segments/}, …), each
 * holding YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json}) documents, one per file, in any
 * sub-folder. Other folders and files are ignored. Every problem in every file is reported. Stateless
 * and thread-safe.
 */
public final class DefinitionLoader {
    public static final DocumentKind<Segment> SEGMENTS = new SegmentKind();
    /** The kinds Kiln knows today. */
    public static final List<DocumentKind<?>> STANDARD_KINDS = List.of(SEGMENTS);

    private final List<DocumentKind<?>> kinds;

    public DefinitionLoader() { this(STANDARD_KINDS); }

    public DefinitionLoader(List<DocumentKind<?>> kinds) {
        var folders = new HashSet<String>();
        for (DocumentKind<?> k : kinds)
            if (!folders.add(k.folder())) throw new IllegalArgumentException("two kinds read folder " + k.folder());
        this.kinds = List.copyOf(kinds);
    }

    public List<DocumentKind<?>> kinds() { return kinds; }

    /** Loads {@code dir}. A missing directory is a problem; an empty one is a valid empty set. */
    public LoadResult load(Path dir) {
        if (!Files.exists(dir)) return LoadResult.invalid(List.of(new Problem(dir.toString(), Problem.ROOT, "directory not found")));
        if (!Files.isDirectory(dir)) return LoadResult.invalid(List.of(new Problem(dir.toString(), Problem.ROOT, "not a directory")));
        List<Problem> problems = new ArrayList<>();
        Map<DocumentKind<?>, Map<String, Object>> definitions = new LinkedHashMap<>();
        for (DocumentKind<?> kind : kinds) definitions.put(kind, loadKind(dir, kind, problems));
        return problems.isEmpty() ? LoadResult.valid(DefinitionSet.of(definitions)) : LoadResult.invalid(problems);
    }

    private static Map<String, Object> loadKind(Path dir, DocumentKind<?> kind, List<Problem> problems) {
        Map<String, Object> byId = new HashMap<>();
        Map<String, String> fileOfId = new HashMap<>();
        Map<String, Path> files;
        try {
            files = SourceFiles.list(dir, kind);
        } catch (IOException e) {
            problems.add(new Problem(kind.folder(), Problem.ROOT, "cannot list files: " + e));
            return byId;
        }
        for (var f : files.entrySet()) {
            String file = f.getKey();
            ProblemSink sink = (path, message) -> problems.add(new Problem(file, path, message));
            int before = problems.size();
            Optional<String> text = read(f.getValue(), sink);
            Optional<JsonNode> node = text.flatMap(t -> Documents.read(t, SourceFiles.isJson(f.getValue()), sink));
            Object definition = node.map(n -> kind.parse(n, sink)).orElse(null);
            Optional<String> id = node.flatMap(Documents::rawId);
            if (id.isPresent()) {
                String first = fileOfId.putIfAbsent(id.get(), file);
                if (first != null) sink.report("id", "duplicate id '" + id.get() + "' (also in " + first + ")");
            }
            if (problems.size() == before && definition != null) {
                if (id.isPresent()) byId.put(id.get(), definition);
                else sink.report("id", "required"); // a kind that forgot to check it
            }
        }
        return byId;
    }

    private static Optional<String> read(Path file, ProblemSink sink) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            sink.report(Problem.ROOT, "not valid UTF-8");
        } catch (IOException e) {
            sink.report(Problem.ROOT, "cannot read: " + e);
        }
        return Optional.empty();
    }

    /**
     * Parses one document outside a directory, such as an API request body. {@code fileName} only
     * labels problems. There is no uniqueness check: that needs the other documents.
     */
    public static <T> Parsed<T> parse(DocumentKind<T> kind, String text, String fileName, boolean json) {
        List<Problem> problems = new ArrayList<>();
        ProblemSink sink = (path, message) -> problems.add(new Problem(fileName, path, message));
        T value = Documents.read(text, json, sink).map(n -> kind.parse(n, sink)).orElse(null);
        return problems.isEmpty() && value != null ? new Parsed<>(Optional.of(value), List.of())
                : new Parsed<>(Optional.empty(), problems.isEmpty() ? List.of(new Problem(fileName, Problem.ROOT, "not a " + kind.singular())) : problems);
    }

    public static Parsed<Segment> parseSegment(String text, String fileName, boolean json) {
        return parse(SEGMENTS, text, fileName, json);
    }
}
