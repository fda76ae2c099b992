package dev.kiln.delivery;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboundPolicyTest {

    /** Names resolve to chosen addresses; anything else is a literal or does not resolve. */
    private static final Map<String, String> DNS = Map.of(
            "metadata.attacker.test", "169.254.169.254",
            "api.partner.test", "203.0.113.10",
            "intranet.corp.test", "10.1.2.3",
            "v6meta.attacker.test", "fd00:ec2::254");

    private static InetAddress[] resolve(String host) {
        try {
            String a = DNS.get(host);
            if (a != null) return new InetAddress[] {InetAddress.getByName(a)};
            if (host.matches("[0-9a-f.:]+")) return new InetAddress[] {InetAddress.getByName(host)};
            return new InetAddress[0];
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    private static OutboundPolicy policy(List<String> allow, List<String> deny) {
        return OutboundPolicy.of(allow, deny, OutboundPolicyTest::resolve);
    }

    private static void denied(OutboundPolicy p, String url, String why) {
        assertThatThrownBy(() -> p.check(URI.create(url))).isInstanceOf(OutboundDeniedException.class).hasMessageContaining(why);
    }

    private static void allowed(OutboundPolicy p, String url) {
        assertThatCode(() -> p.check(URI.create(url))).doesNotThrowAnyException();
    }

    @Test void link_local_and_cloud_metadata_are_refused_by_default() {
        OutboundPolicy p = policy(List.of(), List.of());
        denied(p, "http://169.254.169.254/latest/meta-data/", "in denied range 169.254.0.0/16");
        denied(p, "http://169.254.1.1/", "169.254.0.0/16");
        denied(p, "http://[fe80::1]/", "fe80::/10");
        denied(p, "http://[fd00:ec2::254]/latest", "fd00:ec2::254/128");
        denied(p, "http://[::ffff:169.254.169.254]/", "169.254.0.0/16");
    }

    @Test void a_name_resolving_to_a_denied_address_is_refused() {
        OutboundPolicy p = policy(List.of(), List.of());
        denied(p, "https://metadata.attacker.test/x", "host metadata.attacker.test resolves to 169.254.169.254");
        denied(p, "https://v6meta.attacker.test/x", "fd00:ec2::254");
    }

    @Test void loopback_and_public_hosts_are_allowed_by_default() {
        OutboundPolicy p = policy(List.of(), List.of());
        allowed(p, "http://127.0.0.1:8080/hook");
        allowed(p, "http://[::1]/hook");
        allowed(p, "https://api.partner.test/v1");
        allowed(p, "https://does-not-resolve.test/"); // fails later as a network error
    }

    @Test void only_http_and_https_are_allowed() {
        denied(policy(List.of(), List.of()), "file:///etc/passwd", "scheme 'file' is not allowed");
        denied(policy(List.of(), List.of()), "ftp://api.partner.test/", "scheme 'ftp'");
    }

    @Test void deny_list_takes_hosts_suffix_patterns_and_cidr_ranges() {
        OutboundPolicy p = policy(List.of(), List.of("evil.test", "*.internal.test", "10.0.0.0/8", "127.0.0.0/8", "::1"));
        denied(p, "https://evil.test/", "host evil.test is denied (evil.test)");
        denied(p, "https://a.b.internal.test/", "(*.internal.test)");
        denied(p, "https://intranet.corp.test/", "in denied range 10.0.0.0/8");
        denied(p, "http://127.0.0.1/", "127.0.0.0/8");
        denied(p, "http://[::1]/", "::1");
        allowed(p, "https://internal.test/"); // the suffix pattern needs a label before it
        allowed(p, "https://api.partner.test/");
    }

    @Test void allow_list_admits_only_matching_hosts_or_ranges() {
        OutboundPolicy p = policy(List.of("*.salesforce.com", "api.partner.test", "192.0.2.0/24"), List.of());
        allowed(p, "https://acme.my.salesforce.com/services/data");
        allowed(p, "https://api.partner.test/");
        allowed(p, "http://192.0.2.44/");
        denied(p, "https://salesforce.com.evil.test/", "is not on the allow list");
        denied(p, "http://127.0.0.1/", "is not on the allow list");
    }

    @Test void deny_wins_over_allow_and_built_in_denials_always_apply() {
        OutboundPolicy p = policy(List.of("*.partner.test", "169.254.0.0/16"), List.of("api.partner.test"));
        denied(p, "https://api.partner.test/", "is denied");
        denied(p, "http://169.254.169.254/", "169.254.0.0/16");
    }

    @Test void bad_entries_are_refused_naming_the_list_and_entry() {
        assertThatThrownBy(() -> OutboundPolicy.of(List.of("10.0.0.0/33"), List.of()))
                .hasMessage("outbound allow list: '10.0.0.0/33': prefix length must be 0..32");
        assertThatThrownBy(() -> OutboundPolicy.of(List.of(), List.of("http://x/")))
                .hasMessageContaining("outbound deny list: 'http://x/' is neither a host name");
        assertThatThrownBy(() -> DeliveryConfig.defaults().withDenyHosts(List.of("a b")))
                .hasMessageStartingWith("delivery config: outbound deny list");
    }

    @Test void cidr_matching_is_bitwise() {
        Cidr c = Cidr.parse("100.64.0.0/10");
        assertThat(c.contains(addr("100.127.255.255"))).isTrue();
        assertThat(c.contains(addr("100.128.0.0"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(addr("8.8.8.8"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(addr("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(addr("8.8.8.8"))).isFalse();
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
