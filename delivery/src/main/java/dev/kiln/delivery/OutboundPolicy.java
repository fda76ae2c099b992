package dev.kiln.delivery;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Where delivery may send requests (webhooks, connected content, token endpoints). Rules, in order:
 * <ol>
 *   <li>the scheme must be {@code http} or {@code https};</li>
 *   <li>a host on the deny list (exact name, or {@code *.suffix}) is refused;</li>
 *   <li>the host is resolved, and every address is checked: an address in a denied range is refused. The
 *       built-in denied ranges ({@link #ALWAYS_DENIED}: link-local 169.254.0.0/16 — the cloud metadata
 *       service 169.254.169.254 among them — fe80::/10 and AWS's IPv6 metadata fd00:ec2::254) always
 *       apply; the deny list adds more (e.g. {@code 127.0.0.0/8}, {@code 10.0.0.0/8});</li>
 *   <li>when the allow list is not empty, the host must match an allowed host pattern, or every address
 *       must lie in an allowed range.</li>
 * </ol>
 * Loopback is allowed by default (tests and a local fake Salesforce use it); deny {@code 127.0.0.0/8} and
 * {@code ::1} in production if nothing local should be reached. A name that does not resolve passes (the
 * request then fails as a network error). The check runs just before each request; the HTTP client
 * resolves again, so a DNS answer that changes in between (rebinding) is not caught — the allow list is
 * the strong control.
 */
public final class OutboundPolicy {
    /** Ranges refused whatever the configuration says. */
    public static final List<String> ALWAYS_DENIED = List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128");

    private final List<String> allowHosts;
    private final List<Cidr> allowRanges;
    private final List<String> denyHosts;
    private final List<Cidr> denyRanges;
    private final Function<String, InetAddress[]> resolver;

    private OutboundPolicy(List<String> allow, List<String> deny, Function<String, InetAddress[]> resolver) {
        this.allowHosts = new ArrayList<>();
        this.allowRanges = new ArrayList<>();
        this.denyHosts = new ArrayList<>();
        this.denyRanges = new ArrayList<>();
        for (String s : ALWAYS_DENIED) denyRanges.add(Cidr.parse(s));
        split(allow, allowHosts, allowRanges, "allow");
        split(deny, denyHosts, denyRanges, "deny");
        this.resolver = resolver;
    }

    /** Built-in denials only: everything else, loopback included, is allowed. */
    public static OutboundPolicy defaults() { return of(List.of(), List.of()); }

    /**
     * @param allow host names ({@code api.example.com}), suffix patterns ({@code *.salesforce.com}) and
     *              addresses or CIDR ranges; empty = every destination not denied
     * @param deny  the same forms, refused; deny wins over allow
     * @throws IllegalArgumentException naming the entry that is neither a host pattern nor a range
     */
    public static OutboundPolicy of(List<String> allow, List<String> deny) {
        return new OutboundPolicy(allow, deny, OutboundPolicy::lookup);
    }

    /** With a custom name lookup (tests: names that resolve to chosen addresses). */
    static OutboundPolicy of(List<String> allow, List<String> deny, Function<String, InetAddress[]> resolver) {
        return new OutboundPolicy(allow, deny, resolver);
    }

    private static void split(List<String> entries, List<String> hosts, List<Cidr> ranges, String which) {
        for (String e : entries) {
            String s = e == null ? "" : e.strip().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) throw new IllegalArgumentException("outbound " + which + " list: empty entry");
            if (Cidr.looksLikeCidr(s)) {
                try {
                    ranges.add(Cidr.parse(s));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("outbound " + which + " list: " + ex.getMessage());
                }
            } else if (s.matches("(\\*\\.)?[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.?")) {
                hosts.add(s.endsWith(".") ? s.substring(0, s.length() - 1) : s);
            } else {
                throw new IllegalArgumentException("outbound " + which + " list: '" + e
                        + "' is neither a host name, a *.suffix pattern nor an address range");
            }
        }
    }

    /**
     * Checks a destination.
     *
     * @throws OutboundDeniedException with the reason (host and rule, never the full URL)
     */
    public void check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!scheme.equals("http") && !scheme.equals("https"))
            throw new OutboundDeniedException(host, "outbound policy: scheme '" + scheme + "' is not allowed (http or https)");
        if (host == null || host.isEmpty()) throw new OutboundDeniedException(null, "outbound policy: the URL has no host");
        checkHost(host);
    }

    /** Checks a host name or address literal (IPv6 with or without brackets). */
    public void checkHost(String hostOrLiteral) {
        String host = hostOrLiteral.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        for (String p : denyHosts)
            if (matches(p, host)) throw new OutboundDeniedException(host, "outbound policy: host " + host + " is denied (" + p + ")");
        InetAddress[] addresses;
        try {
            addresses = resolver.apply(host);
        } catch (RuntimeException e) {
            addresses = new InetAddress[0];
        }
        for (InetAddress a : addresses)
            for (Cidr c : denyRanges)
                if (c.contains(a))
                    throw new OutboundDeniedException(host, "outbound policy: host " + host + " resolves to "
                            + Cidr.normalize(a).getHostAddress() + ", in denied range " + c);
        if (allowHosts.isEmpty() && allowRanges.isEmpty()) return;
        for (String p : allowHosts) if (matches(p, host)) return;
        if (addresses.length > 0 && !allowRanges.isEmpty()) {
            boolean all = true;
            for (InetAddress a : addresses) {
                boolean in = false;
                for (Cidr c : allowRanges) if (c.contains(a)) { in = true; break; }
                all &= in;
            }
            if (all) return;
        }
        throw new OutboundDeniedException(host, "outbound policy: host " + host + " is not on the allow list");
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1); // ".example.com"
            return host.endsWith(suffix) && host.length() > suffix.length();
        }
        return pattern.equals(host);
    }

    private static InetAddress[] lookup(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    @Override public String toString() {
        return "OutboundPolicy[allow=" + allowHosts + allowRanges + " deny=" + denyHosts + denyRanges + "]";
    }
}
