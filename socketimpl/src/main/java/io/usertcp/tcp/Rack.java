package io.usertcp.tcp;

/**
 * RACK-TLP state (RFC 8985): the time-based loss detection of §6 and the tail loss probe of §7.
 * Pure bookkeeping; {@link TcpConnection} walks its {@link SackScoreboard} with it. Times are
 * nanoseconds, positions are the connection's send positions.
 */
final class Rack implements SackScoreboard.DeliveryListener {
    /** RFC 8985 §6.2 step 4 / RFC 6675: "DupThresh = 3". */
    static final int DUP_THRESH = 3;
    /** RFC 8985 §7.2: "WCDelAckT ... the worst-case delayed ACK timer ... 200 ms". */
    static final long WC_DEL_ACK_T = 200_000_000L;
    /** RFC 8985 §6.2 step 4: "RACK.reo_wnd_persist = 16". */
    static final int REO_WND_PERSIST = 16;
    /** Smallest PTO (Linux: 10 ms). */
    static final long MIN_PTO = 10_000_000L;

    // RFC 8985 §6.1 per-connection state
    long xmitTs = Long.MIN_VALUE;  // RACK.xmit_ts: latest transmission time among delivered segments
    long endSeq = -1;              // RACK.end_seq
    long rtt;                      // RACK.rtt
    long fack = -1;                // RACK.fack: highest end delivered
    boolean reord;                 // RACK.reord: reordering seen
    long minRtt = Long.MAX_VALUE;  // RACK.min_RTT
    int reoWndMult = 1;            // RACK.reo_wnd_mult
    int reoWndPersist;             // RACK.reo_wnd_persist
    long dsackRound = -1;          // RACK.dsack_round (-1: None)
    boolean advanced;              // this ACK delivered something that moved RACK.xmit_ts

    // RFC 8985 §7.1 TLP state
    long tlpEndSeq = -1;           // TLP.end_seq (-1: None)
    boolean tlpIsRetrans;          // TLP.is_retrans

    // set per ACK by the connection before the scoreboard calls back
    private long now;
    private int tsEcr;
    private boolean hasTsEcr;
    private TimestampState ts;

    /** Per ACK: the clock and the ACK's TSecr (for RFC 8985 §6.2 step 2's retransmission check). */
    void beginAck(long now, TimestampState ts, boolean hasTsEcr, int tsEcr) {
        this.now = now;
        this.ts = ts;
        this.hasTsEcr = hasTsEcr;
        this.tsEcr = tsEcr;
        this.advanced = false;
    }

    /**
     * RFC 8985 §6.2 step 2 RACK_update() and step 3 RACK_detect_reordering() for one newly delivered
     * segment.
     */
    @Override
    public void delivered(long segXmit, long segEnd, boolean retransmitted) {
        // Step 3: "If Segment.end_seq > RACK.fack: RACK.fack = Segment.end_seq; Else if Segment.end_seq
        // < RACK.fack AND Segment.retransmitted is FALSE: RACK.reord = TRUE".
        if (segEnd > fack) fack = segEnd;
        else if (segEnd < fack && !retransmitted) reord = true;
        long sample = now - segXmit;
        if (retransmitted) {
            // Step 2: "If Segment.retransmitted is TRUE: If ACK.ts_option.echo_reply < Segment.xmit_ts:
            // Return. If rtt < RACK.min_RTT: Return" — the ACK may answer the original transmission.
            if (hasTsEcr && ts != null && io.usertcp.wire.Seq.lt(tsEcr, ts.tsVal(segXmit))) return;
            if (sample < minRtt) return;
        } else if (sample >= 0 && sample < minRtt) {
            // Step 1: "RACK.min_RTT" — deviation: the minimum over the connection's life (Linux keeps a
            // windowed minimum over 5 minutes).
            minRtt = sample;
        }
        if (sentAfter(segXmit, segEnd, xmitTs, endSeq)) {
            rtt = sample;
            xmitTs = segXmit;
            endSeq = segEnd;
            advanced = true;
        } else if (segXmit == xmitTs) {
            rtt = sample;
        }
    }

    /** RFC 8985 §6.2: "RACK_sent_after(t1, seq1, t2, seq2): If t1 > t2: Return true; Else if t1 == t2
     *  AND seq1 > seq2: Return true". */
    static boolean sentAfter(long t1, long seq1, long t2, long seq2) {
        return t1 > t2 || (t1 == t2 && seq1 > seq2);
    }

    boolean hasDelivered() {
        return xmitTs != Long.MIN_VALUE;
    }

