package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.canvas.Canvas;
import dev.kiln.runtime.CanvasRegistry;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Braze's API-triggered sends, one shape for both: {@code POST /canvas/trigger/send} enters each
 * recipient into an active, API-triggered Canvas with its {@code canvas_entry_properties};
 * {@code POST /campaigns/trigger/send} sends an active, API-triggered campaign with its
 * {@code trigger_properties}. The top-level properties are merged under each recipient's, the
 * recipient's winning. All recipients are submitted as one unit; users who do not exist are listed in
 * {@code errors}, as Kiln sends to existing users only. A malformed request or recipient is a 400 that
 * changes nothing. A recipient the Canvas or campaign does not take (already in it, outside its audience,
 * not re-eligible, over an entry limit) is accepted and skipped, as Braze.
 */
final class TriggerSendEndpoint {
    /** What differs between the Canvas and the campaign endpoint. */
    record Target(String endpoint, String idField, String propertiesField, java.util.function.Consumer<String> check,
                  InputFactory inputs) {}

    @FunctionalInterface
    interface InputFactory {
        Input make(String inputId, Source source, String targetId, Map<String, Object> properties);
    }

    static Target canvases(CanvasRegistry registry) {
        return new Target("/canvas/trigger/send", "canvas_id", "canvas_entry_properties", id -> checkCanvas(registry, id),
                (inputId, source, id, props) -> new Input.EnterCanvas(inputId, source, id, props));
    }

    /** Braze's limit per request. */
    static final int MAX_RECIPIENTS = 50;
    /** Braze's limit on {@code canvas_entry_properties}, as serialised JSON. */
    static final int MAX_ENTRY_PROPERTIES_BYTES = 50 * 1024;
    private static final String RECIPIENTS = "recipients";

    private static final com.fasterxml.jackson.databind.ObjectMapper SIZER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Target target;
    private final Submitter submitter;
    private final Set<String> fields;
    private final Set<String> recipientFields;

    TriggerSendEndpoint(Target target, Submitter submitter) {
        this.target = target;
        this.submitter = submitter;
        this.fields = Set.of(target.idField(), RECIPIENTS, target.propertiesField(), "broadcast", "audience");
        this.recipientFields = Set.of("external_user_id", "user_alias", target.propertiesField(), "send_to_existing_only", "attributes");
    }

    private record Recipient(Identifier who, Map<String, Object> properties) {}

    Reply handle(JsonNode body, String requestId) {
        Body.object(body, target.endpoint(), fields);
        String targetId = Body.strict(() -> Check.nonEmptyString(body.get(target.idField()), target.idField(), Invalid.OBJECT));
        if (Body.strict(() -> Check.bool(body, "broadcast", false, Invalid.OBJECT)))
            throw new ApiException.BadRequest("broadcast is not supported",
                    "Kiln enters only the users listed in recipients (at most " + MAX_RECIPIENTS + " per request)");
        if (Body.present(body, "audience"))
            throw new ApiException.BadRequest("audience is not supported; list the users in recipients",
                    "the " + (target.idField().equals("canvas_id") ? "Canvas's entry.audience" : "campaign's audience")
                            + " is still checked for every recipient");
        List<JsonNode> items = Body.array(body, RECIPIENTS, "recipient objects");
        if (items.isEmpty()) throw new ApiException.BadRequest("recipients is required and must not be empty");
        if (items.size() > MAX_RECIPIENTS)
            throw new ApiException.BadRequest("Too many recipients: " + items.size(), "at most " + MAX_RECIPIENTS + " recipients per request");
        Map<String, Object> shared = properties(body.get(target.propertiesField()), target.propertiesField());
        List<Recipient> recipients = new java.util.ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String where = RECIPIENTS + "[" + i + "]";
            recipients.add(Body.strict(() -> recipient(item, where, shared)));
        }
        target.check().accept(targetId);

