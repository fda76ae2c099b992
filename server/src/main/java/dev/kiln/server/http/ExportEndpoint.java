package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.UserAlias;
import dev.kiln.engine.UserState;
import dev.kiln.runtime.Identifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code POST /users/export/ids}: committed profiles by identifier, in Braze's export shape, with
 * {@code invalid_user_ids} for identifiers that name nobody. A malformed request is a 400 as a whole.
 */
final class ExportEndpoint {
    static final int MAX_IDS = 50;
    private static final Set<String> FIELDS = Set.of("external_ids", "user_aliases", "braze_id", "email_address",
            "phone", "device_id", "fields_to_export");

    private final Profiles profiles;

    ExportEndpoint(Profiles profiles) { this.profiles = profiles; }

    Reply handle(JsonNode body) {
        Body.object(body, "/users/export/ids", FIELDS);
        for (String f : List.of("phone", "device_id"))
            if (Body.present(body, f)) throw new ApiException.BadRequest(f + " is not supported by Kiln; use external_ids, user_aliases, braze_id or email_address");
        List<JsonNode> externalIds = Body.array(body, "external_ids", "strings");
        List<JsonNode> aliases = Body.array(body, "user_aliases", "user alias objects");
        if (externalIds.size() + aliases.size() > MAX_IDS)
            throw new ApiException.BadRequest("The max number of external_ids and aliases per request was exceeded",
                    "at most " + MAX_IDS + " external_ids and user_aliases together");

        // Each lookup keeps the identifier as the client wrote it, for invalid_user_ids.
        Map<Identifier, Object> lookups = new LinkedHashMap<>();
        for (int i = 0; i < externalIds.size(); i++) {
            String what = "external_ids[" + i + "]";
            JsonNode v = externalIds.get(i);
            String id = Body.strict(() -> Identifiers.externalId(v, what));
            lookups.put(new Identifier.ExternalId(id), id);
        }
        for (int i = 0; i < aliases.size(); i++) {
            String what = "user_aliases[" + i + "]";
            JsonNode v = aliases.get(i);
            UserAlias a = Body.strict(() -> Identifiers.alias(v, what));
            lookups.put(new Identifier.Alias(a), ExportView.aliasJson(a));
        }
        if (Body.present(body, "braze_id")) {
            String id = Body.strict(() -> Check.nonEmptyString(body.get("braze_id"), "braze_id", Invalid.IDENTIFIER));
            lookups.put(new Identifier.BrazeId(id), id);
        }
        if (Body.present(body, "email_address")) {
            String email = Body.strict(() -> Check.nonEmptyString(body.get("email_address"), "email_address", Invalid.IDENTIFIER));
            lookups.put(new Identifier.Email(email), email);
        }
        if (lookups.isEmpty())
            throw new ApiException.BadRequest("Provide at least one of external_ids, user_aliases, braze_id or email_address");
        Set<String> fields = fields(body);

        Map<String, Map<String, Object>> users = new LinkedHashMap<>();
        List<Object> invalid = new ArrayList<>();
        lookups.forEach((id, asGiven) -> {
            List<UserState> found = profiles.findAll(id);
            if (found.isEmpty()) invalid.add(asGiven);
            for (UserState u : found) users.computeIfAbsent(u.userId(), k -> ExportView.of(u, fields));
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("users", List.copyOf(users.values()));
        if (!invalid.isEmpty()) out.put("invalid_user_ids", invalid);
        out.put("message", "success");
        return new Reply(200, out);
    }

    private static Set<String> fields(JsonNode body) {
        if (!Body.present(body, "fields_to_export")) return null;
        List<JsonNode> names = Body.array(body, "fields_to_export", "field names");
        if (names.isEmpty()) throw new ApiException.BadRequest("fields_to_export must name at least one field (omit it for all)");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            JsonNode v = names.get(i);
            if (!v.isTextual() || !ExportView.FIELDS.contains(v.textValue()))
                throw new ApiException.BadRequest("fields_to_export[" + i + "] is not a known field: "
                        + (v.isTextual() ? Check.quote(v.textValue()) : Check.describe(v)) + "; known: " + new TreeSet<>(ExportView.FIELDS));
            out.add(v.textValue());
        }
        return out;
    }
}
