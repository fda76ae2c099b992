package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /users/delete}. Deleting cannot be undone, so one malformed identifier refuses the whole
 * request; identifiers that name nobody are listed in {@code errors} and not counted in {@code deleted}.
 */
final class DeleteEndpoint {
    static final int MAX_IDS = 50;
    private static final String EXTERNAL_IDS = "external_ids", USER_ALIASES = "user_aliases", BRAZE_IDS = "braze_ids";
    private static final Set<String> FIELDS = Set.of(EXTERNAL_IDS, USER_ALIASES, BRAZE_IDS, "email_addresses", "phone_numbers");

    private final Submitter submitter;
    private final HttpMetrics metrics;

    DeleteEndpoint(Submitter submitter, HttpMetrics metrics) {
        this.submitter = submitter;
        this.metrics = metrics;
    }

    Reply handle(JsonNode body, String requestId) {
        Body.object(body, "/users/delete", FIELDS);
        for (String f : List.of("email_addresses", "phone_numbers"))
            if (!Body.array(body, f, "identifiers").isEmpty())
                throw new ApiException.BadRequest(f + " is not supported by Kiln; use external_ids, user_aliases or braze_ids");
        List<JsonNode> externalIds = Body.array(body, EXTERNAL_IDS, "strings");
        List<JsonNode> aliases = Body.array(body, USER_ALIASES, "user alias objects");
        List<JsonNode> brazeIds = Body.array(body, BRAZE_IDS, "strings");
        int total = externalIds.size() + aliases.size() + brazeIds.size();
        if (total > MAX_IDS)
            throw new ApiException.BadRequest("The max number of ids per request was exceeded", "at most " + MAX_IDS + " identifiers in all");
        if (total == 0) throw new ApiException.BadRequest("Provide external_ids, user_aliases or braze_ids to delete");

        Source source = Source.api("users/delete:" + requestId);
        Batch batch = new Batch(List.of(EXTERNAL_IDS, USER_ALIASES, BRAZE_IDS));
        int n = 0;
        for (int i = 0; i < externalIds.size(); i++, n++) {
            JsonNode v = externalIds.get(i);
            String what = EXTERNAL_IDS + "[" + i + "]";
            Identifier who = new Identifier.ExternalId(Body.strict(() -> Identifiers.externalId(v, what)));
            batch.add(EXTERNAL_IDS, i, op(who, requestId, n, source));
        }
        for (int i = 0; i < aliases.size(); i++, n++) {
            JsonNode v = aliases.get(i);
            String what = USER_ALIASES + "[" + i + "]";
            Identifier who = new Identifier.Alias(Body.strict(() -> Identifiers.alias(v, what)));
            batch.add(USER_ALIASES, i, op(who, requestId, n, source));
        }
        for (int i = 0; i < brazeIds.size(); i++, n++) {
            JsonNode v = brazeIds.get(i);
            String what = BRAZE_IDS + "[" + i + "]";
            Identifier who = new Identifier.BrazeId(Body.strict(() -> Check.nonEmptyString(v, what, Invalid.IDENTIFIER)));
            batch.add(BRAZE_IDS, i, op(who, requestId, n, source));
        }
        batch.submit(submitter);
        metrics.objects("deletes", HttpMetrics.ACCEPTED, batch.acceptedTotal());
        metrics.objects("deletes", HttpMetrics.REJECTED, total - batch.acceptedTotal());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deleted", batch.acceptedTotal());
        if (!batch.errors().isEmpty()) out.put("errors", batch.errors());
        out.put("message", "success");
        return new Reply(201, out);
    }

    private static java.util.function.Supplier<Op> op(Identifier who, String requestId, int n, Source source) {
        Op op = new Op.Apply(who, false, new Input.Delete(requestId + ".d" + n, source));
        return () -> op;
    }
}
