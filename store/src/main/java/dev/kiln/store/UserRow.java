package dev.kiln.store;

import dev.kiln.engine.UserState;

import java.util.Locale;

/**
 * A profile as its {@code users} row, encoded. Lanes encode the profiles they changed (in parallel, and
 * instead of copying them) and the committer only writes. Emails are lower-cased here, in Java, so both
 * databases agree on case.
 */
public record UserRow(String userId, String externalId, String email, byte[] state, long updatedAt) {

    public static UserRow of(UserState u) { return of(u, UserStateCodec.encode(u)); }

    private static UserRow of(UserState u, byte[] state) {
        return new UserRow(u.userId(), u.externalId(), u.email().map(UserRow::normaliseEmail).orElse(null), state, u.updatedAt());
    }

    /**
     * Rows of profiles encoded with one reused buffer and generator ({@link #of}'s bytes): for a thread that encodes
     * many, such as a lane. Not thread-safe.
     */
    public static final class Encoder {
        private final UserStateCodec.Writer writer = new UserStateCodec.Writer();

        public UserRow of(UserState u) { return UserRow.of(u, writer.encode(u)); }
    }

    /** The profile back from its encoded form. */
    public UserState decode() { return UserStateCodec.decode(state); }

    static String normaliseEmail(String email) { return email.trim().toLowerCase(Locale.ROOT); }
}
