package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;

import java.nio.ByteBuffer;

/** Reset segments that do not come from a connection's own sequence space. */
public final class Resets {
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private Resets() { }

    /**
     * The answer to a segment that matches no connection (RFC 9293 §3.10.7.1, C1.6, C4.6), with the
     * ports swapped, or null when no answer is due (the segment is itself a RST).
     */
    public static TcpSegment forUnknown(TcpSegment seg) {
        // RFC 9293 §3.10.7.1: "An incoming segment containing a RST is discarded."
        if (seg.rst()) return null;
        if (seg.hasAck()) {
            // RFC 9293 §3.10.7.1: "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
            return reset(seg, seg.ack(), 0, TcpHeader.FLAG_RST);
        }
        // RFC 9293 §3.10.7.1: "If the ACK bit is off, sequence number zero is used,
        // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
        return reset(seg, 0, seg.seq() + seg.seqLength(), TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK);
    }

    /** {@code <SEQ=SEG.ACK><CTL=RST>}: the answer to an unacceptable ACK in LISTEN, SYN-SENT or SYN-RECEIVED. */
    static TcpSegment ackReset(TcpSegment seg) {
        return reset(seg, seg.ack(), 0, TcpHeader.FLAG_RST);
    }

    static TcpSegment reset(TcpSegment cause, int seq, int ack, int flags) {
        return new TcpSegment(cause.dstPort(), cause.srcPort(), seq, ack, flags, 0, 0, TcpOptions.NONE, EMPTY);
    }
}
