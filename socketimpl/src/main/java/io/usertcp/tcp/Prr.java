package io.usertcp.tcp;

/**
 * Proportional Rate Reduction, RFC 6937 §3 (PRR-SSRB, the reduction bound the RFC recommends): how much
 * may be sent on each ACK during fast recovery so that the data in flight falls smoothly to ssthresh
 * and no burst leaves at the end of recovery. Sizes in bytes.
 */
final class Prr {
    private long prrDelivered;   // RFC 6937 "prr_delivered": bytes delivered to the receiver since recovery began
    private long prrOut;         // RFC 6937 "prr_out": bytes sent during recovery
    private long recoverFs;      // RFC 6937 "RecoverFS": FlightSize at the start of recovery
    private long lastSndcnt;

    /**
     * RFC 6937 §3: "At the beginning of recovery, initialize the PRR state ... prr_delivered = 0,
     * prr_out = 0, RecoverFS = snd.nxt - snd.una" (ssthresh is the congestion control's).
     */
    void start(long flightSize) {
        prrDelivered = 0;
        prrOut = 0;
        recoverFs = Math.max(1, flightSize);
        lastSndcnt = 0;
    }

    /**
     * RFC 6937 §3 on every ACK during recovery:
     * <pre>
     *   prr_delivered += DeliveredData
     *   if (pipe > ssthresh) sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out   // PRR
     *   else { limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS                     // PRR-SSRB
     *          sndcnt = MIN(ssthresh - pipe, limit) }
     * </pre>
     * Returns sndcnt (never negative); the caller sets {@code cwnd = pipe + sndcnt}.
     * @param mss the segment size the sender uses (payload bytes per full segment)
     * @param forceFirst RFC 6675 §5 (4.3) / Linux: the fast retransmit itself always goes out
     */
    long onAck(long deliveredData, long pipe, long ssthresh, int mss, boolean forceFirst) {
        if (deliveredData < 0) deliveredData = 0;
        prrDelivered += deliveredData;
        long sndcnt;
        if (pipe > ssthresh) {
            // "Proportional Rate Reduction": CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out. The
            // RFC counts in segments (its examples; Linux counts packets): CEIL rounds up to a whole
            // segment of {@code mss} bytes, so a loss in a window of 20 sends on every other ACK (§5).
            long share = ceilDiv(prrDelivered * ssthresh, recoverFs);
            sndcnt = ceilDiv(share, mss) * mss - prrOut;
        } else {
            // "PRR-SSRB": limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS.
            long limit = Math.max(prrDelivered - prrOut, deliveredData) + mss;
            sndcnt = Math.min(ssthresh - pipe, limit);
        }
        sndcnt = Math.max(0, sndcnt);
        if (forceFirst && prrOut == 0) sndcnt = Math.max(sndcnt, mss);
        lastSndcnt = sndcnt;
        return sndcnt;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** RFC 6937 §3: "On any data transmission or retransmission: prr_out += (data sent)". */
    void onSent(long bytes) {
        prrOut += bytes;
    }

    long delivered() { return prrDelivered; }
    long out() { return prrOut; }
    long recoverFs() { return recoverFs; }
    long lastSndcnt() { return lastSndcnt; }
}
