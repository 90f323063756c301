package io.usertcp.link.tun;

/** Dotted-quad parsing and formatting for IPv4 addresses held as {@code int} (198.18.0.1 = 0xC6120001). */
public final class Ipv4 {
    private Ipv4() {}

    /** Parses "a.b.c.d" strictly (four decimal parts 0..255). */
    public static int parse(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    /** The netmask of a prefix length: 24 → 0xFFFFFF00. */
    public static int netmask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }
}
