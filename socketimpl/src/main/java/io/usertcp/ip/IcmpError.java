package io.usertcp.ip;

import io.usertcp.wire.IcmpHeader;

/**
 * An ICMP error message, parsed: what happened and which of our packets it is about (RFC 792,
 * RFC 1122 §3.2.2, RFC 1191). The quoted fields come from the original datagram's IP header and its
 * first 8 data bytes, i.e. for TCP the ports and the sequence number of the segment we sent.
 *
 * @param type           ICMP type ({@link IcmpHeader#TYPE_DEST_UNREACHABLE}, time exceeded, …)
 * @param code           ICMP code ({@link IcmpHeader#CODE_FRAGMENTATION_NEEDED}, …)
 * @param mtu            next-hop MTU of a fragmentation-needed message (RFC 1191 §4), 0 when the router
 *                       did not say (pre-RFC 1191) or for other messages. Not clamped: the consumer
 *                       applies its own floor (RFC 1191 §3: 68).
 * @param quotedSrc      source of the datagram that caused the error (our address)
 * @param quotedDst      destination of that datagram (the peer)
 * @param quotedProtocol protocol of that datagram
 * @param quotedSrcPort  first 16 bits of its payload (our port, for TCP/UDP)
 * @param quotedDstPort  next 16 bits (the peer's port)
 * @param quotedSeq      bytes 4..7 of its payload (the TCP sequence number; RFC 5927 §4.1 suggests
 *                       checking it lies in SND.UNA..SND.NXT before acting on the error)
 */
public record IcmpError(int type, int code, int mtu, int quotedSrc, int quotedDst, int quotedProtocol,
                        int quotedSrcPort, int quotedDstPort, int quotedSeq) {

    /** Destination unreachable, code 4: fragmentation needed and DF set (RFC 1191). */
    public boolean isFragmentationNeeded() {
        return type == IcmpHeader.TYPE_DEST_UNREACHABLE && code == IcmpHeader.CODE_FRAGMENTATION_NEEDED;
    }

    /** Any destination-unreachable code. */
    public boolean isUnreachable() {
        return type == IcmpHeader.TYPE_DEST_UNREACHABLE;
    }

    @Override
    public String toString() {
        return "IcmpError[type=" + type + " code=" + code + (mtu != 0 ? " mtu=" + mtu : "") + " about "
                + io.usertcp.wire.Ipv4Header.addressToString(quotedSrc) + ":" + quotedSrcPort + " > "
                + io.usertcp.wire.Ipv4Header.addressToString(quotedDst) + ":" + quotedDstPort + " proto="
                + quotedProtocol + "]";
    }
}
