package dev.kiln.server.http;

import dev.kiln.engine.BrazeTime;
import dev.kiln.engine.UserState;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.store.LedgerRow;
import io.helidon.common.uri.UriQuery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /users/{external_id}/attributes/{name}/history?limit=50&cursor=SEQ}: the score ledger of one
 * numeric custom attribute, newest first. {@code next_cursor} (null on the last page) fetches the page
 * after; changes recorded meanwhile never shift a page, because a cursor is a position in the ledger.
 */
final class LedgerEndpoint {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final Set<String> PARAMS = Set.of("limit", "cursor");

    private final KilnRuntime runtime;

    LedgerEndpoint(KilnRuntime runtime) { this.runtime = runtime; }

    Reply handle(String externalId, String attribute, UriQuery query) {
        for (String name : query.names())
            if (!PARAMS.contains(name))
                throw new ApiException.BadRequest("Unknown query parameter " + Check.quote(name) + "; allowed: limit, cursor");
        int limit = (int) whole(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT,
                "limit must be a whole number from 1 to " + MAX_LIMIT);
        long cursor = whole(query, "cursor", Long.MAX_VALUE, 1, Long.MAX_VALUE,
                "cursor must be the next_cursor of a previous page");
        UserState user = runtime.find(new Identifier.ExternalId(externalId))
                .orElseThrow(() -> new ApiException.NotFound("No user with external_id " + Check.quote(externalId)));
        List<LedgerRow> rows = runtime.ledger(user.userId(), attribute, cursor, limit + 1);
        boolean more = rows.size() > limit;
        if (more) rows = rows.subList(0, limit);
        List<Map<String, Object>> changes = new ArrayList<>(rows.size());
        for (LedgerRow r : rows) changes.add(change(r));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("external_id", externalId);
        out.put("attribute", attribute);
        out.put("changes", changes);
        out.put("next_cursor", more ? rows.get(rows.size() - 1).seq() : null);
        out.put("message", "success");
        return new Reply(200, out);
    }

    static Map<String, Object> change(LedgerRow r) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("time", BrazeTime.format(r.time()));
        c.put("old_value", number(r.oldValue()));
        c.put("new_value", number(r.newValue()));
        c.put("delta", number(r.delta()));
        c.put("source", LedgerSource.parse(r.source()));
        return c;
    }

    private static Object number(Double d) { return d == null ? null : CanvasView.number(d); }

    private static long whole(UriQuery query, String name, long dflt, long min, long max, String rule) {
        if (!query.contains(name)) return dflt;
        List<String> all = query.all(name);
        String v = all.get(0).strip();
        if (all.size() > 1) throw new ApiException.BadRequest(name + " is given " + all.size() + " times; give it once");
        if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9'))
            throw new ApiException.BadRequest(rule + ", was " + Check.quote(v));
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ApiException.BadRequest(rule + ", was " + Check.quote(v));
        }
        if (n < min || n > max) throw new ApiException.BadRequest(rule + ", was " + n);
        return n;
    }
}