    /**
     * RFC 8985 §6.2 step 4 RACK_update_reo_wnd(), the D-SACK part: "If RACK.dsack_round is not None
     * AND SND.UNA >= RACK.dsack_round: RACK.dsack_round = None. If RACK.dsack_round is None AND any
     * DSACK option is present on latest received ACK: RACK.dsack_round = SND.NXT; RACK.reo_wnd_mult
     * += 1; RACK.reo_wnd_persist = 16".
     */
    void updateReoWnd(boolean dsack, long sndUna, long sndNxt) {
        if (dsackRound >= 0 && sndUna >= dsackRound) dsackRound = -1;
        if (dsackRound < 0 && dsack) {
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /** RFC 8985 §6.2 step 4: "Else if exiting Fast or RTO recovery: RACK.reo_wnd_persist -= 1; If
     *  RACK.reo_wnd_persist <= 0: RACK.reo_wnd_mult = 1". */
    void onRecoveryExit() {
        reoWndPersist--;
        if (reoWndPersist <= 0) reoWndMult = 1;
    }

    /**
     * RFC 8985 §6.2 step 4 RACK_reo_wnd(): "If RACK.reord is FALSE: If in Fast or RTO recovery: Return
     * 0. Else if RACK.segs_sacked >= DupThresh: Return 0. Return min(RACK.reo_wnd_mult * RACK.min_RTT
     * / 4, SRTT)".
     */
    long reoWnd(boolean inRecovery, int segsSacked, long srtt) {
        if (!reord) {
            if (inRecovery) return 0;
            if (segsSacked >= DUP_THRESH) return 0;
        }
        if (minRtt == Long.MAX_VALUE) return 0;
        long w = reoWndMult * (minRtt / 4);
        return srtt > 0 ? Math.min(w, srtt) : w;
    }

    /**
     * RFC 8985 §6.2 step 5 RACK_detect_loss(): "For each segment, Segment, not acknowledged yet: If
     * RACK_sent_after(RACK.xmit_ts, RACK.end_seq, Segment.xmit_ts, Segment.end_seq): remaining =
     * Segment.xmit_ts + RACK.rtt + RACK.reo_wnd - Now(); If remaining <= 0: Segment.lost = TRUE ...
     * Else: timeout = max(remaining, timeout)". Marks in {@code sb}; returns the timeout for the
     * reordering timer (0 when none) and counts the segments marked in {@link #lastMarked}.
     */
    long detectLoss(SackScoreboard sb, long now, long reoWnd) {
        lastMarked = 0;
        if (!hasDelivered()) return 0;
        long timeout = 0;
        long retransHigh = sb.retransHigh();
        for (int k = sb.headIndex(); k < sb.tailIndex(); k++) {
            int f = sb.flagsAt(k);
            if ((f & SackScoreboard.SACKED) != 0) continue;
            // A segment marked lost and not retransmitted since has "xmit_ts = INFINITE_TS".
            if ((f & SackScoreboard.LOST) != 0 && (f & SackScoreboard.RETRANS) == 0) continue;
            long t = sb.xmitAt(k);
            if (!sentAfter(xmitTs, endSeq, t, sb.endAt(k))) {
                // Segments sent once go out in sequence order, so every later one was sent later
                // still: only retransmitted segments above can be older than RACK.xmit_ts.
                if ((f & SackScoreboard.EVER_RETRANS) == 0 && sb.startAt(k) >= retransHigh) break;
                continue;
            }
            long remaining = t + rtt + reoWnd - now;
            if (remaining <= 0) {
                if (sb.markLost(k)) lastMarked++;
            } else if (remaining > timeout) {
                timeout = remaining;
            }
        }
        return timeout;
    }

    int lastMarked;

    /**
     * RFC 8985 §7.2 TLP_calc_PTO(): "If SRTT is available: PTO = 2 * SRTT; If FlightSize is equal to one
     * segment: PTO += WCDelAckT. Else: PTO = 1 sec" (the timeout never reaches beyond the RTO: the
     * caller takes the minimum with the RTO deadline, as Linux does).
     */
    static long pto(long srtt, boolean hasSrtt, boolean oneSegmentInFlight) {
        if (!hasSrtt) return 1_000_000_000L;
        long pto = 2 * srtt;
        if (oneSegmentInFlight) pto += WC_DEL_ACK_T;
        // Deviation, as Linux (tcp_schedule_loss_probe): at least 10 ms, so that a tiny SRTT (a LAN, a
        // loopback) does not probe before the peer had a chance to answer.
        return Math.max(pto, MIN_PTO);
    }

    /** Forgets the delivery history (after a timeout the old samples say nothing about the path). */
    void onRto() {
        tlpEndSeq = -1;
    }
}
