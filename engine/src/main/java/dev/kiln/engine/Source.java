package dev.kiln.engine;

/**
 * Where an input came from; recorded with every change so a score can be explained.
 * {@code ref} names the request, Canvas step, campaign or CDI integration.
 */
public record Source(Kind kind, String ref) {
    public enum Kind { TRACK, API, CANVAS, CAMPAIGN, CDI, TIMER, SYSTEM }

    public static Source track(String requestId) { return new Source(Kind.TRACK, requestId); }
    public static Source api(String what) { return new Source(Kind.API, what); }

    /** The form stored in the event log and ledger, e.g. {@code users/track:REQ} or {@code cdi:scores}. */
    public String label() {
        return switch (kind) {
            case TRACK -> "users/track:" + ref;
            case API -> "api:" + ref;
            case CANVAS -> "canvas:" + ref;
            case CAMPAIGN -> "campaign:" + ref;
            case CDI -> "cdi:" + ref;
            case TIMER -> "timer:" + ref;
            case SYSTEM -> "system:" + ref;
        };
    }
}
