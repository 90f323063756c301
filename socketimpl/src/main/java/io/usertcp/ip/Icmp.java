package io.usertcp.ip;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import java.nio.ByteBuffer;

/**
 * ICMP for a host (RFC 792, RFC 1122 §3.2.2): builds echo replies and error messages into a buffer
 * the caller supplies, and parses received errors into {@link IcmpError}. Stateless.
 */
public final class Icmp {
    private Icmp() {}

    /** RFC 1122 §3.2.2 / RFC 792: the error quotes the internet header plus 64 bits of data. */
    public static final int QUOTED_DATA_BYTES = 8;
    /** Time exceeded, code 1: fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /**
     * Writes the echo reply to {@code request} (an echo request we received in a datagram addressed
     * to us) at {@code out[outOff]}: IP header from {@code output} (source = the request's destination,
     * destination = its source), type 0, same identifier, sequence and data (RFC 1122 §3.2.2.6: "The
     * data received in the ICMP Echo Request MUST be entirely included in the resulting Echo Reply").
     * Returns the packet length. {@code out} may be the request's own buffer only if the regions do not
     * overlap.
     */
    public static int echoReply(Ipv4Header requestIp, IcmpHeader request, ByteBuffer out, int outOff,
                                Ipv4Output output) {
        int len = request.length();
        int icmpOff = outOff + Ipv4Header.MIN_LENGTH;
        out.put(icmpOff, request.buffer(), request.offset(), len);
        out.put(icmpOff + IcmpHeader.TYPE, (byte) IcmpHeader.TYPE_ECHO_REPLY);
        out.put(icmpOff + IcmpHeader.CODE, (byte) 0);
        IcmpHeader.wrap(out, icmpOff, len).fillChecksum();
        return output.finish(out, outOff, Ipv4Header.PROTO_ICMP, requestIp.dst(), requestIp.src(), len);
    }

    /**
     * Writes an ICMP error of {@code type}/{@code code} about the datagram at
     * {@code original[origOff]} (its IP header and the first 8 data bytes are quoted) from {@code src}
     * to the original's source, at {@code out[outOff]}; returns the packet length. For
     * fragmentation-needed, {@code mtu} goes in the next-hop MTU field (RFC 1191 §4); otherwise pass 0.
     *
     * <p>The caller decides whether an error may be sent at all. RFC 1122 §3.2.2: "An ICMP error
     * message MUST NOT be sent as the result of receiving: an ICMP error message, or a datagram destined
     * to an IP broadcast or IP multicast address, ... a non-initial fragment" ({@link #mayAnswerWithError}
     * checks the datagram-local ones).
     */
    public static int error(int type, int code, int mtu, ByteBuffer original, int origOff, int src,
                            ByteBuffer out, int outOff, Ipv4Output output) {
        Ipv4Header orig = Ipv4Header.wrap(original, origOff);
        int quoted = orig.headerLength() + Math.min(QUOTED_DATA_BYTES, Math.max(0, orig.payloadLength()));
        int icmpOff = outOff + Ipv4Header.MIN_LENGTH;
        int len = IcmpHeader.HEADER_LENGTH + quoted;
        out.put(icmpOff + IcmpHeader.TYPE, (byte) type);
        out.put(icmpOff + IcmpHeader.CODE, (byte) code);
        out.putShort(icmpOff + IcmpHeader.CHECKSUM, (short) 0);
        out.putShort(icmpOff + IcmpHeader.IDENTIFIER, (short) 0);
        out.putShort(icmpOff + IcmpHeader.NEXT_HOP_MTU, (short) mtu);
        out.put(icmpOff + IcmpHeader.QUOTED, original, origOff, quoted);
        IcmpHeader.wrap(out, icmpOff, len).fillChecksum();
        return output.finish(out, outOff, Ipv4Header.PROTO_ICMP, src, orig.src(), len);
    }

    /**
     * RFC 1122 §3.2.2: false when the datagram is itself an ICMP error, a non-initial fragment, or
     * was sent to a broadcast/multicast address or from an address that does not name one host.
     * (Broadcast to a subnet's directed-broadcast address is the caller's to check.)
     */
    public static boolean mayAnswerWithError(Ipv4Header ip) {
        int dst = ip.dst();
        int src = ip.src();
        if (Ipv4Input.isMulticastOrLimitedBroadcast(dst) || Ipv4Input.isInvalidSource(src)) {
            return false;
        }
        if (ip.fragmentOffset() != 0) {
            return false;
        }
        if (ip.protocol() == Ipv4Header.PROTO_ICMP) {
            if (ip.payloadLength() < 1) {
                return false;
            }
            int t = ip.buffer().get(ip.payloadOffset()) & 0xFF;
            return !IcmpHeader.isErrorType(t);
        }
        return true;
    }

    /**
     * Parses an ICMP error message ({@code len} bytes of ICMP at {@code off}, checksum already
     * verified by {@link IcmpHeader#parse}). Accepts destination unreachable, time exceeded,
     * parameter problem and source quench that quote an IPv4 header plus at least 8 data bytes.
     *
     * @throws MalformedPacketException {@link DropReason#ICMP_UNSUPPORTED} for other types,
     *         {@link DropReason#ICMP_TRUNCATED} when the quote is too short or not IPv4
     */
    public static IcmpError parseError(IcmpHeader icmp) throws MalformedPacketException {
        if (!icmp.isError() || icmp.type() == IcmpHeader.TYPE_REDIRECT) {
            throw new MalformedPacketException(DropReason.ICMP_UNSUPPORTED);
        }
        // RFC 1122 §3.2.2: errors carry "the internet header and at least the first 8 data octets"
        if (!icmp.hasQuotedSeq()) {
            throw new MalformedPacketException(DropReason.ICMP_TRUNCATED);
        }
        int mtu = icmp.type() == IcmpHeader.TYPE_DEST_UNREACHABLE
                && icmp.code() == IcmpHeader.CODE_FRAGMENTATION_NEEDED ? icmp.nextHopMtu() : 0;
        return new IcmpError(icmp.type(), icmp.code(), mtu, icmp.quotedSrc(), icmp.quotedDst(),
                icmp.quotedProtocol(), icmp.quotedSrcPort(), icmp.quotedDstPort(), icmp.quotedSeq());
    }

    /** Convenience: checks (length, checksum) and parses an error in one step. */
    public static IcmpError parseError(ByteBuffer buf, int off, int len) throws MalformedPacketException {
        return parseError(IcmpHeader.parse(buf, off, len));
    }
}