        Source source = Source.api(target.endpoint().substring(1) + ":" + requestId);
        Batch batch = new Batch(List.of(RECIPIENTS));
        for (int i = 0; i < recipients.size(); i++) {
            Recipient r = recipients.get(i);
            Op op = new Op.Apply(r.who(), false, target.inputs().make(requestId + ".e" + i, source, targetId, r.properties()));
            batch.add(RECIPIENTS, i, () -> op);
        }
        batch.submit(submitter);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dispatch_id", requestId);
        if (!batch.errors().isEmpty()) out.put("errors", batch.errors());
        out.put("message", "success");
        return new Reply(201, out);
    }

    /** 404 for an unknown Canvas, 400 for one that is not active or not API-triggered. */
    private static void checkCanvas(CanvasRegistry registry, String canvasId) {
        Canvas c = registry.get(canvasId)
                .orElseThrow(() -> new ApiException.NotFound("No Canvas with id " + Check.quote(canvasId)))
                .definition();
        if (!c.entry().apiTriggered())
            throw new ApiException.BadRequest("Canvas " + Check.quote(canvasId) + " is not API-triggered",
                    "add '- api_triggered: {}' to its entry.triggers to let POST /canvas/trigger/send enter users");
        if (!c.active())
            throw new ApiException.BadRequest("Canvas " + Check.quote(canvasId) + " is " + c.status().name().toLowerCase(Locale.ROOT)
                    + ", not active", "launch it first: POST /canvases/" + canvasId + "/launch");
    }

    private Recipient recipient(JsonNode o, String where, Map<String, Object> shared) {
        String propertiesField = target.propertiesField();
        if (!o.isObject()) throw new Invalid(Invalid.OBJECT, where + " must be an object, was " + Check.describe(o));
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!recipientFields.contains(f))
                throw new Invalid(Invalid.OBJECT, where + " has an unknown field " + Check.quote(f) + "; allowed: "
                        + List.of("external_user_id", "user_alias", propertiesField, "send_to_existing_only"));
        }
        if (Identifiers.given(o, "attributes"))
            throw new Invalid(Invalid.UNSUPPORTED, where + ".attributes is not supported; update profiles with /users/track first");
        if (!Check.bool(o, "send_to_existing_only", true, Invalid.OBJECT))
            throw new Invalid(Invalid.UNSUPPORTED, where + ".send_to_existing_only: false is not supported; Kiln enters existing users only"
                    + " (create them with /users/track first)");
        boolean external = Identifiers.given(o, "external_user_id"), alias = Identifiers.given(o, "user_alias");
        if (external == alias)
            throw new Invalid(external ? Invalid.MULTIPLE_IDENTIFIERS : Invalid.MISSING_IDENTIFIER,
                    where + " needs exactly one of external_user_id and user_alias");
        Identifier who = external
                ? new Identifier.ExternalId(Identifiers.externalId(o.get("external_user_id"), where + ".external_user_id"))
                : new Identifier.Alias(Identifiers.alias(o.get("user_alias"), where + ".user_alias"));
        Map<String, Object> own = properties(o.get(propertiesField), where + "." + propertiesField);
        Map<String, Object> merged = new LinkedHashMap<>(shared);
        merged.putAll(own);
        if (size(merged) > MAX_ENTRY_PROPERTIES_BYTES)
            throw new Invalid(Invalid.PROPERTY, where + ": " + propertiesField + " are larger than " + MAX_ENTRY_PROPERTIES_BYTES + " bytes");
        return new Recipient(who, merged);
    }

    /** An optional JSON object of properties as plain Java; empty when absent or null. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(JsonNode v, String where) {
        if (v == null || v.isNull()) return Map.of();
        if (!v.isObject()) throw new ApiException.BadRequest(where + " must be an object, was " + Check.describe(v));
        return (Map<String, Object>) Body.strict(() -> Check.plain(v, where, 0, true, Invalid.PROPERTY));
    }

    private static int size(Map<String, Object> properties) {
        if (properties.isEmpty()) return 2;
        try {
            return SIZER.writeValueAsBytes(properties).length;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
