package dev.kiln.server.http;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** API key scopes, one per family of endpoints (Braze's permission names, shortened where Braze nests them). */
public final class Scopes {
    private Scopes() {}

    public static final String USERS_TRACK = "users.track";
    public static final String USERS_EXPORT = "users.export";
    public static final String USERS_DELETE = "users.delete";
    public static final String USERS_IDENTIFY = "users.identify";
    public static final String USERS_ALIAS = "users.alias";
    public static final String SEGMENTS_READ = "segments.read";
    public static final String DEFINITIONS_WRITE = "definitions.write";
    public static final String CANVAS_TRIGGER = "canvas.trigger";
    public static final String CAMPAIGNS_TRIGGER = "campaigns.trigger";
    public static final String MESSAGES_READ = "messages.read";
    /** {@code GET /canvases}, {@code GET /canvases/{id}} and {@code GET /canvases/{id}/stats}. */
    public static final String CANVASES_READ = "canvases.read";
    /** {@code GET /cdi/integrations}, {@code GET /cdi/integrations/{id}/job_sync_status}. */
    public static final String CDI_READ = "cdi.read";
    /** {@code POST /cdi/integrations/{id}/sync}. */
    public static final String CDI_SYNC = "cdi.sync";
    /** {@code GET /currents}: Currents connectors, cursors and lag. */
    public static final String CURRENTS_READ = "currents.read";

    /** Every scope, in a stable order (the admin key gets all of them). */
    public static final Set<String> ALL = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(USERS_TRACK, USERS_EXPORT,
            USERS_DELETE, USERS_IDENTIFY, USERS_ALIAS, SEGMENTS_READ, DEFINITIONS_WRITE, CANVAS_TRIGGER, CAMPAIGNS_TRIGGER,
            MESSAGES_READ, CANVASES_READ, CDI_READ, CDI_SYNC, CURRENTS_READ)));

    public static boolean isKnown(String scope) { return ALL.contains(scope); }
}
