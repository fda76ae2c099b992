package dev.kiln.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code connections/*.yaml}: credentials for outside systems (see {@link Connection} and
 * {@code docs/connections.md}). A secret is only ever a place to read it from, {@code { env: NAME }} or
 * {@code { file: PATH }}; a secret written in the document is refused, and no message repeats what a
 * secret field holds.
 */
final class ConnectionKind implements DocumentKind<Connection> {
    static final List<String> OAUTH_KEYS = List.of("id", "type", "token_url", "client_id", "client_secret", "scope", "instance_url", "params");
    static final List<String> BASIC_KEYS = List.of("id", "type", "username", "password");
    static final List<String> TYPES = List.of(Connection.Type.OAUTH2_CLIENT_CREDENTIALS.word(), Connection.Type.BASIC_AUTH.word());
    /** Token request parameters Kiln sets from the connection's own keys. */
    static final List<String> OWN_PARAMS = List.of("grant_type", "client_id", "client_secret", "scope");
    static final String LITERAL_SECRET = "a secret is never written in a definition: write { env: VARIABLE_NAME } (an environment"
            + " variable) or { file: /path/to/secret } (a file holding it)";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** What {@code {{connections.ID.access_token}}} can name without brackets. */
    private static final Pattern LIQUID_NAME = Pattern.compile("[A-Za-z0-9_]+");

    @Override public String folder() { return "connections"; }

    @Override public String singular() { return "connection"; }

    @Override public Connection parse(JsonNode document, ProblemSink problems) {
        CountingSink sink = new CountingSink(problems);
        Cursor root = Cursor.root(document, sink);
        if (!root.isMapping()) {
            root.problem("expected a mapping with id, type and the type's settings, got " + root.describe());
            return null;
        }
        Optional<String> id = Documents.id(root);
        Connection.Type type = type(root.field("type"));
        if (type == null) {
            List<String> all = new ArrayList<>(OAUTH_KEYS);
            BASIC_KEYS.stream().filter(k -> !all.contains(k)).forEach(all::add);
            Documents.refuseUnknownKeys(root, all);
            return null;
        }
        boolean oauth = type == Connection.Type.OAUTH2_CLIENT_CREDENTIALS;
        List<String> own = oauth ? OAUTH_KEYS : BASIC_KEYS, other = oauth ? BASIC_KEYS : OAUTH_KEYS;
        for (String k : root.keys()) {
            if (own.contains(k)) continue;
            if (other.contains(k)) root.field(k).problem("only for " + (oauth ? "basic_auth" : "oauth2_client_credentials")
                    + " connections (this one is " + type.word() + ")");
            else root.field(k).problem("unknown key; " + Words.suggest(k, own));
        }
        Connection c = oauth ? oauth(root, id.orElse(null)) : basic(root, id.orElse(null));
        if (sink.count() > 0 || id.isEmpty()) return null;
        if (oauth && !LIQUID_NAME.matcher(id.get()).matches())
            root.field("id").warning("templates name this connection as {{connections[\"" + id.get() + "\"].access_token}};"
                    + " an id of letters, digits and '_' only allows {{connections.ID.access_token}}");
        return c;
    }

    private static Connection.Type type(Cursor t) {
        if (!t.present()) {
            t.problem("required: " + Words.oneOf(TYPES));
            return null;
        }
        if (t.node().isTextual()) {
            for (Connection.Type type : Connection.Type.values()) if (type.word().equals(t.node().textValue())) return type;
            t.problem("unknown connection type; " + Words.suggest(t.node().textValue(), TYPES));
            return null;
        }
        t.problem("expected " + Words.oneOf(TYPES) + ", got " + t.describe());
        return null;
    }

    private static Connection oauth(Cursor root, String id) {
        Cursor tokenUrlAt = root.field("token_url");
        Optional<String> tokenUrl = url(tokenUrlAt, true);
        tokenUrl.ifPresent(u -> warnCleartext(tokenUrlAt, u));
        Cursor clientIdAt = root.field("client_id");
        Optional<String> clientId = clientIdAt.isMapping()
                ? problem(clientIdAt, "the client id is not a secret: write it as text") : clientIdAt.text("the client id as text");
        Connection.SecretRef secret = secret(root.field("client_secret"));
        Cursor scopeAt = root.field("scope");
        Optional<String> scope = scopeAt.present() ? scopeAt.text("a scope such as api (several are separated by spaces)") : Optional.empty();
        Cursor instanceAt = root.field("instance_url");
        Optional<String> instanceUrl = instanceAt.present() ? url(instanceAt, false) : Optional.empty();
        Map<String, String> params = params(root.field("params"));
        if (id == null || tokenUrl.isEmpty() || clientId.isEmpty() || secret == null || params == null) return null;
        return new Connection(id, Connection.Type.OAUTH2_CLIENT_CREDENTIALS, tokenUrl.get(), clientId.get(), secret,
                scope.orElse(null), instanceUrl.orElse(null), null, null, params);
    }

