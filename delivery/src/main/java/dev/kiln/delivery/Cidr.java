package dev.kiln.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range, IPv4 or IPv6 ({@code 169.254.0.0/16}, {@code fe80::/10}; a bare address is /32 or /128). */
record Cidr(byte[] network, int prefix, String text) {

    /** Whether {@code s} is written as an address or a range rather than a host name. */
    static boolean looksLikeCidr(String s) {
        return s.matches("[0-9.]+(/[0-9]*)?") || s.matches("\\[?[0-9a-fA-F.]*:[0-9a-fA-F:.]*]?(/[0-9]*)?");
    }

    static Cidr parse(String s) {
        String t = s.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.substring(1, addr.length() - 1);
        if (!addr.matches("[0-9a-fA-F.:]+")) throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR range");
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR range");
        }
        int max = bytes.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "': the prefix length is not a number");
        }
        if (prefix < 0 || prefix > max) throw new IllegalArgumentException("'" + s + "': prefix length must be 0.." + max);
        return new Cidr(bytes, prefix, t);
    }

    boolean contains(InetAddress address) {
        byte[] a = normalize(address).getAddress();
        if (a.length != network.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:169.254.169.254}) is checked as the IPv4 address it is. */
    static InetAddress normalize(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) if (b[i] != 0) mapped = false;
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    return address;
                }
            }
        }
        return address;
    }

    @Override public String toString() { return text; }

    @Override public boolean equals(Object o) { return o instanceof Cidr c && c.text.equals(text); }

    @Override public int hashCode() { return text.hashCode(); }
}
