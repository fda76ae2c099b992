package dev.kiln.runtime;

/** What became of one {@link Op}: applied to {@code userId}, or refused with {@code error} (nothing changed). */
public record Outcome(String userId, String error) {
    public static Outcome ok(String userId) { return new Outcome(userId, null); }
    public static Outcome error(String error) { return new Outcome(null, error); }
    public boolean ok() { return error == null; }
}
