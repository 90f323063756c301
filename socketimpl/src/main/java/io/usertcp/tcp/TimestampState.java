package io.usertcp.tcp;

import io.usertcp.wire.Seq;

/**
 * The RFC 7323 timestamps option of one connection: our TSval clock, TS.Recent, Last.ACK.sent, PAWS
 * and RTT samples from echoed timestamps. Pure (time is passed in, nanoseconds); owned by
 * {@link TcpConnection}.
 *
 * <p>Our TSval clock ticks once per millisecond (RFC 7323 §5.4: "the timestamp clock frequency [should
 * be] in the range 1 ms to 1 sec per tick") and starts at a per-connection offset (RFC 7323 §7.1:
 * "a random offset ... for each connection" so that TSval does not leak the host's uptime).
 */
final class TimestampState {
    static final long NANOS_PER_TICK = 1_000_000L;
    /** RFC 7323 §5.5: "If a connection ... has been idle for more than 24 days ... TS.Recent ... invalid". */
    static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    private final int offset;
    private boolean enabled;       // negotiated: both SYNs carried TSopt
    private int recent;            // RFC 7323 TS.Recent
    private long recentAt;         // when TS.Recent was recorded
    private boolean recentValid;
    private long lastAckSent;      // RFC 7323 Last.ACK.sent, as a receive position
    private long pawsDrops;

    TimestampState(int offset) {
        this.offset = offset;
    }

    boolean enabled() { return enabled; }
    int recent() { return recent; }
    long pawsDrops() { return pawsDrops; }

    /** Our TSval at {@code now}. */
    int tsVal(long now) {
        return offset + (int) Math.floorDiv(now, NANOS_PER_TICK);
    }

    /** RFC 7323 §3.2: the option is used for the connection only when both SYNs carried it. */
    void negotiate(boolean both) {
        enabled = both;
    }

    /** TS.Recent from the peer's SYN (or SYN-ACK): RFC 7323 §3.2 "TS.Recent = SEG.TSval". */
    void recordSyn(int tsVal, long now) {
        recent = tsVal;
        recentAt = now;
        recentValid = true;
    }

    /** We sent a segment acknowledging up to {@code rcvNxt} (Last.ACK.sent, RFC 7323 §4.3). */
    void ackSent(long rcvNxt) {
        lastAckSent = rcvNxt;
    }

    /**
     * RFC 7323 §5.3 R1: "If there is a Timestamps option in the arriving segment, SEG.TSval < TS.Recent,
     * TS.Recent is valid (see later discussion), and if the RST bit is not set, then treat the arriving
     * segment as not acceptable". True when the segment is to be dropped (and ACKed).
     */
    boolean pawsRejects(boolean hasTs, int segTsVal, boolean rst, long now) {
        if (!enabled || !hasTs || rst || !recentValid) return false;
        if (now - recentAt > PAWS_IDLE_NANOS) {
            // RFC 7323 §5.5: after 24 days idle "the TS.Recent value ... [is] invalid" — forget it.
            recentValid = false;
            return false;
        }
        if (Seq.lt(segTsVal, recent)) {
            pawsDrops++;
            return true;
        }
        return false;
    }

    /**
     * RFC 7323 §4.3 (2) / §5.3 R3: "If SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent, then
     * record its timestamp in TS.Recent" — for an acceptable segment starting at {@code segPos}.
     */
    void maybeUpdateRecent(boolean hasTs, int segTsVal, long segPos, long now) {
        if (!enabled || !hasTs) return;
        if (segPos <= lastAckSent && (!recentValid || Seq.ge(segTsVal, recent))) {
            recent = segTsVal;
            recentAt = now;
            recentValid = true;
        }
    }

    /**
     * RFC 7323 §4.1: "RTTM ... an RTT measurement [is taken] as the difference between the current
     * time and the TSecr value"; only from a segment that acknowledges new data (§4.2, so a delayed or
     * duplicate ACK does not inflate it). Returns nanoseconds, or -1 when there is no usable echo.
     */
    long rttSample(boolean hasAck, boolean hasTs, int tsEcr, long now) {
        if (!enabled || !hasAck || !hasTs || tsEcr == 0) return -1; // 0: no echo yet (as Linux)
        int ticks = tsVal(now) - tsEcr;
        if (ticks < 0) return -1; // an echo from the future: not ours
        return ticks * NANOS_PER_TICK;
    }
}
