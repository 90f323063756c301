package io.usertcp.tcp;

/** The ICMP errors a connection cares about (RFC 1122 §4.2.3.9, RFC 1191). */
public enum IcmpErrorKind {
    NET_UNREACHABLE,
    HOST_UNREACHABLE,
    PROTOCOL_UNREACHABLE,
    PORT_UNREACHABLE,
    /** Destination unreachable, code 4: fragmentation needed and DF set (RFC 1191). */
    FRAGMENTATION_NEEDED,
    /** Codes 9, 10, 13: communication administratively prohibited. */
    ADMIN_PROHIBITED,
    /** Type 11. */
    TIME_EXCEEDED;

    /**
     * Maps an ICMPv4 type and code (RFC 792, RFC 1122 §3.2.2.1) to a kind, or null for messages
     * TCP ignores (source quench is ignored per RFC 6633).
     */
    public static IcmpErrorKind of(int type, int code) {
        if (type == 11) return TIME_EXCEEDED;
        if (type != 3) return null;
        return switch (code) {
            case 0, 6, 11 -> NET_UNREACHABLE;
            case 1, 7, 12 -> HOST_UNREACHABLE;
            case 2 -> PROTOCOL_UNREACHABLE;
            case 3 -> PORT_UNREACHABLE;
            case 4 -> FRAGMENTATION_NEEDED;
            case 9, 10, 13 -> ADMIN_PROHIBITED;
            default -> HOST_UNREACHABLE;
        };
    }

    /**
     * RFC 1122 §4.2.3.9: codes 2–4 (protocol, port, fragmentation needed) are hard errors; codes
     * 0, 1, 5 are soft. Fragmentation needed is handled as path MTU discovery (RFC 1191), not as
     * an abort; this returns true for protocol and port unreachable only.
     */
    public boolean isHard() {
        return this == PROTOCOL_UNREACHABLE || this == PORT_UNREACHABLE;
    }
}
