package io.usertcp.wire;

import java.nio.ByteBuffer;

/**
 * View of a TCP header in place over a {@link ByteBuffer}; no copy, absolute gets/puts only.
 * RFC 9293 §3.1 (header format):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * |                           [Options]                           |
 * </pre>
 * {@link #parse} checks length and data offset (for input); {@link #wrap} does not (for emission into
 * a buffer we sized). Checksum helpers take the pseudo-header addresses.
 */
public final class TcpHeader {
    public static final int SRC_PORT = 0, DST_PORT = 2, SEQ_NUM = 4, ACK_NUM = 8, DATA_OFFSET = 12,
            FLAGS = 13, WINDOW = 14, CHECKSUM = 16, URGENT_PTR = 18, OPTIONS = 20;
    /** Minimal header length; also the offset of the options. */
    public static final int MIN_LENGTH = 20;
    /** Largest header: data offset 15 words. */
    public static final int MAX_LENGTH = 60;
    /** Most option bytes a header can carry (MAX_LENGTH - MIN_LENGTH). */
    public static final int MAX_OPTIONS_LENGTH = 40;

    public static final int FLAG_FIN = 0x01, FLAG_SYN = 0x02, FLAG_RST = 0x04, FLAG_PSH = 0x08,
            FLAG_ACK = 0x10, FLAG_URG = 0x20, FLAG_ECE = 0x40, FLAG_CWR = 0x80;
    /** Mask of all eight control bits in the FLAGS byte. */
    public static final int FLAGS_MASK = 0xFF;
    /** The four reserved bits, in the low nibble of the DATA_OFFSET byte. */
    public static final int RESERVED_MASK = 0x0F;

    private final ByteBuffer buf;
    private final int off;

    private TcpHeader(ByteBuffer buf, int off) {
        this.buf = buf;
        this.off = off;
    }

    /** Unchecked view at {@code off}, for writing a header into a buffer the caller sized. */
    public static TcpHeader wrap(ByteBuffer buf, int off) {
        return new TcpHeader(buf, off);
    }

    /**
     * Checked view of a segment of {@code len} bytes at {@code off}: at least 20 bytes, data offset ≥ 5
     * words and within the segment. Does not verify the checksum (see {@link #verifyChecksum}).
     */
    public static TcpHeader parse(ByteBuffer buf, int off, int len) throws MalformedPacketException {
        if (len < MIN_LENGTH || off < 0 || off + len > buf.limit()) {
            throw new MalformedPacketException(DropReason.TCP_TRUNCATED);
        }
        TcpHeader h = new TcpHeader(buf, off);
        int hl = h.headerLength();
        if (hl < MIN_LENGTH || hl > len) {
            throw new MalformedPacketException(DropReason.BAD_TCP_DATA_OFFSET);
        }
        return h;
    }

    public ByteBuffer buffer() { return buf; }
    public int offset() { return off; }

    public int srcPort() { return Short.toUnsignedInt(buf.getShort(off + SRC_PORT)); }
    public int dstPort() { return Short.toUnsignedInt(buf.getShort(off + DST_PORT)); }
    /** Raw 32 bits; compare through {@link Seq}. */
    public int seqNum() { return buf.getInt(off + SEQ_NUM); }
    /** Raw 32 bits; meaningful only with ACK. */
    public int ackNum() { return buf.getInt(off + ACK_NUM); }
    /** Data offset in 32-bit words (4 bits). */
    public int dataOffsetWords() { return (buf.get(off + DATA_OFFSET) & 0xF0) >>> 4; }
    /** Header length in bytes (data offset × 4). */
    public int headerLength() { return (buf.get(off + DATA_OFFSET) & 0xF0) >>> 2; }
    /** The four reserved bits (0 in any segment a conforming peer generates). */
    public int reservedBits() { return buf.get(off + DATA_OFFSET) & RESERVED_MASK; }
    /** The eight control bits, {@code FLAG_*}. */
    public int flags() { return buf.get(off + FLAGS) & FLAGS_MASK; }
    public boolean fin() { return (buf.get(off + FLAGS) & FLAG_FIN) != 0; }
    public boolean syn() { return (buf.get(off + FLAGS) & FLAG_SYN) != 0; }
    public boolean rst() { return (buf.get(off + FLAGS) & FLAG_RST) != 0; }
    public boolean psh() { return (buf.get(off + FLAGS) & FLAG_PSH) != 0; }
    public boolean ack() { return (buf.get(off + FLAGS) & FLAG_ACK) != 0; }
    public boolean urg() { return (buf.get(off + FLAGS) & FLAG_URG) != 0; }
    public int window() { return Short.toUnsignedInt(buf.getShort(off + WINDOW)); }
    public int checksum() { return Short.toUnsignedInt(buf.getShort(off + CHECKSUM)); }
    public int urgentPointer() { return Short.toUnsignedInt(buf.getShort(off + URGENT_PTR)); }
    /** Offset (absolute, in the buffer) of the first option byte. */
    public int optionsOffset() { return off + OPTIONS; }
    /** Number of option bytes (header length - 20). */
    public int optionsLength() { return headerLength() - MIN_LENGTH; }

