package io.usertcp.wire;

import java.nio.ByteBuffer;

/**
 * View of an IPv4 header in place (RFC 791 §3.1); absolute gets/puts only.
 * <pre>
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options                    |    Padding    |
 * </pre>
 * {@link #parse} validates for input; {@link #emit} writes a 20-byte header with DF and checksum.
 */
public final class Ipv4Header {
    public static final int VERSION_IHL = 0, TOS = 1, TOTAL_LENGTH = 2, IDENTIFICATION = 4,
            FLAGS_FRAGMENT = 6, TTL = 8, PROTOCOL = 9, CHECKSUM = 10, SRC = 12, DST = 16;
    /** Header without options. */
    public static final int MIN_LENGTH = 20;
    /** IHL 15. */
    public static final int MAX_LENGTH = 60;
    /** Largest datagram (16-bit total length). */
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;

    /** Flag bits in the 16-bit flags/fragment-offset word. */
    public static final int FLAG_RESERVED = 0x8000, FLAG_DF = 0x4000, FLAG_MF = 0x2000;
    /** Fragment offset (in 8-byte units) mask. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    public static final int PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17;
    /** RFC 1122 §3.2.1.7 / IANA: the default TTL we send with. */
    public static final int DEFAULT_TTL = 64;

    private ByteBuffer buf;
    private int off;

    private Ipv4Header(ByteBuffer buf, int off) {
        this.buf = buf;
        this.off = off;
    }

    /** Unchecked view (for headers we built or already validated). */
    public static Ipv4Header wrap(ByteBuffer buf, int off) {
        return new Ipv4Header(buf, off);
    }

    /**
     * Checked view of a packet of {@code len} bytes at {@code off}. RFC 1122 §3.2.1.1–§3.2.1.2: a
     * datagram whose version is not 4 or whose header checksum fails "MUST be silently discarded".
     * Checks in order: len ≥ 20 ({@link DropReason#IP_TRUNCATED}), version 4, IHL ≥ 5 and
     * header ≤ len, header ≤ total length ≤ len, header checksum. Bytes after total length (link
     * padding) are ignored: use {@link #totalLength()}, not {@code len}.
     */
    public static Ipv4Header parse(ByteBuffer buf, int off, int len) throws MalformedPacketException {
        return parseInto(null, buf, off, len);
    }

    /**
     * {@link #parse} that re-points the view {@code into} (made by {@link #wrap}) at the packet instead
     * of allocating one (the per-packet input path keeps one view); null allocates. On
     * {@link MalformedPacketException} {@code into} is left pointing at the bad packet.
     */
    public static Ipv4Header parseInto(Ipv4Header into, ByteBuffer buf, int off, int len) throws MalformedPacketException {
        if (len < MIN_LENGTH || off < 0 || off + len > buf.limit()) {
            throw new MalformedPacketException(DropReason.IP_TRUNCATED);
        }
        Ipv4Header h;
        if (into == null) {
            h = new Ipv4Header(buf, off);
        } else {
            h = into;
            h.buf = buf;
            h.off = off;
        }
        // RFC 1122 §3.2.1.1: "A datagram whose version number is not 4 MUST be silently discarded."
        if (h.version() != 4) {
            throw new MalformedPacketException(DropReason.IP_BAD_VERSION);
        }
        int hl = h.headerLength();
        if (hl < MIN_LENGTH || hl > len) {
            throw new MalformedPacketException(DropReason.IP_BAD_HEADER_LENGTH);
        }
        int total = h.totalLength();
        if (total < hl || total > len) {
            throw new MalformedPacketException(DropReason.IP_BAD_TOTAL_LENGTH);
        }
        // RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on every received datagram
        // and silently discard every datagram that has a bad checksum."
        if (!Checksum.verifies(Checksum.add(0, buf, off, hl))) {
            throw new MalformedPacketException(DropReason.IP_BAD_CHECKSUM);
        }
        return h;
    }

