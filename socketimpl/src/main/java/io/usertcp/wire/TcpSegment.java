package io.usertcp.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One TCP segment, parsed: the record the engine works on and tests compare (RFC 9293 §3.1).
 *
 * @param srcPort       0..65535
 * @param dstPort       0..65535
 * @param seq           sequence number (raw 32 bits; compare through {@link Seq})
 * @param ack           acknowledgment number; meaningful only with {@link TcpHeader#FLAG_ACK}
 * @param flags         the eight control bits, {@code TcpHeader.FLAG_*}
 * @param window        the raw (unscaled) 16-bit window
 * @param urgentPointer the raw 16-bit urgent pointer; meaningful only with URG
 * @param options       parsed options, {@link TcpOptions#NONE} when none
 * @param payload       the data, from {@code position()} to {@code limit()}. For a parsed segment it is a
 *                      zero-copy slice of the receive buffer (position 0, limit = length), valid only
 *                      while the packet is being processed: copy what you keep.
 *
 * <p>{@link #parse} never yields an impossible segment: it rejects a short header, a bad data offset,
 * a bad checksum, SYN+FIN, SYN+RST and malformed options. The canonical constructor only checks field
 * ranges, so tests can still build (and emit) an impossible segment on purpose.
 *
 * <p><b>Reserved bits.</b> RFC 9293 §3.1: "Rsrvd - Reserved: 4 bits. A set of control bits reserved for
 * future use. Must be zero in generated segments and must be ignored in received segments, if the
 * corresponding future features are not implemented by the sending or receiving host." That is
 * normative text of the base spec, and the bit now carries AccECN's AE flag (RFC 9768) that a Linux
 * peer may set; so {@link #parse} ignores reserved bits (as Linux does) instead of dropping the segment
 * as CONFORMANCE C7.2 first suggested. The stack counts them with {@link #hasReservedBits}; emitted
 * segments always carry zeros.
 *
 * <p><b>Value class, and transient holders.</b> A segment built by the constructor, the builder or
 * {@link #parse} is immutable and compared by value, as a record is (it was one; the accessors, the
 * canonical constructor, {@code equals}, {@code hashCode} and {@code toString} are unchanged). The
 * engine's per-packet paths instead reuse a <em>transient holder</em> ({@link #newTransient()}),
 * refilled in place by {@link #parseInto} and {@link #set} so that receiving and sending a segment
 * allocates nothing. A transient segment is valid only during the call it is passed to — exactly as
 * its payload always was — so whoever wants to keep one takes a {@link #copy()}.
 */
public final class TcpSegment {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private int srcPort, dstPort, seq, ack, flags, window, urgentPointer;
    private TcpOptions options;
    private ByteBuffer payload;
    private final boolean transientHolder;

    /** The canonical constructor: an immutable segment (field ranges checked). */
    public TcpSegment(int srcPort, int dstPort, int seq, int ack, int flags, int window,
                      int urgentPointer, TcpOptions options, ByteBuffer payload) {
        checkU16(srcPort, "srcPort");
        checkU16(dstPort, "dstPort");
        checkU16(window, "window");
        checkU16(urgentPointer, "urgentPointer");
        if ((flags & ~TcpHeader.FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("flags " + flags);
        }
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(payload, "payload");
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.seq = seq;
        this.ack = ack;
        this.flags = flags;
        this.window = window;
        this.urgentPointer = urgentPointer;
        this.options = options;
        this.payload = payload;
        this.transientHolder = false;
    }

    private TcpSegment() {
        this.options = TcpOptions.NONE;
        this.payload = EMPTY;
        this.transientHolder = true;
    }

    /**
     * A reusable holder for the engine's per-packet paths: filled by {@link #parseInto} or
     * {@link #set}, valid only during the call it is handed to (see the class comment).
     */
    public static TcpSegment newTransient() {
        return new TcpSegment();
    }

    /** True for a {@link #newTransient()} holder: keep a {@link #copy()}, never the segment itself. */
    public boolean isTransient() {
        return transientHolder;
    }

    /**
     * An immutable copy that may be kept: this segment itself when it is not transient; else the
     * fields, a copy of the options and a copy of the payload bytes.
     */
    public TcpSegment copy() {
        if (!transientHolder) {
            return this;
        }
        ByteBuffer p = EMPTY;
        int n = payload.remaining();
        if (n > 0) {
            byte[] b = new byte[n];
            payload.get(payload.position(), b, 0, n);
            p = ByteBuffer.wrap(b);
        }
        return new TcpSegment(srcPort, dstPort, seq, ack, flags, window, urgentPointer, options.copy(), p);
    }

    /**
     * Refills a transient holder (no range checks beyond the constructor's masks: the engine sets
     * values it computed). {@code options} and {@code payload} are referenced, not copied.
     */
    public TcpSegment set(int srcPort, int dstPort, int seq, int ack, int flags, int window,
                          int urgentPointer, TcpOptions options, ByteBuffer payload) {
        checkTransient();
        this.srcPort = srcPort & 0xFFFF;
        this.dstPort = dstPort & 0xFFFF;
        this.seq = seq;
        this.ack = ack;
        this.flags = flags & TcpHeader.FLAGS_MASK;
        this.window = window & 0xFFFF;
        this.urgentPointer = urgentPointer & 0xFFFF;
        this.options = options;
        this.payload = payload;
        return this;
    }

    private void checkTransient() {
        if (!transientHolder) {
            throw new IllegalStateException("an immutable TcpSegment cannot be refilled");
        }
    }

    public int srcPort() { return srcPort; }
    public int dstPort() { return dstPort; }
    /** Sequence number (raw 32 bits; compare through {@link Seq}). */
    public int seq() { return seq; }
    /** Acknowledgment number; meaningful only with {@link TcpHeader#FLAG_ACK}. */
    public int ack() { return ack; }
    /** The eight control bits, {@code TcpHeader.FLAG_*}. */
    public int flags() { return flags; }
    /** The raw (unscaled) 16-bit window. */
    public int window() { return window; }
    /** The raw 16-bit urgent pointer; meaningful only with URG. */
    public int urgentPointer() { return urgentPointer; }
    /** Parsed options, {@link TcpOptions#NONE} when none. */
    public TcpOptions options() { return options; }
    /** The data, from {@code position()} to {@code limit()}; see the class comment for its lifetime. */
    public ByteBuffer payload() { return payload; }

    private static void checkU16(int v, String name) {
        if ((v & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(name + " " + v);
        }
    }

    // ------------------------------------------------------------------ parse

    /**
     * Parses and checks the {@code len} bytes of a TCP segment at {@code off} that arrived from
     * {@code srcIp} to {@code dstIp}. Checks, in order: length ≥ 20, 5 ≤ data offset ≤ len, the checksum
     * over the pseudo-header, impossible flags, options. The payload is a slice of {@code buf}.
     *
     * @throws MalformedPacketException with the {@link DropReason} to count
     */
    public static TcpSegment parse(ByteBuffer buf, int off, int len, int srcIp, int dstIp)
            throws MalformedPacketException {
        return parse(buf, off, len, srcIp, dstIp, true);
    }

    /**
     * As {@link #parse(ByteBuffer, int, int, int, int)}; with {@code verifyChecksum} false the
     * checksum is not checked, for a packet whose link vouches for it (offload: the local kernel
     * made it and left the field partial, or verified it — {@code GsoInfo.checksumTrusted()}).
     */
    public static TcpSegment parse(ByteBuffer buf, int off, int len, int srcIp, int dstIp, boolean verifyChecksum)
            throws MalformedPacketException {
        checkHeader(buf, off, len, srcIp, dstIp, verifyChecksum);
        int hl = (buf.get(off + TcpHeader.DATA_OFFSET) & 0xF0) >>> 2;
        TcpOptions options = TcpOptions.parse(buf, off + TcpHeader.MIN_LENGTH, hl - TcpHeader.MIN_LENGTH);
        ByteBuffer payload = hl == len ? EMPTY : buf.slice(off + hl, len - hl);
        return new TcpSegment(u16(buf, off + TcpHeader.SRC_PORT), u16(buf, off + TcpHeader.DST_PORT),
                buf.getInt(off + TcpHeader.SEQ_NUM), buf.getInt(off + TcpHeader.ACK_NUM),
                buf.get(off + TcpHeader.FLAGS) & TcpHeader.FLAGS_MASK, u16(buf, off + TcpHeader.WINDOW),
                u16(buf, off + TcpHeader.URGENT_PTR), options, payload);
    }

    /**
     * {@link #parse} into a transient holder and its transient {@code options} holder, allocating
     * nothing: the same checks, in the same order. The payload is {@code payloadView} — a view of the
     * same memory as {@code buf} (e.g. {@code buf.duplicate()}, made once per receive buffer) — with
     * its position and limit set to the data; when {@code payloadView} is null, a slice (allocated).
     *
     * @throws MalformedPacketException with the {@link DropReason} to count; the holders are then
     *         undefined
     */
    public static TcpSegment parseInto(TcpSegment into, TcpOptions options, ByteBuffer buf, int off, int len,
                                       int srcIp, int dstIp, ByteBuffer payloadView) throws MalformedPacketException {
        return parseInto(into, options, buf, off, len, srcIp, dstIp, payloadView, true);
    }

    /** As {@link #parseInto(TcpSegment, TcpOptions, ByteBuffer, int, int, int, int, ByteBuffer)}, without the checksum check when {@code verifyChecksum} is false (see {@link #parse(ByteBuffer, int, int, int, int, boolean)}). */
    public static TcpSegment parseInto(TcpSegment into, TcpOptions options, ByteBuffer buf, int off, int len,
                                       int srcIp, int dstIp, ByteBuffer payloadView, boolean verifyChecksum)
            throws MalformedPacketException {
        into.checkTransient();
        checkHeader(buf, off, len, srcIp, dstIp, verifyChecksum);
        int hl = (buf.get(off + TcpHeader.DATA_OFFSET) & 0xF0) >>> 2;
        TcpOptions o = TcpOptions.parseInto(options, buf, off + TcpHeader.MIN_LENGTH, hl - TcpHeader.MIN_LENGTH);
        ByteBuffer payload;
        if (hl == len) {
            payload = EMPTY;
        } else if (payloadView != null) {
            payload = payloadView.limit(off + len).position(off + hl);
        } else {
            payload = buf.slice(off + hl, len - hl);
        }
        into.srcPort = u16(buf, off + TcpHeader.SRC_PORT);
        into.dstPort = u16(buf, off + TcpHeader.DST_PORT);
        into.seq = buf.getInt(off + TcpHeader.SEQ_NUM);
        into.ack = buf.getInt(off + TcpHeader.ACK_NUM);
        into.flags = buf.get(off + TcpHeader.FLAGS) & TcpHeader.FLAGS_MASK;
        into.window = u16(buf, off + TcpHeader.WINDOW);
        into.urgentPointer = u16(buf, off + TcpHeader.URGENT_PTR);
        into.options = o;
        into.payload = payload;
        return into;
    }

    private static int u16(ByteBuffer buf, int i) {
        return Short.toUnsignedInt(buf.getShort(i));
    }

    /** Length, data offset, checksum and impossible flags ({@link #parse}'s checks before the options). */
    private static void checkHeader(ByteBuffer buf, int off, int len, int srcIp, int dstIp, boolean verifyChecksum)
            throws MalformedPacketException {
        // TcpHeader.parse's checks, without a view object (this runs for every received segment).
        if (len < TcpHeader.MIN_LENGTH || off < 0 || off + len > buf.limit()) {
            throw new MalformedPacketException(DropReason.TCP_TRUNCATED);
        }
        int hl = (buf.get(off + TcpHeader.DATA_OFFSET) & 0xF0) >>> 2;
        if (hl < TcpHeader.MIN_LENGTH || hl > len) {
            throw new MalformedPacketException(DropReason.BAD_TCP_DATA_OFFSET);
        }
        // RFC 9293 §3.1: "The sender MUST generate it (MUST-2) and the receiver MUST check it (MUST-3)."
        // (With checksum offload the link below has checked it, or the packet never left this host.)
        if (verifyChecksum && !Checksum.verifies(Checksum.add(
                Checksum.pseudoHeader(srcIp, dstIp, Checksum.PROTO_TCP, len), buf, off, len))) {
            throw new MalformedPacketException(DropReason.BAD_TCP_CHECKSUM);
        }
        int flags = buf.get(off + TcpHeader.FLAGS) & TcpHeader.FLAGS_MASK;
        // CONFORMANCE C7.2: SYN+FIN and SYN+RST cannot be generated by a conforming TCP; drop
        // them (Linux drops SYN+FIN in tcp_rcv_state_process paths and never answers them).
        if ((flags & TcpHeader.FLAG_SYN) != 0
                && (flags & (TcpHeader.FLAG_FIN | TcpHeader.FLAG_RST)) != 0) {
            throw new MalformedPacketException(DropReason.BAD_TCP_FLAGS);
        }
    }

    /** True when the header at {@code off} has any of the four reserved bits set (for counting). */
    public static boolean hasReservedBits(ByteBuffer buf, int off) {
        return (buf.get(off + TcpHeader.DATA_OFFSET) & TcpHeader.RESERVED_MASK) != 0;
    }

    // ------------------------------------------------------------------ emit

    /** Header length with options, in bytes (20..60). */
    public int headerLength() {
        return TcpHeader.MIN_LENGTH + options.length();
    }

    /** Payload bytes ({@code payload.remaining()}). */
    public int payloadLength() {
        return payload.remaining();
    }

    /** Total bytes {@link #emit} writes. */
    public int length() {
        return headerLength() + payloadLength();
    }

    /** Sequence space consumed: payload + 1 for SYN + 1 for FIN (RFC 9293 §3.4 SEG.LEN). */
    public int seqLength() {
        return payloadLength() + ((flags & TcpHeader.FLAG_SYN) != 0 ? 1 : 0)
                + ((flags & TcpHeader.FLAG_FIN) != 0 ? 1 : 0);
    }

    /**
     * Writes header, options, payload and checksum at {@code off} with absolute puts; returns the byte
     * count ({@link #length()}). The caller makes sure {@code out} has room. The payload's position and
     * limit do not move. The ack field is written as given even without ACK (use 0 then).
     */
    public int emit(ByteBuffer out, int off, int srcIp, int dstIp) {
        return emit(out, off, srcIp, dstIp, false);
    }

    /**
     * As {@link #emit(ByteBuffer, int, int, int)}; with {@code partialChecksum} the checksum field
     * gets only the folded pseudo-header sum (not complemented), for a link with checksum offload
     * to complete over the header and payload (Linux CHECKSUM_PARTIAL, virtio NEEDS_CSUM with
     * csum_offset {@link TcpHeader#CHECKSUM}). The payload is not read twice.
     */
    public int emit(ByteBuffer out, int off, int srcIp, int dstIp, boolean partialChecksum) {
        int optLen = options.length();
        int hl = TcpHeader.MIN_LENGTH + optLen;
        int plen = payload.remaining();
        // TcpHeader's setters, without a view object (this runs for every segment sent).
        out.putShort(off + TcpHeader.SRC_PORT, (short) srcPort);
        out.putShort(off + TcpHeader.DST_PORT, (short) dstPort);
        out.putInt(off + TcpHeader.SEQ_NUM, seq);
        out.putInt(off + TcpHeader.ACK_NUM, ack);
        // RFC 9293 §3.1: reserved bits "must be zero in generated segments"
        out.put(off + TcpHeader.DATA_OFFSET, (byte) ((hl >>> 2) << 4));
        out.put(off + TcpHeader.FLAGS, (byte) flags);
        out.putShort(off + TcpHeader.WINDOW, (short) window);
        out.putShort(off + TcpHeader.CHECKSUM, (short) 0);
        out.putShort(off + TcpHeader.URGENT_PTR, (short) urgentPointer);
        if (optLen > 0) {
            options.emit(out, off + TcpHeader.MIN_LENGTH);
        }
        if (plen > 0) {
            out.put(off + hl, payload, payload.position(), plen);
        }
        long acc = Checksum.pseudoHeader(srcIp, dstIp, Checksum.PROTO_TCP, hl + plen);
        if (partialChecksum) {
            // Offload: the folded, uncomplemented pseudo-header sum; the link sums the rest.
            out.putShort(off + TcpHeader.CHECKSUM, (short) Checksum.fold(acc));
        } else {
            // RFC 9293 §3.1 (MUST-2): the checksum over the pseudo-header, header and data. The data is
            // summed from the source (a heap send buffer: the fast array path) rather than from the
            // packet (often a direct buffer); the header length is a multiple of 4, so the data starts
            // on a 16-bit word boundary and the two sums add up.
            acc = Checksum.add(acc, out, off, hl);
            if (plen > 0) {
                acc = Checksum.add(acc, payload, payload.position(), plen);
            }
            out.putShort(off + TcpHeader.CHECKSUM, (short) Checksum.finish(acc));
        }
        return hl + plen;
    }

    // ------------------------------------------------------------------ predicates

    public boolean syn() { return (flags & TcpHeader.FLAG_SYN) != 0; }
    public boolean fin() { return (flags & TcpHeader.FLAG_FIN) != 0; }
    public boolean rst() { return (flags & TcpHeader.FLAG_RST) != 0; }
    /**
     * ACK flag set. (Not {@code ack()}: that is the record accessor of the acknowledgment number.)
     */
    public boolean hasAck() { return (flags & TcpHeader.FLAG_ACK) != 0; }
    public boolean psh() { return (flags & TcpHeader.FLAG_PSH) != 0; }
    public boolean urg() { return (flags & TcpHeader.FLAG_URG) != 0; }
    /** True when every bit of {@code mask} is set. */
    public boolean has(int mask) { return (flags & mask) == mask; }

    /** Copies the payload bytes into a new array (tests, logs). */
    public byte[] payloadBytes() {
        byte[] b = new byte[payload.remaining()];
        payload.get(payload.position(), b);
        return b;
    }

    // ------------------------------------------------------------------ builder

    /** A builder with defaults: ports 0, seq/ack 0, no flags, window 65535, no options, no payload. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this segment's fields (templates in tests). */
    public Builder toBuilder() {
        return new Builder().srcPort(srcPort).dstPort(dstPort).seq(seq).ack(ack).flags(flags)
                .window(window).urgentPointer(urgentPointer).options(options).payload(payload);
    }

    /** Builds a {@link TcpSegment}; not thread-safe, reusable. */
    public static final class Builder {
        private int srcPort, dstPort, seq, ack, flags, window = 0xFFFF, urgentPointer;
        private TcpOptions options = TcpOptions.NONE;
        private ByteBuffer payload = EMPTY;

        private Builder() {}

        public Builder srcPort(int p) { this.srcPort = p; return this; }
        public Builder dstPort(int p) { this.dstPort = p; return this; }
        /** Sets both ports. */
        public Builder ports(int src, int dst) { this.srcPort = src; this.dstPort = dst; return this; }
        public Builder seq(int s) { this.seq = s; return this; }
        /** Sets the acknowledgment number only; the ACK flag is set through {@link #flags}/{@link #addFlags}. */
        public Builder ack(int a) { this.ack = a; return this; }
        /** Replaces all flags. */
        public Builder flags(int f) { this.flags = f; return this; }
        /** Adds flags to those set. */
        public Builder addFlags(int f) { this.flags |= f; return this; }
        public Builder window(int w) { this.window = w; return this; }
        public Builder urgentPointer(int u) { this.urgentPointer = u; return this; }
        public Builder options(TcpOptions o) { this.options = o; return this; }
        /** Uses {@code p} (position..limit) as the payload without copying. */
        public Builder payload(ByteBuffer p) { this.payload = p; return this; }
        /** Wraps {@code bytes} as the payload (no copy). */
        public Builder payload(byte[] bytes) { this.payload = ByteBuffer.wrap(bytes); return this; }

        public TcpSegment build() {
            return new TcpSegment(srcPort, dstPort, seq, ack, flags, window, urgentPointer, options,
                    payload);
        }
    }

    // ------------------------------------------------------------------ Object

    /**
     * tcpdump-like summary: {@code SYN,ACK seq=1 ack=2 win=65535 len=0 <mss 1460,ws 7,sackOK,ts 1 2>}.
     * Ports are not printed (the connection prints them); ack only with ACK; urg only with URG.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64);
        sb.append(TcpHeader.flagsToString(flags)).append(" seq=").append(Integer.toUnsignedString(seq));
        if (hasAck()) {
            sb.append(" ack=").append(Integer.toUnsignedString(ack));
        }
        sb.append(" win=").append(window);
        if (urg()) {
            sb.append(" urg=").append(urgentPointer);
        }
        sb.append(" len=").append(payload.remaining());
        if (!options.isEmpty()) {
            sb.append(' ').append(options);
        }
        return sb.toString();
    }

    /**
     * Equal when every field is equal and the payloads hold the same bytes (position..limit); a
     * transient holder equals the immutable segment with the same contents.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof TcpSegment s && srcPort == s.srcPort && dstPort == s.dstPort && seq == s.seq
                && ack == s.ack && flags == s.flags && window == s.window
                && urgentPointer == s.urgentPointer && options.equals(s.options)
                && payload.equals(s.payload);
    }

    @Override
    public int hashCode() {
        int h = srcPort;
        h = 31 * h + dstPort;
        h = 31 * h + seq;
        h = 31 * h + ack;
        h = 31 * h + flags;
        h = 31 * h + window;
        h = 31 * h + urgentPointer;
        h = 31 * h + options.hashCode();
        return 31 * h + payload.hashCode();
    }
}