    public void setSrcPort(int port) { buf.putShort(off + SRC_PORT, (short) port); }
    public void setDstPort(int port) { buf.putShort(off + DST_PORT, (short) port); }
    public void setSeqNum(int seq) { buf.putInt(off + SEQ_NUM, seq); }
    public void setAckNum(int ack) { buf.putInt(off + ACK_NUM, ack); }
    /** Sets the data offset from a header length in bytes (multiple of 4, 20..60); reserved bits 0. */
    public void setHeaderLength(int bytes) { buf.put(off + DATA_OFFSET, (byte) ((bytes >>> 2) << 4)); }
    public void setFlags(int flags) { buf.put(off + FLAGS, (byte) flags); }
    public void setWindow(int w) { buf.putShort(off + WINDOW, (short) w); }
    public void setChecksum(int c) { buf.putShort(off + CHECKSUM, (short) c); }
    public void setUrgentPointer(int p) { buf.putShort(off + URGENT_PTR, (short) p); }

    /**
     * True when the checksum over the pseudo-header and the {@code len} bytes of the segment
     * (header + payload) verifies. RFC 9293 §3.1: the checksum covers "a 96-bit pseudo-header".
     */
    public boolean verifyChecksum(int srcIp, int dstIp, int len) {
        long acc = Checksum.pseudoHeader(srcIp, dstIp, Checksum.PROTO_TCP, len);
        return Checksum.verifies(Checksum.add(acc, buf, off, len));
    }

    /** Computes and stores the checksum over the pseudo-header and the {@code len} segment bytes. */
    public void fillChecksum(int srcIp, int dstIp, int len) {
        setChecksum(0);
        long acc = Checksum.pseudoHeader(srcIp, dstIp, Checksum.PROTO_TCP, len);
        setChecksum(Checksum.finish(Checksum.add(acc, buf, off, len)));
    }

    /**
     * Stores the folded, uncomplemented pseudo-header sum for {@code len} segment bytes: what a
     * link with checksum offload expects before it sums the segment from this header on and
     * stores the complement (Linux {@code ~tcp_v4_check(len, saddr, daddr, 0)}).
     */
    public void fillPseudoHeaderChecksum(int srcIp, int dstIp, int len) {
        setChecksum(Checksum.fold(Checksum.pseudoHeader(srcIp, dstIp, Checksum.PROTO_TCP, len)));
    }

    /** Flag names as tcpdump-like text: {@code "SYN,ACK"}; {@code "none"} when no flag is set. */
    public static String flagsToString(int flags) {
        StringBuilder sb = new StringBuilder(16);
        appendFlag(sb, flags, FLAG_SYN, "SYN");
        appendFlag(sb, flags, FLAG_FIN, "FIN");
        appendFlag(sb, flags, FLAG_RST, "RST");
        appendFlag(sb, flags, FLAG_PSH, "PSH");
        appendFlag(sb, flags, FLAG_ACK, "ACK");
        appendFlag(sb, flags, FLAG_URG, "URG");
        appendFlag(sb, flags, FLAG_ECE, "ECE");
        appendFlag(sb, flags, FLAG_CWR, "CWR");
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static void appendFlag(StringBuilder sb, int flags, int bit, String name) {
        if ((flags & bit) != 0) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(name);
        }
    }

    @Override
    public String toString() {
        return "TcpHeader[" + srcPort() + " > " + dstPort() + " " + flagsToString(flags()) + " seq="
                + Integer.toUnsignedString(seqNum()) + " ack=" + Integer.toUnsignedString(ackNum())
                + " win=" + window() + " hl=" + headerLength() + "]";
    }
}
