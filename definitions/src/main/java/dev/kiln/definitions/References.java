package dev.kiln.definitions;

import dev.kiln.engine.filter.Filter;
import dev.kiln.engine.filter.Segment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The second loading pass's checks, shared by the kinds that refer to other definitions: audience
 * segments (Canvas entry, campaign audience) and connections named by webhook templates.
 */
final class References {
    private References() {}

    /** Connection fields a template may read, for OAuth client-credentials connections. */
    static final List<String> OAUTH_FIELDS = List.of("access_token", "instance_url");

    /**
     * The audience: the named segments' filters, in order, then {@code own}, folded into one
     * {@link Filter.All}; null after a problem, reported at {@code segmentsPath[i]}.
     */
    static Filter audience(List<String> segmentIds, Filter own, String segmentsPath, DefinitionSet context, ProblemSink problems) {
        List<Filter> parts = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < segmentIds.size(); i++) {
            String id = segmentIds.get(i);
            Optional<Segment> segment = context.segment(id);
            if (segment.isPresent()) {
                parts.add(segment.get().filter());
                continue;
            }
            ok = false;
            String path = segmentsPath + "[" + i + "]";
            Optional<String> invalid = context.invalidFile(DefinitionLoader.SEGMENTS, id);
            if (invalid.isPresent()) problems.report(path, "segment '" + id + "' has problems of its own (see " + invalid.get() + ")");
            else problems.report(path, "unknown segment '" + id + "'" + hint(id, context.segments().keySet(), "segments"));
        }
        if (!ok) return null;
        if (!own.equals(Filter.EVERYONE)) parts.add(own);
        return new Filter.All(parts);
    }

    /**
     * Checks every connection the templates name: it exists, has no problems, and is used as its type
     * allows ({@code access_token}/{@code instance_url} of an OAuth connection; {@code :basic_auth} of a
     * basic-auth one). Returns whether all are fine.
     */
    static boolean connections(Map<Cursor, String> templates, DefinitionSet context) {
        boolean ok = true;
        for (var t : templates.entrySet()) {
            for (Templates.ConnectionUse use : Templates.connectionUses(t.getValue())) {
                String problem = problem(use, context);
                if (problem != null) {
                    t.getKey().problem(problem);
                    ok = false;
                }
            }
        }
        return ok;
    }

    private static String problem(Templates.ConnectionUse use, DefinitionSet context) {
        String id = use.id();
        Optional<Connection> c = context.connection(id);
        if (c.isEmpty()) {
            Optional<String> invalid = context.invalidFile(DefinitionLoader.CONNECTIONS, id);
            if (invalid.isPresent()) return "connection '" + id + "' has problems of its own (see " + invalid.get() + ")";
            return "unknown connection '" + id + "'" + hint(id, context.connections().keySet(), "connections");
        }
        boolean oauth = c.get().type() == Connection.Type.OAUTH2_CLIENT_CREDENTIALS;
        if (use.basicAuth()) {
            return oauth ? "connection '" + id + "' is " + c.get().type().word() + "; :basic_auth needs a basic_auth connection"
                    + " (write {{connections." + id + ".access_token}} in a header instead)" : null;
        }
        if (!oauth) {
            return "connection '" + id + "' is basic_auth and has no template variables; use it in connected content as :basic_auth " + id;
        }
        if (use.field() != null && !OAUTH_FIELDS.contains(use.field())) {
            return "connection '" + id + "' offers " + Words.oneOf(OAUTH_FIELDS).replace(" or ", " and ") + ", not '" + use.field() + "'";
        }
        return null;
    }

    private static String hint(String id, Collection<String> known, String folder) {
        if (known.isEmpty()) return " (no " + folder + " are defined)";
        String s = Words.suggest(id, known);
        return s.startsWith("did you mean") ? "; " + s : "";
    }
}
