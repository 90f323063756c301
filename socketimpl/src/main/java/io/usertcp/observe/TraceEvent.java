package io.usertcp.observe;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpHeader;

/**
 * One line of a connection's trace: a segment received ({@link Kind#IN}) or sent ({@link Kind#OUT}),
 * or a state change ({@link Kind#STATE}). Sequence numbers are raw 32-bit values; {@code relSeq} and
 * {@code relAck} are relative to the sender's and the receiver's initial sequence numbers (as
 * Wireshark shows them). {@code order} is a per-recorder counter that orders events of every
 * connection the recorder saw (two ends of a loopback connection interleave by it).
 *
 * @param key            the connection seen from the traced side (local = that side)
 * @param length         payload bytes
 * @param options        the TCP options as text ({@code <mss 1460>}), empty when none
 * @param retransmission the segment covers sequence space already sent in its direction
 */
public record TraceEvent(long order, long timeNanos, ConnectionKey key, Kind kind, int flags, int seq, int ack,
        int window, int length, String options, long relSeq, long relAck, boolean retransmission,
        TcpState from, TcpState to) {

    /** What happened. */
    public enum Kind { IN, OUT, STATE }

    public boolean isSegment() {
        return kind != Kind.STATE;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Payload + SYN + FIN: the sequence space the segment occupies. */
    public int seqLength() {
        return length + (has(TcpHeader.FLAG_SYN) ? 1 : 0) + (has(TcpHeader.FLAG_FIN) ? 1 : 0);
    }

    /**
     * The trace line, time relative to {@code t0}:
     * {@code +0.001234 OUT 127.0.0.1:40000 > 127.0.0.1:7 PSH,ACK seq=1 (2816356191) ack=1 (91272) win=65535 len=5}.
     */
    public String line(long t0) {
        StringBuilder sb = new StringBuilder(120);
        sb.append(String.format(java.util.Locale.ROOT, "+%.6f ", (timeNanos - t0) / 1e9));
        String local = Format.endpoint(key.localIp(), key.localPort());
        String remote = Format.endpoint(key.remoteIp(), key.remotePort());
        switch (kind) {
            case STATE -> sb.append("STATE ").append(local).append(' ').append(remote).append(' ')
                    .append(from).append(" -> ").append(to);
            case OUT, IN -> {
                sb.append(kind == Kind.OUT ? "OUT " : "IN  ");
                if (kind == Kind.OUT) {
                    sb.append(local).append(" > ").append(remote);
                } else {
                    sb.append(remote).append(" > ").append(local);
                }
                sb.append(' ').append(TcpHeader.flagsToString(flags));
                sb.append(" seq=").append(relSeq).append(" (").append(Integer.toUnsignedString(seq)).append(')');
                if (has(TcpHeader.FLAG_ACK)) {
                    sb.append(" ack=").append(relAck).append(" (").append(Integer.toUnsignedString(ack)).append(')');
                }
                sb.append(" win=").append(window).append(" len=").append(length);
                if (!options.isEmpty()) {
                    sb.append(' ').append(options);
                }
                if (retransmission) {
                    sb.append(" [retransmission]");
                }
            }
        }
        return sb.toString();
    }
}
