package io.usertcp.wire;

/**
 * Why a packet (or a segment) was dropped. Every drop in the stack is counted under exactly one of
 * these; the names are stable because they appear in counters and logs.
 *
 * <p>Grouped by the layer that decides: IPv4 validation and reassembly, ICMP, the TCP codec, then the
 * TCP engine and the stack. Layers above {@code wire} use the later groups; adding a constant is a
 * compatible change (ask the owner of {@code io.usertcp.wire}).
 */
public enum DropReason {
    // ---- IPv4 (RFC 791, RFC 1122 §3.2.1) ----
    /** Fewer bytes than a minimal IPv4 header (20). */
    IP_TRUNCATED("shorter than an IPv4 header"),
    /** Version field is not 4. */
    IP_BAD_VERSION("IP version is not 4"),
    /** IHL below 5 or beyond the bytes received. */
    IP_BAD_HEADER_LENGTH("IHL < 5 or header longer than packet"),
    /** Total length below the header length or above the bytes received. */
    IP_BAD_TOTAL_LENGTH("total length inconsistent with packet"),
    /** Header checksum does not verify. */
    IP_BAD_CHECKSUM("bad IPv4 header checksum"),
    /** Source address that no host may use (multicast, limited broadcast). */
    IP_BAD_SOURCE("invalid source address"),
    /** Destination is not one of our addresses. */
    IP_NOT_FOR_US("destination is not a local address"),
    /** Protocol we do not implement. */
    IP_UNKNOWN_PROTOCOL("protocol not handled"),

    // ---- IPv4 fragments (RFC 791 §3.2, RFC 5722 spirit) ----
    /** A fragment with inconsistent offset/length (e.g. ends past 65535, non-final not 8-aligned). */
    FRAGMENT_BAD("malformed fragment"),
    /** A fragment overlapped an earlier one with different bytes; the whole datagram is dropped. */
    FRAGMENT_OVERLAP("overlapping fragment with different data"),
    /** Reassembly gave up on a datagram whose fragments did not all arrive in time. */
    FRAGMENT_TIMEOUT("reassembly timed out"),
    /** Reassembly memory or datagram-count cap reached; the fragment or an old datagram was evicted. */
    FRAGMENT_NO_MEMORY("reassembly memory cap reached"),
    /** Reassembled datagram would exceed 65535 bytes. */
    FRAGMENT_TOO_BIG("reassembled datagram too big"),

    // ---- ICMP (RFC 792, RFC 1122 §3.2.2) ----
    /** Fewer than 8 bytes of ICMP header, or an error without the quoted header. */
    ICMP_TRUNCATED("truncated ICMP message"),
    /** ICMP checksum does not verify. */
    ICMP_BAD_CHECKSUM("bad ICMP checksum"),
    /** ICMP type/code we ignore. */
    ICMP_UNSUPPORTED("ICMP type not handled"),

    // ---- TCP codec (RFC 9293 §3.1, §3.2) ----
    /** Fewer bytes than a minimal TCP header (20). */
    TCP_TRUNCATED("shorter than a TCP header"),
    /** Data offset below 5 or beyond the segment. */
    BAD_TCP_DATA_OFFSET("data offset < 5 or beyond segment"),
    /** TCP checksum (with the pseudo-header) does not verify. */
    BAD_TCP_CHECKSUM("bad TCP checksum"),
    /** Impossible flag combination (SYN+FIN, SYN+RST). */
    BAD_TCP_FLAGS("impossible flag combination"),
    /** A reserved header bit was set (only used if the stack is configured to drop such segments). */
    TCP_RESERVED_BITS("reserved bits set"),
    /** An option with length 0 or 1, or running past the header. */
    BAD_TCP_OPTION("malformed TCP option"),
    /** Source or destination port 0. */
    BAD_TCP_PORT("port 0"),

    // ---- TCP engine (RFC 9293 §3.10, RFC 5961, RFC 7323) ----
    /** No connection and no listener for the segment (answered by a RST unless it was a RST). */
    TCP_NO_SOCKET("no matching connection or listener"),
    /** Listener's SYN queue full. */
    TCP_SYN_QUEUE_FULL("SYN queue full"),
    /** Listener's accept queue full. */
    TCP_ACCEPT_QUEUE_FULL("accept queue full"),
    /** Segment not acceptable per RFC 9293 §3.10.7.4 (answered by an ACK unless RST). */
    TCP_UNACCEPTABLE("unacceptable sequence number"),
    /** ACK for data never sent, or too old (RFC 5961 §5). */
    TCP_BAD_ACK("unacceptable acknowledgment"),
    /** Segment without ACK in a synchronized state. */
    TCP_NO_ACK_FLAG("no ACK flag in synchronized state"),
    /** RST that did not pass RFC 5961 §3 validation. */
    TCP_RST_INVALID("RST outside the window"),
    /** SYN in a synchronized state (answered by a challenge ACK, RFC 5961 §4). */
    TCP_SYN_IN_WINDOW("SYN in synchronized state"),
    /** Out-of-order data beyond the reassembly-queue cap. */
    TCP_OUT_OF_ORDER_FULL("out-of-order queue full"),
    /** Data beyond the receive window (trimmed or dropped). */
    TCP_BEYOND_WINDOW("data beyond receive window"),
    /** PAWS check failed (RFC 7323 §5). */
    TCP_PAWS("PAWS: old timestamp"),
    /** Challenge ACK suppressed by the rate limit (RFC 5961 §7). */
    TCP_CHALLENGE_ACK_LIMITED("challenge ACK rate limited"),
    /** Segment arriving for a connection that is closed or closing in a way that ignores it. */
    TCP_IGNORED_IN_STATE("ignored in this state"),

    // ---- stack / link ----
    /** No route to the destination. */
    NO_ROUTE("no route"),
    /** The link's send queue was full. */
    LINK_QUEUE_FULL("link queue full"),
    /** The loopback or input queue was full. */
    INPUT_QUEUE_FULL("input queue full"),
    /** A SYN (or handshake-completing ACK) for a listener while the connection table is at the
     *  stack's {@code maxConnections} (StackLimits). */
    TCP_CONNECTION_LIMIT("connection table full");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    /** One line saying what the reason means. */
    public String description() {
        return description;
    }
}
