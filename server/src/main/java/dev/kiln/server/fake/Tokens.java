package dev.kiln.server.fake;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Access tokens without a table: a token names the fake instance that issued it and the generation it was issued
 * in, and is current while that generation is. {@link #expireAll()} starts a new generation, so a check is a prefix
 * comparison and the fake keeps no state per token, however many a benchmark asks for. Tokens from another run of
 * the fake (another instance nonce) are never current.
 */
final class Tokens {
    /** The fake org's and integration user's ids, in Salesforce's shapes (00D… and 005…, 15 characters). */
    static final String ORG_ID = "00DKILNFAKE0001";
    static final String USER_ID = "005KILNFAKE0001";

    private final String prefix;
    private final AtomicLong generation = new AtomicLong();
    private volatile String currentPrefix;
    private final AtomicLong issued = new AtomicLong();

    Tokens() {
        byte[] nonce = new byte[6];
        new SecureRandom().nextBytes(nonce);
        // Salesforce's access tokens look like 00Dxx0000000001!AQ4AQ…; keep the org id and the '!'.
        this.prefix = ORG_ID + "!AQ" + HexFormat.of().formatHex(nonce) + ".";
        this.currentPrefix = prefix + "0.";
    }

    String issue() {
        return currentPrefix + issued.incrementAndGet();
    }

    /** True for a token this instance issued since the last {@link #expireAll()}. */
    boolean current(String token) {
        return token != null && token.startsWith(currentPrefix);
    }

    /** Makes every token issued so far stale; later ones are current. */
    synchronized void expireAll() {
        currentPrefix = prefix + generation.incrementAndGet() + ".";
    }

    long issuedCount() { return issued.get(); }

    /**
     * Salesforce's {@code signature}: Base64 of HMAC-SHA256 over {@code id + issued_at}, keyed with the client
     * secret, so a client can check that the response came from the org it holds the secret of.
     */
    static String signature(String clientSecret, String id, String issuedAt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clientSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((id + issuedAt).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
