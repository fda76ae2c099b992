package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.campaign.Campaign;
import dev.kiln.engine.canvas.Canvas;
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
 * Loads a definitions directory: one folder per {@link DocumentKind} ({@code segments/},
 * {@code canvases/}, {@code campaigns/}, {@code connections/}, {@code cdi/}), each holding YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json})
 * documents, one per file, in any sub-folder. Other folders and files are ignored. Every problem in
 * every file is reported. Stateless and thread-safe.
 *
 * <p>Two passes: every document of every kind is parsed, then each definition resolves its references
 * (a Canvas or campaign audience names segments, a webhook template names connections) against all of them.
 */
public final class DefinitionLoader {
    public static final DocumentKind<Segment> SEGMENTS = new SegmentKind();
    public static final DocumentKind<Canvas> CANVASES = new CanvasKind();
    public static final DocumentKind<Campaign> CAMPAIGNS = new CampaignKind();
    public static final DocumentKind<Connection> CONNECTIONS = new ConnectionKind();
    public static final DocumentKind<CdiIntegration> CDI = new CdiKind();
    public static final DocumentKind<CurrentsConnector> CURRENTS = new CurrentsKind();
    /** The kinds Kiln knows today. */
    public static final List<DocumentKind<?>> STANDARD_KINDS = List.of(SEGMENTS, CANVASES, CAMPAIGNS, CONNECTIONS, CDI, CURRENTS);

    private final List<DocumentKind<?>> kinds;

    public DefinitionLoader() { this(STANDARD_KINDS); }

    public DefinitionLoader(List<DocumentKind<?>> kinds) {
        var folders = new HashSet<String>();
        for (DocumentKind<?> k : kinds)
            if (!folders.add(k.folder())) throw new IllegalArgumentException("two kinds read folder " + k.folder());
        this.kinds = List.copyOf(kinds);
    }

    public List<DocumentKind<?>> kinds() { return kinds; }

    /** What the first pass made of one kind's folder. */
    private record KindLoad(Map<String, Object> byId, Map<String, String> fileOfId, Map<String, String> invalidFileOfId) {}

    /** Problems and warnings by file, so that both passes keep file order. */
    private static final class Report {
        final Map<String, List<Problem>> problems = new LinkedHashMap<>();
        final Map<String, List<Problem>> warnings = new LinkedHashMap<>();

        ProblemSink sink(String file) {
            List<Problem> p = problems.computeIfAbsent(file, f -> new ArrayList<>());
            List<Problem> w = warnings.computeIfAbsent(file, f -> new ArrayList<>());
            return new ProblemSink() {
                @Override public void report(String path, String message) { p.add(new Problem(file, path, message)); }
                @Override public void warn(String path, String message) { w.add(new Problem(file, path, message)); }
            };
        }

        int count(String file) { return problems.getOrDefault(file, List.of()).size(); }

        static List<Problem> flat(Map<String, List<Problem>> byFile) {
            List<Problem> out = new ArrayList<>();
            byFile.values().forEach(out::addAll);
            return out;
        }
    }

    /** Loads {@code dir}. A missing directory is a problem; an empty one is a valid empty set. */
    public LoadResult load(Path dir) {
        if (!Files.exists(dir)) return LoadResult.invalid(List.of(new Problem(dir.toString(), Problem.ROOT, "directory not found")));
        if (!Files.isDirectory(dir)) return LoadResult.invalid(List.of(new Problem(dir.toString(), Problem.ROOT, "not a directory")));
        Report report = new Report();
        Map<DocumentKind<?>, KindLoad> parsed = new LinkedHashMap<>();
        for (DocumentKind<?> kind : kinds) parsed.put(kind, loadKind(dir, kind, report));

        Map<DocumentKind<?>, Map<String, Object>> byKind = new LinkedHashMap<>();
        Map<String, Map<String, String>> invalid = new HashMap<>();
        parsed.forEach((kind, l) -> {
            byKind.put(kind, l.byId());
            invalid.put(kind.folder(), l.invalidFileOfId());
        });
        DefinitionSet context = DefinitionSet.of(byKind).withInvalidFiles(invalid);

        Map<DocumentKind<?>, Map<String, Object>> resolved = new LinkedHashMap<>();
        parsed.forEach((kind, l) -> {
            Map<String, Object> out = new HashMap<>();
            l.byId().forEach((id, definition) -> {
                String file = l.fileOfId().get(id);
                int before = report.count(file);
                Object r = resolve(kind, definition, context, report.sink(file));
                if (r != null && report.count(file) == before) out.put(id, r);
            });
            resolved.put(kind, out);
        });
        List<Problem> problems = Report.flat(report.problems);
        List<Problem> warnings = Report.flat(report.warnings);
        return problems.isEmpty() ? LoadResult.valid(DefinitionSet.of(resolved), warnings) : LoadResult.invalid(problems, warnings);
    }

