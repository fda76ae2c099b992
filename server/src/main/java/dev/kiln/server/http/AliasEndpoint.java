package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.UserAlias;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /users/alias/new}: with an {@code external_id}, adds the alias to that existing user (an
 * unknown external id adds it to nobody, as Braze, and is listed in {@code errors}); without one,
 * creates an alias-only user.
 */
final class AliasEndpoint {
    static final int MAX_ALIASES = 50;
    private static final String ALIASES = "user_aliases";
    private static final Set<String> ITEM_FIELDS = Set.of("external_id", "alias_name", "alias_label");

    private final Submitter submitter;
    private final HttpMetrics metrics;

    AliasEndpoint(Submitter submitter, HttpMetrics metrics) {
        this.submitter = submitter;
        this.metrics = metrics;
    }

    Reply handle(JsonNode body, String requestId) {
        Body.object(body, "/users/alias/new", Set.of(ALIASES));
        List<JsonNode> items = Body.array(body, ALIASES, "new user alias objects");
        if (items.isEmpty()) throw new ApiException.BadRequest("user_aliases is required and must not be empty");
        if (items.size() > MAX_ALIASES)
            throw new ApiException.BadRequest("The max number of external_ids and aliases per request was exceeded",
                    "at most " + MAX_ALIASES + " user_aliases per request");
        Source source = Source.api("users/alias/new:" + requestId);
        Batch batch = new Batch(List.of(ALIASES));
        for (int i = 0; i < items.size(); i++) {
            JsonNode o = items.get(i);
            String id = requestId + ".n" + i;
            batch.add(ALIASES, i, () -> parse(o, id, source));
        }
        batch.submit(submitter);
        batch.count(metrics);
        return reply(batch, batch.accepted(ALIASES), "No alias was added");
    }

    private static Op parse(JsonNode o, String id, Source source) {
        if (!o.isObject()) throw new Invalid(Invalid.OBJECT, "a new user alias must be an object, was " + Check.describe(o));
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ITEM_FIELDS.contains(f))
                throw new Invalid(Invalid.IDENTIFIER, "unknown field " + Check.quote(f) + "; expected external_id, alias_name and alias_label");
        }
        String name = Check.nonEmptyString(o.get("alias_name"), "alias_name", Invalid.IDENTIFIER);
        String label = Check.nonEmptyString(o.get("alias_label"), "alias_label", Invalid.IDENTIFIER);
        UserAlias alias = new UserAlias(name, label);
        if (!Identifiers.given(o, "external_id"))
            return new Op.Apply(new Identifier.Alias(alias), true, new Input.Identify(id, source, null, alias));
        String externalId = Identifiers.externalId(o.get("external_id"), "external_id");
        return new Op.Apply(new Identifier.ExternalId(externalId), false, new Input.AddAlias(id, source, alias));
    }

    /** Braze's answer for the alias endpoints: {@code aliases_processed}; 400 when none was. */
    static Reply reply(Batch batch, int processed, String noneMessage) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (processed == 0) {
            out.put("message", noneMessage);
            out.put("errors", batch.errors());
            return new Reply(400, out);
        }
        out.put("aliases_processed", processed);
        out.put("message", "success");
        if (!batch.errors().isEmpty()) out.put("errors", batch.errors());
        return new Reply(201, out);
    }
}
