package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.filter.Filter;
import dev.kiln.engine.filter.Segment;

import java.util.List;
import java.util.Optional;

/** {@code segments/*.yaml}: {@code id}, {@code name} and optional {@code filters} (absent: everyone). */
final class SegmentKind implements DocumentKind<Segment> {
    static final List<String> KEYS = List.of("id", "name", "filters");

    @Override public String folder() { return "segments"; }

    @Override public String singular() { return "segment"; }

    @Override public Segment parse(JsonNode document, ProblemSink problems) {
        Cursor root = Cursor.root(document, problems);
        if (!root.isMapping()) {
            root.problem("expected a mapping with id, name and filters, got " + root.describe());
            return null;
        }
        Documents.refuseUnknownKeys(root, KEYS);
        Optional<String> id = Documents.id(root);
        Optional<String> name = Documents.name(root);
        Cursor filters = root.field("filters");
        Filter filter = filters.present() ? FilterParser.parse(filters) : Filter.EVERYONE;
        return id.isPresent() && name.isPresent() && filter != null ? new Segment(id.get(), name.get(), filter) : null;
    }

    @Override public String toString() { return "segments"; }
}
