package io.usertcp.wire;

import java.nio.ByteBuffer;

/**
 * View of an ICMP message in place (RFC 792): the 8-byte header of echo request/reply and of the
 * error messages, and for errors the quoted original IP header plus its first 8 data bytes (enough
 * for the TCP ports).
 * <pre>
 * |     Type      |     Code      |          Checksum             |
 * |  Identifier / unused          | Sequence / next-hop MTU       |
 * |  echo data, or the original IP header + 64 bits of its data   |
 * </pre>
 */
public final class IcmpHeader {
    public static final int TYPE = 0, CODE = 1, CHECKSUM = 2, IDENTIFIER = 4, SEQUENCE = 6,
            NEXT_HOP_MTU = 6, QUOTED = 8;
    /** Header length; also the offset of echo data and of the quoted IP header. */
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0, TYPE_DEST_UNREACHABLE = 3, TYPE_SOURCE_QUENCH = 4,
            TYPE_REDIRECT = 5, TYPE_ECHO_REQUEST = 8, TYPE_TIME_EXCEEDED = 11, TYPE_PARAMETER_PROBLEM = 12;

    /** Destination-unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
    public static final int CODE_NET_UNREACHABLE = 0, CODE_HOST_UNREACHABLE = 1,
            CODE_PROTOCOL_UNREACHABLE = 2, CODE_PORT_UNREACHABLE = 3, CODE_FRAGMENTATION_NEEDED = 4,
            CODE_SOURCE_ROUTE_FAILED = 5, CODE_NET_UNKNOWN = 6, CODE_HOST_UNKNOWN = 7,
            CODE_NET_PROHIBITED = 9, CODE_HOST_PROHIBITED = 10, CODE_ADMIN_PROHIBITED = 13;

    private final ByteBuffer buf;
    private final int off;
    private final int len;

    private IcmpHeader(ByteBuffer buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    /** Unchecked view of {@code len} bytes. */
    public static IcmpHeader wrap(ByteBuffer buf, int off, int len) {
        return new IcmpHeader(buf, off, len);
    }

    /**
     * Checked view: at least 8 bytes ({@link DropReason#ICMP_TRUNCATED}) and a checksum over all
     * {@code len} bytes that verifies ({@link DropReason#ICMP_BAD_CHECKSUM}).
     */
    public static IcmpHeader parse(ByteBuffer buf, int off, int len) throws MalformedPacketException {
        if (len < HEADER_LENGTH || off < 0 || off + len > buf.limit()) {
            throw new MalformedPacketException(DropReason.ICMP_TRUNCATED);
        }
        if (!Checksum.verifies(Checksum.add(0, buf, off, len))) {
            throw new MalformedPacketException(DropReason.ICMP_BAD_CHECKSUM);
        }
        return new IcmpHeader(buf, off, len);
    }

    public ByteBuffer buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public int type() { return buf.get(off + TYPE) & 0xFF; }
    public int code() { return buf.get(off + CODE) & 0xFF; }
    public int checksum() { return Short.toUnsignedInt(buf.getShort(off + CHECKSUM)); }
    /** Echo identifier. */
    public int identifier() { return Short.toUnsignedInt(buf.getShort(off + IDENTIFIER)); }
    /** Echo sequence number. */
    public int sequence() { return Short.toUnsignedInt(buf.getShort(off + SEQUENCE)); }
    /** RFC 1191 §4: next-hop MTU of a fragmentation-needed message (0 from pre-RFC 1191 routers). */
    public int nextHopMtu() { return Short.toUnsignedInt(buf.getShort(off + NEXT_HOP_MTU)); }
    /** True for the error types that quote the original datagram (3, 4, 5, 11, 12). */
    public boolean isError() {
        return isErrorType(type());
    }

    /** True for the error types 3, 4, 5, 11, 12 (RFC 1122 §3.2.2). */
    public static boolean isErrorType(int t) {
        return t == TYPE_DEST_UNREACHABLE || t == TYPE_SOURCE_QUENCH || t == TYPE_REDIRECT
                || t == TYPE_TIME_EXCEEDED || t == TYPE_PARAMETER_PROBLEM;
    }

    /** Absolute offset of the echo data or quoted datagram. */
    public int dataOffset() { return off + HEADER_LENGTH; }
    /** Bytes after the 8-byte header. */
    public int dataLength() { return len - HEADER_LENGTH; }

    /** Length of the quoted IP header, or -1 when the quote is too short or not IPv4. */
    public int quotedHeaderLength() {
        if (dataLength() < Ipv4Header.MIN_LENGTH) {
            return -1;
        }
        int vihl = buf.get(dataOffset()) & 0xFF;
        int hl = (vihl & 0x0F) << 2;
        if ((vihl >>> 4) != 4 || hl < Ipv4Header.MIN_LENGTH || hl > dataLength()) {
            return -1;
        }
        return hl;
    }

    /**
     * True when the quoted datagram holds a full IPv4 header and at least 4 bytes of its payload
     * (the two ports); RFC 792 promises 8 bytes.
     */
    public boolean hasQuotedPorts() {
        int hl = quotedHeaderLength();
        return hl > 0 && dataLength() >= hl + 4;
    }

    /** The quoted IP header's source (our address, for errors about what we sent). */
    public int quotedSrc() { return buf.getInt(dataOffset() + Ipv4Header.SRC); }
    public int quotedDst() { return buf.getInt(dataOffset() + Ipv4Header.DST); }
    public int quotedProtocol() { return buf.get(dataOffset() + Ipv4Header.PROTOCOL) & 0xFF; }
    /** First 16 bits after the quoted header (TCP/UDP source port); check {@link #hasQuotedPorts()}. */
    public int quotedSrcPort() {
        return Short.toUnsignedInt(buf.getShort(dataOffset() + quotedHeaderLength()));
    }
    public int quotedDstPort() {
        return Short.toUnsignedInt(buf.getShort(dataOffset() + quotedHeaderLength() + 2));
    }
    /** The quoted TCP sequence number (bytes 4..7 of the quoted payload), when 8 bytes are quoted. */
    public boolean hasQuotedSeq() {
        int hl = quotedHeaderLength();
        return hl > 0 && dataLength() >= hl + 8;
    }
    public int quotedSeq() { return buf.getInt(dataOffset() + quotedHeaderLength() + 4); }

    public void setType(int t) { buf.put(off + TYPE, (byte) t); }
    public void setCode(int c) { buf.put(off + CODE, (byte) c); }
    /** Recomputes the checksum over the view's {@code len} bytes. */
    public void fillChecksum() {
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putShort(off + CHECKSUM, (short) Checksum.compute(buf, off, len));
    }

    @Override
    public String toString() {
        return "IcmpHeader[type=" + type() + " code=" + code() + " len=" + len + "]";
    }
}
