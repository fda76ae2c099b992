package dev.kiln.definitions;

import java.util.Map;
import java.util.Objects;

/**
 * A {@code connections/*.yaml} document: credentials for outside systems, referenced by name from
 * templates, never written in them. Secret values are not part of the definition — only where to read
 * them ({@link SecretRef}); they are resolved at use, never stored, logged or returned.
 *
 * <pre>
 * id: salesforce
 * type: oauth2_client_credentials        # {{connections.salesforce.access_token}}, .instance_url
 * token_url: https://login.salesforce.com/services/oauth2/token
 * client_id: 3MVG9...
 * client_secret: { env: SALESFORCE_CLIENT_SECRET }   # or { file: /run/secrets/sf }
 * scope: api                                          # optional
 * instance_url: https://acme.my.salesforce.com        # optional; else the token response's instance_url
 *
 * id: partner-api
 * type: basic_auth                       # {% connected_content … :basic_auth partner-api %}
 * username: kiln
 * password: { env: PARTNER_PASSWORD }
 * </pre>
 *
 * @param type         {@link Type}
 * @param tokenUrl     OAuth token endpoint (client credentials), null for basic auth
 * @param clientId     OAuth client id (not a secret), null for basic auth
 * @param clientSecret OAuth client secret, null for basic auth
 * @param scope        optional OAuth scope
 * @param instanceUrl  optional fixed instance URL (else the token response's {@code instance_url})
 * @param username     basic-auth user name, null for OAuth
 * @param password     basic-auth password, null for OAuth
 * @param params       extra form parameters for the token request (e.g. {@code audience}); not secret
 */
public record Connection(String id, Type type, String tokenUrl, String clientId, SecretRef clientSecret, String scope,
                         String instanceUrl, String username, SecretRef password, Map<String, String> params) {
    public enum Type {
        OAUTH2_CLIENT_CREDENTIALS("oauth2_client_credentials"), BASIC_AUTH("basic_auth");
        private final String word;
        Type(String word) { this.word = word; }
        public String word() { return word; }
    }

    public Connection {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /**
     * Where a secret is read from: an environment variable or a file (its content, trimmed). Exactly one
     * is set. {@code toString} names the place, never the value.
     */
    public record SecretRef(String env, String file) {
        public SecretRef {
            if ((env == null) == (file == null)) throw new IllegalArgumentException("a secret is read from exactly one of env or file");
        }

        public static SecretRef env(String name) { return new SecretRef(name, null); }

        public static SecretRef file(String path) { return new SecretRef(null, path); }

        @Override public String toString() { return env != null ? "env:" + env : "file:" + file; }
    }
}
