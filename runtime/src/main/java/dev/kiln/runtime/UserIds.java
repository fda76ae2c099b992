package dev.kiln.runtime;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Internal user ids: 24 lower-case hex digits, like Braze's braze_id. */
final class UserIds {
    private UserIds() {}

    private static final SecureRandom RANDOM = new SecureRandom();

    static String next() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static int lane(String userId, int lanes) {
        return Math.floorMod(userId.hashCode(), lanes);
    }
}