    /**
     * Writes a 20-byte header (no options) at {@code off}: version 4, IHL 5, DF set, fragment offset 0,
     * total length 20 + payloadLength, and the header checksum. Returns 20.
     * RFC 1122 §3.2.1.7: "A host MUST NOT send a datagram with a Time-to-Live (TTL) value of zero."
     */
    public static int emit(ByteBuffer buf, int off, int tos, int id, int ttl, int protocol, int src, int dst,
                           int payloadLength) {
        if (ttl <= 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl " + ttl);
        }
        if (payloadLength < 0 || payloadLength > MAX_TOTAL_LENGTH - MIN_LENGTH) {
            throw new IllegalArgumentException("payloadLength " + payloadLength);
        }
        buf.put(off + VERSION_IHL, (byte) 0x45);
        buf.put(off + TOS, (byte) tos);
        buf.putShort(off + TOTAL_LENGTH, (short) (MIN_LENGTH + payloadLength));
        buf.putShort(off + IDENTIFICATION, (short) id);
        // RFC 1191 §3 / CONFORMANCE C6.2: we always set DF (path MTU discovery), never fragment.
        buf.putShort(off + FLAGS_FRAGMENT, (short) FLAG_DF);
        buf.put(off + TTL, (byte) ttl);
        buf.put(off + PROTOCOL, (byte) protocol);
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putInt(off + SRC, src);
        buf.putInt(off + DST, dst);
        buf.putShort(off + CHECKSUM, (short) Checksum.compute(buf, off, MIN_LENGTH));
        return MIN_LENGTH;
    }

    public ByteBuffer buffer() { return buf; }
    public int offset() { return off; }

    public int version() { return (buf.get(off + VERSION_IHL) & 0xF0) >>> 4; }
    /** Header length in bytes (IHL × 4). */
    public int headerLength() { return (buf.get(off + VERSION_IHL) & 0x0F) << 2; }
    public int tos() { return buf.get(off + TOS) & 0xFF; }
    public int totalLength() { return Short.toUnsignedInt(buf.getShort(off + TOTAL_LENGTH)); }
    /** Bytes after the header: total length − header length. */
    public int payloadLength() { return totalLength() - headerLength(); }
    /** Absolute offset of the payload in the buffer. */
    public int payloadOffset() { return off + headerLength(); }
    public int identification() { return Short.toUnsignedInt(buf.getShort(off + IDENTIFICATION)); }
    private int flagsFragment() { return Short.toUnsignedInt(buf.getShort(off + FLAGS_FRAGMENT)); }
    public boolean reservedFlag() { return (flagsFragment() & FLAG_RESERVED) != 0; }
    public boolean dontFragment() { return (flagsFragment() & FLAG_DF) != 0; }
    public boolean moreFragments() { return (flagsFragment() & FLAG_MF) != 0; }
    /** Fragment offset in bytes (the field × 8). */
    public int fragmentOffset() { return (flagsFragment() & FRAGMENT_OFFSET_MASK) << 3; }
    /** True when this is a fragment (MF set or offset ≠ 0). */
    public boolean isFragment() { return (flagsFragment() & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0; }
    public int ttl() { return buf.get(off + TTL) & 0xFF; }
    public int protocol() { return buf.get(off + PROTOCOL) & 0xFF; }
    public int checksum() { return Short.toUnsignedInt(buf.getShort(off + CHECKSUM)); }
    public int src() { return buf.getInt(off + SRC); }
    public int dst() { return buf.getInt(off + DST); }

    public void setTotalLength(int v) { buf.putShort(off + TOTAL_LENGTH, (short) v); }
    public void setIdentification(int v) { buf.putShort(off + IDENTIFICATION, (short) v); }
    public void setTtl(int v) { buf.put(off + TTL, (byte) v); }
    public void setSrc(int v) { buf.putInt(off + SRC, v); }
    public void setDst(int v) { buf.putInt(off + DST, v); }
    /** Recomputes the header checksum over {@link #headerLength()} bytes. */
    public void fillChecksum() {
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putShort(off + CHECKSUM, (short) Checksum.compute(buf, off, headerLength()));
    }

    /** Dotted-quad text of an address int. */
    public static String addressToString(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    /** The address int of four octets, e.g. {@code address(198, 18, 0, 1)} = 0xC6120001. */
    public static int address(int a, int b, int c, int d) {
        return (a << 24) | ((b & 0xFF) << 16) | ((c & 0xFF) << 8) | (d & 0xFF);
    }

    @Override
    public String toString() {
        return "Ipv4Header[" + addressToString(src()) + " > " + addressToString(dst()) + " proto="
                + protocol() + " len=" + totalLength() + " id=" + identification() + " ttl=" + ttl()
                + (dontFragment() ? " DF" : "") + (moreFragments() ? " MF" : "")
                + (fragmentOffset() != 0 ? " off=" + fragmentOffset() : "") + "]";
    }
}