    private static Connection basic(Cursor root, String id) {
        Optional<String> username = root.field("username").text("a user name as text");
        Connection.SecretRef password = secret(root.field("password"));
        if (id == null || username.isEmpty() || password == null) return null;
        return new Connection(id, Connection.Type.BASIC_AUTH, null, null, null, null, null, username.get(), password, Map.of());
    }

    private static Optional<String> problem(Cursor c, String message) {
        c.problem(message);
        return Optional.empty();
    }

    /**
     * An absolute http(s) URL with a host. {@code path}: whether it may have a path; an instance URL is
     * a base that templates append to ({@code {{connections.ID.instance_url}}/services/…}).
     */
    private static Optional<String> url(Cursor c, boolean path) {
        String example = path ? "https://login.salesforce.com/services/oauth2/token" : "https://acme.my.salesforce.com";
        Optional<String> text = c.text("a URL such as " + example);
        if (text.isEmpty()) return text;
        URI uri;
        try {
            uri = new URI(text.get());
        } catch (URISyntaxException e) {
            return problem(c, "not a valid URL: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || host(uri) == null)
            return problem(c, "expected an http:// or https:// URL with a host, such as " + example + ", got " + c.describe());
        if (uri.getRawAuthority().contains("@")) return problem(c, "must not hold a user name or password (user@host)");
        if (!path && text.get().endsWith("/"))
            return problem(c, "must not end with '/': templates add the path ({{connections.ID.instance_url}}/services/…)");
        return text;
    }

    /**
     * The URL's host. {@link URI#getHost()} is null for a name with '_', which DNS names do not hold but
     * placeholders do ({@code YOUR_SALESFORCE_INSTANCE.my.salesforce.com}); those are read from the authority.
     */
    private static String host(URI uri) {
        if (uri.getHost() != null) return uri.getHost();
        String authority = uri.getRawAuthority();
        if (authority == null) return null;
        String host = authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(":\\d*$", "");
        return host.isEmpty() ? null : host;
    }

    /** The client secret would travel in clear over http to anything but this machine. */
    private static void warnCleartext(Cursor c, String url) {
        URI uri = URI.create(url);
        String host = host(uri);
        if (uri.getScheme().equalsIgnoreCase("http") && !host.equals("localhost") && !host.equals("127.0.0.1") && !host.equals("[::1]"))
            c.warning("http:// sends the client secret unencrypted; use https://");
    }

    /** {@code { env: NAME }} or {@code { file: /abs/path }}; null after a problem. Never describes a literal. */
    static Connection.SecretRef secret(Cursor s) {
        if (!s.present()) {
            s.problem("required: { env: VARIABLE_NAME } or { file: /path/to/secret }");
            return null;
        }
        if (!s.isMapping()) {
            s.problem(s.node().isNull() ? "required: { env: VARIABLE_NAME } or { file: /path/to/secret }" : LITERAL_SECRET);
            return null;
        }
        List<String> keys = s.keys();
        for (String k : keys)
            if (!k.equals("env") && !k.equals("file")) s.field(k).problem("unknown key; a secret is read from env or file");
        boolean env = keys.contains("env"), file = keys.contains("file");
        if (env && file) {
            s.problem("a secret is read from env or file, not both");
            return null;
        }
        if (!env && !file) {
            if (keys.size() == 0) s.problem("expected { env: VARIABLE_NAME } or { file: /path/to/secret }, got an empty mapping");
            return null;
        }
        if (keys.size() > 1) return null;
        // Beside a secret, values are never echoed: a secret pasted under env or file must not reach a log.
        if (env) {
            Cursor e = s.field("env");
            if (e.node().isTextual() && ENV_NAME.matcher(e.node().textValue()).matches()) return Connection.SecretRef.env(e.node().textValue());
            e.problem("expected an environment variable name: letters, digits and '_', not starting with a digit");
            return null;
        }
        Cursor f = s.field("file");
        Optional<String> path = f.node().isTextual() && !f.node().textValue().isBlank() ? Optional.of(f.node().textValue()) : Optional.empty();
        boolean absolute = false;
        try {
            absolute = path.isPresent() && Path.of(path.get()).isAbsolute();
        } catch (InvalidPathException ex) {
            // reported below
        }
        if (!absolute) {
            f.problem("expected an absolute path such as /run/secrets/salesforce (a relative one would depend on where Kiln runs)");
            return null;
        }
        return Connection.SecretRef.file(path.get());
    }

    private static Map<String, String> params(Cursor p) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!p.present()) return out;
        if (!p.isMapping()) {
            p.problem("expected a mapping of token request parameters, such as { audience: https://api.example.com }, got " + p.describe());
            return null;
        }
        boolean ok = true;
        for (String k : p.keys()) {
            Cursor v = p.field(k);
            if (OWN_PARAMS.contains(k)) {
                v.problem("Kiln sets " + k + " itself" + (k.equals("grant_type") ? " (client_credentials)" : " from the connection's " + k) + "; remove it");
                ok = false;
                continue;
            }
            Optional<String> value = v.text("a parameter value as text (not a secret: secrets go in client_secret)");
            if (value.isPresent()) out.put(k, value.get());
            else ok = false;
        }
        return ok ? out : null;
    }

    @Override public String toString() { return "connections"; }
}
