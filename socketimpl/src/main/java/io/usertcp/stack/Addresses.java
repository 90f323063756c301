package io.usertcp.stack;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;

/** IPv4 addresses as the engine holds them: {@code int} in network order (198.18.0.1 = 0xC6120001). */
final class Addresses {

    static final int ANY = 0;
    static final int LOOPBACK = 0x7F000001;            // 127.0.0.1
    static final int LOOPBACK_NET = 0x7F000000;        // 127.0.0.0/8
    static final int LOOPBACK_PREFIX = 8;

    private Addresses() {}

    /** The address as an int; the wildcard (also IPv6 {@code ::}) and null are {@link #ANY}. */
    static int toInt(InetAddress a) throws SocketException {
        if (a == null || a.isAnyLocalAddress()) {
            return ANY;
        }
        if (!(a instanceof Inet4Address)) {
            // Linux's answer for an IPv6 address on an AF_INET socket (EAFNOSUPPORT).
            throw new SocketException("Protocol family unavailable");
        }
        byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static InetAddress toInet(int ip) {
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // cannot happen for 4 bytes
        }
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    static boolean inSubnet(int ip, int net, int prefixLength) {
        int m = mask(prefixLength);
        return (ip & m) == (net & m);
    }

    static boolean isLoopback(int ip) {
        return (ip >>> 24) == 127;
    }

    /** Multicast, limited broadcast or 0.0.0.0: never a unicast peer. */
    static boolean isUnicast(int ip) {
        int first = ip >>> 24;
        return ip != 0 && ip != -1 && (first < 224 || first > 239) && first != 0;
    }

    static String format(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }
}
