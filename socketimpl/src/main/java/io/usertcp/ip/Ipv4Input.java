package io.usertcp.ip;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.function.IntPredicate;

/**
 * IPv4 input for a host (RFC 1122 §3.2.1, §3.3): validates each received packet, reassembles
 * fragments, and hands each whole datagram addressed to us to the handler registered for its
 * protocol. Every drop is counted in {@link IpStats} by {@link DropReason}; {@link #receive} never
 * throws for bad input.
 *
 * <p>Checks, in order (CONFORMANCE C6.1):
 * <ol>
 * <li>header: length, version 4, IHL, total length, header checksum ({@link Ipv4Header#parse});</li>
 * <li>source: RFC 1122 §3.2.1.3: "A host MUST silently discard an incoming datagram containing an IP
 *     source address that is invalid by the rules of this section" — 0.0.0.0, 255.255.255.255,
 *     multicast (224/4) and class E (240/4) sources are dropped ({@link DropReason#IP_BAD_SOURCE});</li>
 * <li>destination: one of ours, per the stack's predicate (a host does not forward:
 *     {@link DropReason#IP_NOT_FOR_US});</li>
 * <li>fragments go through the {@link FragmentReassembler} (C6.2);</li>
 * <li>dispatch by protocol, else {@link DropReason#IP_UNKNOWN_PROTOCOL}.</li>
 * </ol>
 *
 * <p><b>TTL.</b> RFC 1122 §3.2.1.7: "A host MUST NOT discard a datagram just because it was received
 * with TTL less than 2." TTL is a forwarding concern, so a datagram addressed to us is accepted
 * whatever its TTL (also 0, as Linux does); TTL 0 or 1 is only counted
 * ({@link IpStats.Counter#LOW_TTL_ACCEPTED}). The TTL half of C6.1 is on the sending side: we never send
 * TTL 0 ({@link Ipv4Output}).
 *
 * <p>IP options are skipped (the payload starts after IHL × 4 bytes); RFC 1122 §3.2.1.8 options are not
 * acted upon. Not thread-safe: called under the engine lock.
 */
public final class Ipv4Input {
    /** Receives one whole datagram addressed to us. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @param ip  the validated header (for a reassembled datagram: a header over a new buffer); a
         *            view reused for the next packet: valid only during the call
         * @param buf buffer holding the payload; valid only during the call (copy what you keep)
         * @param off absolute offset of the payload
         * @param len payload length
         */
        void deliver(Ipv4Header ip, ByteBuffer buf, int off, int len, long now);
    }

    private final IntPredicate isLocal;
    private final FragmentReassembler reassembler;
    private final IpStats stats;
    private final Handler[] handlers = new Handler[256];
    /** The header view of the packet being received, re-pointed per packet (nothing allocated). */
    private final Ipv4Header view = Ipv4Header.wrap(java.nio.ByteBuffer.allocate(0), 0);

    /**
     * @param isLocal     true for the addresses this host accepts datagrams for
     * @param reassembler fragment reassembly, or null to drop every fragment
     *                    ({@link DropReason#FRAGMENT_BAD})
     */
    public Ipv4Input(IntPredicate isLocal, FragmentReassembler reassembler, IpStats stats) {
        this.isLocal = isLocal;
        this.reassembler = reassembler;
        this.stats = stats;
    }

    /** Registers the handler for an IP protocol number (replacing any earlier one); null removes it. */
    public void setHandler(int protocol, Handler handler) {
        handlers[protocol & 0xFF] = handler;
    }

    public IpStats stats() {
        return stats;
    }

    public FragmentReassembler reassembler() {
        return reassembler;
    }

    /**
     * Processes one received IPv4 packet of {@code len} bytes at {@code off}. Returns true when a
     * handler got a datagram (from this packet, or from a datagram it completed).
     */
    public boolean receive(ByteBuffer buf, int off, int len, long now) {
        stats.increment(IpStats.Counter.PACKETS_RECEIVED);
        Ipv4Header ip;
        try {
            ip = Ipv4Header.parseInto(view, buf, off, len);
        } catch (MalformedPacketException e) {
            stats.drop(e.reason());
            return false;
        }
        // RFC 1122 §3.2.1.3: discard datagrams with a source that cannot name one host.
        if (isInvalidSource(ip.src())) {
            stats.drop(DropReason.IP_BAD_SOURCE);
            return false;
        }
        if (!isLocal.test(ip.dst())) {
            stats.drop(DropReason.IP_NOT_FOR_US);
            return false;
        }
        // RFC 1122 §3.2.1.7: "A host MUST NOT discard a datagram just because it was received with
        // TTL less than 2."
        if (ip.ttl() < 2) {
            stats.increment(IpStats.Counter.LOW_TTL_ACCEPTED);
        }
        Handler h = handlers[ip.protocol()];
        if (h == null) {
            // RFC 1122 §3.2.2.1 suggests a protocol-unreachable error; we only count (as for a closed port
            // under a firewall) — the stack may build one with Icmp.error.
            stats.drop(DropReason.IP_UNKNOWN_PROTOCOL);
            return false;
        }
        if (ip.isFragment()) {
            if (reassembler == null) {
                stats.drop(DropReason.FRAGMENT_BAD);
                return false;
            }
            ByteBuffer whole = reassembler.offer(ip, now);
            if (whole == null) {
                return false;
            }
            ip = Ipv4Header.wrap(whole, 0);
        }
        stats.increment(IpStats.Counter.PACKETS_DELIVERED);
        h.deliver(ip, ip.buffer(), ip.payloadOffset(), ip.payloadLength(), now);
        return true;
    }

    /** 0.0.0.0, 255.255.255.255, 224.0.0.0/4 and 240.0.0.0/4 never name a sending host. */
    public static boolean isInvalidSource(int src) {
        return src == 0 || (src >>> 28) >= 0xE; // 0xE = multicast, 0xF = class E and limited broadcast
    }

    /** 224.0.0.0/4 or 255.255.255.255. */
    public static boolean isMulticastOrLimitedBroadcast(int dst) {
        return (dst >>> 28) == 0xE || dst == -1;
    }
}
