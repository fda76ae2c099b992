package dev.kiln.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Generating and hashing API keys. Keys are 256 random bits, so a plain SHA-256 hash is enough to store. */
public final class ApiKeys {
    private ApiKeys() {}

    private static final SecureRandom RANDOM = new SecureRandom();

    public static String newKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String newId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "key_" + HexFormat.of().formatHex(b);
    }

    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