    @SuppressWarnings("unchecked")
    private static <T> T resolve(DocumentKind<T> kind, Object definition, DefinitionSet context, ProblemSink sink) {
        return kind.resolve((T) definition, context, sink);
    }

    private static KindLoad loadKind(Path dir, DocumentKind<?> kind, Report report) {
        Map<String, Object> byId = new HashMap<>();
        Map<String, String> fileOfId = new HashMap<>();
        Map<String, String> invalidFileOfId = new HashMap<>();
        Map<String, Path> files;
        try {
            files = SourceFiles.list(dir, kind);
        } catch (IOException e) {
            report.sink(kind.folder()).report(Problem.ROOT, "cannot list files: " + e);
            return new KindLoad(byId, fileOfId, invalidFileOfId);
        }
        for (var f : files.entrySet()) {
            String file = f.getKey();
            ProblemSink sink = report.sink(file);
            Optional<String> text = read(f.getValue(), sink);
            Optional<JsonNode> node = text.flatMap(t -> Documents.read(t, SourceFiles.isJson(f.getValue()), sink));
            Object definition = node.map(n -> kind.parse(n, sink)).orElse(null);
            Optional<String> id = node.flatMap(Documents::rawId);
            if (id.isPresent()) {
                String first = fileOfId.putIfAbsent(id.get(), file);
                if (first != null) sink.report("id", "duplicate id '" + id.get() + "' (also in " + first + ")");
            }
            if (report.count(file) == 0 && definition != null) {
                if (id.isPresent()) byId.put(id.get(), definition);
                else sink.report("id", "required"); // a kind that forgot to check it
            } else if (id.isPresent() && !byId.containsKey(id.get())) {
                invalidFileOfId.putIfAbsent(id.get(), file);
            }
        }
        return new KindLoad(byId, fileOfId, invalidFileOfId);
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
     * labels problems. There is no uniqueness check: that needs the other documents. References to
     * other definitions are resolved against an empty set, so a Canvas naming segments is refused:
     * use {@link #parse(DocumentKind, String, String, boolean, DefinitionSet)} for those.
     */
    public static <T> Parsed<T> parse(DocumentKind<T> kind, String text, String fileName, boolean json) {
        return parse(kind, text, fileName, json, DefinitionSet.EMPTY);
    }

    /** Parses one document and resolves its references against {@code context} (the current definitions). */
    public static <T> Parsed<T> parse(DocumentKind<T> kind, String text, String fileName, boolean json, DefinitionSet context) {
        List<Problem> problems = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        ProblemSink sink = new ProblemSink() {
            @Override public void report(String path, String message) { problems.add(new Problem(fileName, path, message)); }
            @Override public void warn(String path, String message) { warnings.add(new Problem(fileName, path, message)); }
        };
        T value = Documents.read(text, json, sink).map(n -> kind.parse(n, sink)).orElse(null);
        if (value != null && problems.isEmpty()) value = kind.resolve(value, context, sink);
        return problems.isEmpty() && value != null ? new Parsed<>(Optional.of(value), List.of(), warnings)
                : new Parsed<>(Optional.empty(), problems.isEmpty() ? List.of(new Problem(fileName, Problem.ROOT, "not a " + kind.singular())) : problems, warnings);
    }

    public static Parsed<Segment> parseSegment(String text, String fileName, boolean json) {
        return parse(SEGMENTS, text, fileName, json);
    }

    /**
     * Parses one Canvas document ({@code PUT /canvases/{id}}), resolving its audience segments against
     * {@code context}, the definitions in force. Warnings (such as a loop without waiting) come back in
     * {@link Parsed#warnings()}.
     */
    public static Parsed<Canvas> parseCanvas(String text, String fileName, boolean json, DefinitionSet context) {
        return parse(CANVASES, text, fileName, json, context);
    }

    /**
     * Parses one campaign document, resolving its audience segments and the connections its templates
     * name against {@code context}, the definitions in force. Warnings (such as a secret written in a
     * header) come back in {@link Parsed#warnings()}.
     */
    public static Parsed<Campaign> parseCampaign(String text, String fileName, boolean json, DefinitionSet context) {
        return parse(CAMPAIGNS, text, fileName, json, context);
    }

    /** Parses one CDI integration document ({@code cdi/*.yaml}). */
    public static Parsed<CdiIntegration> parseCdi(String text, String fileName, boolean json) {
        return parse(CDI, text, fileName, json);
    }

    /** Parses one connection document. Problems never repeat what a secret field holds. */
    public static Parsed<Connection> parseConnection(String text, String fileName, boolean json) {
        return parse(CONNECTIONS, text, fileName, json);
    }
}
