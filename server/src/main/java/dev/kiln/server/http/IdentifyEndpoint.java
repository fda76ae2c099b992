package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Source;
import dev.kiln.engine.UserAlias;
import dev.kiln.runtime.Op;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /users/identify}: gives alias-only profiles an external id, merging them into an existing
 * profile with that id (merge rules in the engine). Objects that fail are listed in {@code errors}.
 */
final class IdentifyEndpoint {
    static final int MAX_ALIASES = 50;
    private static final String ALIASES = "aliases_to_identify";
    private static final Set<String> FIELDS = Set.of(ALIASES, "emails_to_identify", "phone_numbers_to_identify");

    private final Submitter submitter;
    private final HttpMetrics metrics;

    IdentifyEndpoint(Submitter submitter, HttpMetrics metrics) {
        this.submitter = submitter;
        this.metrics = metrics;
    }

    Reply handle(JsonNode body, String requestId) {
        Body.object(body, "/users/identify", FIELDS);
        for (String f : List.of("emails_to_identify", "phone_numbers_to_identify"))
            if (!Body.array(body, f, "objects").isEmpty())
                throw new ApiException.BadRequest(f + " is not supported by Kiln; use aliases_to_identify");
        List<JsonNode> items = Body.array(body, ALIASES, "objects");
        if (items.isEmpty()) throw new ApiException.BadRequest("aliases_to_identify is required and must not be empty");
        if (items.size() > MAX_ALIASES)
            throw new ApiException.BadRequest("The max number of external_ids and aliases per request was exceeded",
                    "at most " + MAX_ALIASES + " aliases_to_identify per request");
        Source source = Source.api("users/identify:" + requestId);
        Batch batch = new Batch(List.of(ALIASES));
        for (int i = 0; i < items.size(); i++) {
            JsonNode o = items.get(i);
            String id = requestId + ".i" + i;
            batch.add(ALIASES, i, () -> parse(o, id, source));
        }
        batch.submit(submitter);
        batch.count(metrics);
        return AliasEndpoint.reply(batch, batch.accepted(ALIASES), "No alias was identified");
    }

    private static Op parse(JsonNode o, String id, Source source) {
        if (!o.isObject()) throw new Invalid(Invalid.OBJECT, "an alias to identify must be an object, was " + Check.describe(o));
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("external_id") && !f.equals("user_alias"))
                throw new Invalid(Invalid.IDENTIFIER, "unknown field " + Check.quote(f) + "; expected external_id and user_alias");
        }
        String externalId = Identifiers.externalId(o.get("external_id"), "external_id");
        UserAlias alias = Identifiers.alias(o.get("user_alias"), "user_alias");
        return new Op.Merge(id, source, alias, externalId);
    }

}
