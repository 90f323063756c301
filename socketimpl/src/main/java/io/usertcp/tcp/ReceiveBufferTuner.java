package io.usertcp.tcp;

/**
 * Receive-buffer autotuning ("dynamic right-sizing", as Linux's tcp_rcv_space_adjust and gVisor's
 * receive-buffer auto-tuning): once per receiver RTT, look at how many bytes the application read in
 * that RTT and let the receive buffer, and so the window we advertise, grow to about twice that. A
 * sender limited by our window then sees it double every RTT until the window covers the
 * bandwidth-delay product (RFC 7323 §1.1: one window per round trip is all a sender may have in
 * flight, so throughput is at most window / RTT). An application that does not read makes nothing
 * grow; the buffer never shrinks here (SHLD-14 forbids taking back advertised window anyway).
 *
 * <p><b>Receiver RTT.</b> A receiver that only sends ACKs has no RTT samples of its own (RFC 6298
 * samples come from data it sends). Two estimates, as Linux (tcp_rcv_rtt_measure_ts and
 * tcp_rcv_rtt_measure):
 * <ul>
 *   <li>with RFC 7323 timestamps: the age of the TSval the peer echoes in a full-sized in-order data
 *       segment (the peer sends new data in answer to our ACK: one round trip), smoothed with gain 1/8;
 *       a new echo value only (one sample per ACK of ours) and never below one tick (1 ms);</li>
 *   <li>without: the time until data arrives beyond the right edge advertised when the measurement
 *       began, of which the minimum is kept (when the sender is window-limited this is one RTT;
 *       otherwise it is longer, and a longer estimate only makes tuning slower, never the window too
 *       small).</li>
 * </ul>
 *
 * <p>Pure: no clock (time is passed in, nanoseconds), owned by {@link TcpConnection}, which creates it
 * at the first in-order data so that an idle connection does not pay for it.
 */
final class ReceiveBufferTuner {
    /** Smallest RTT estimate: one timestamp tick (Linux uses one jiffy/ms the same way). */
    static final long MIN_RTT_NANOS = TimestampState.NANOS_PER_TICK;
    /** Segments of cushion above 2× the per-RTT amount, for small rate variations and reordering. */
    static final int CUSHION_SEGMENTS = 16;

    private long rttNanos;            // receiver RTT estimate, 0 until the first sample
    private int lastTsEcr;            // echo value of the last timestamp sample (one sample per value)
    private boolean haveTsEcr;
    private long windowMeasureEnd = -1; // receive position that ends the window-based measurement
    private long windowMeasureAt;
    private long space;               // bytes read in the best measured RTT so far (Linux rcvq_space.space)
    private long measureRead;         // application read offset when this measurement began
    private long measureAt;           // ... and the time
    private long grows;               // times the buffer was grown (for tests and observability)

    /**
     * @param initialSpace what the first RTT is compared with: the data the initial window lets the
     *                     peer's initial congestion window send (min(initial window, 10 segments))
     */
    ReceiveBufferTuner(long initialSpace, long read, long now) {
        this.space = Math.max(1, initialSpace);
        this.measureRead = read;
        this.measureAt = now;
    }

    long rttNanos() { return rttNanos; }
    long grows() { return grows; }

    /** A timestamp RTT sample (nanoseconds) from a full-sized in-order segment echoing {@code tsEcr}. */
    void timestampSample(int tsEcr, long sampleNanos) {
        if (haveTsEcr && tsEcr == lastTsEcr) return; // the same ACK of ours echoed again: not a new round trip
        haveTsEcr = true;
        lastTsEcr = tsEcr;
        long m = Math.max(sampleNanos, MIN_RTT_NANOS);
        // Smoothed as RFC 6298 §2.3 smooths SRTT (alpha = 1/8).
        rttNanos = rttNanos == 0 ? m : rttNanos + ((m - rttNanos) >> 3);
    }

    /**
     * In-order data moved RCV.NXT to {@code rcvNxt}; {@code advertisedEdge} is the right edge we have
     * advertised so far. Without timestamps: data beyond the edge advertised when a measurement began
     * can only have been sent after the peer heard an ACK of ours sent since, so the time until it
     * arrives is at least one RTT, and about one RTT when the sender is window-limited (the case that
     * matters here). The minimum is kept.
     */
    void inOrderData(long rcvNxt, long advertisedEdge, long now) {
        if (windowMeasureEnd >= 0 && rcvNxt <= windowMeasureEnd) return;
        if (windowMeasureEnd >= 0) {
            long m = Math.max(now - windowMeasureAt, MIN_RTT_NANOS);
            if (rttNanos == 0 || m < rttNanos) rttNanos = m;
        }
        windowMeasureEnd = advertisedEdge;
        windowMeasureAt = now;
    }

    /**
     * The application has read up to data offset {@code read}. Once an RTT has passed since the last
     * measurement, returns the buffer size the bytes read in it call for (≥ {@code bufSize}, ≤
     * {@code cap}); otherwise {@code bufSize}.
     */
    int onRead(long read, long now, int bufSize, int cap, int mss) {
        long elapsed = now - measureAt;
        if (rttNanos == 0 || elapsed < rttNanos) return bufSize;
        long copied = read - measureRead;
        measureRead = read;
        measureAt = now;
        // A reader that came back after several RTTs read at most this much per RTT (Linux takes the
        // whole amount as one RTT's, so a reader that drains a full buffer now and then would keep
        // growing it).
        if (elapsed >= 2 * rttNanos) copied = (long) (copied * ((double) rttNanos / elapsed));
        if (copied <= space) return bufSize; // not faster than before: nothing new to learn
        // Twice the bytes of one RTT: the window must still cover a whole RTT of data while a loss is
        // being repaired (fast recovery holds the left edge for one RTT), plus a cushion of segments.
        long want = 2 * copied + (long) CUSHION_SEGMENTS * mss;
        // The sender is speeding up (slow start doubles its rate per RTT) and the window we advertise
        // now is used in the next RTT: grow ahead of it, as Linux does (+25%: x1.5, +50%: x2).
        if (copied >= space + (space >> 1)) {
            want <<= 1;
        } else if (copied >= space + (space >> 2)) {
            want += want >> 1;
        }
        space = copied;
        if (want <= bufSize) return bufSize;
        grows++;
        return (int) Math.min(cap, want);
    }
}
