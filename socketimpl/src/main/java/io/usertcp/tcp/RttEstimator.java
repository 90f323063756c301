package io.usertcp.tcp;

/**
 * The retransmission timeout of RFC 6298: SRTT, RTTVAR, RTO with exponential backoff. Karn's rule
 * (RFC 6298 §3: no samples from retransmitted segments) is applied by the caller, which only feeds
 * samples from segments sent once. Times are nanoseconds.
 */
public final class RttEstimator {
    /** RFC 6298 §2: "G" — our clock granularity; we use 1 ms. */
    static final long CLOCK_GRANULARITY = 1_000_000L;
    /** RFC 6298 §2.3: "K = 4". */
    static final int K = 4;

    private long rtoInitial;
    private final long rtoMin;
    private final long rtoMax;
    private long srtt;      // 0 until the first sample
    private long rttvar;
    private long rto;       // without backoff
    private int backoff;    // number of doublings in force
    private boolean hasSample;

    public RttEstimator(long rtoInitialNanos, long rtoMinNanos, long rtoMaxNanos) {
        this.rtoInitial = rtoInitialNanos;
        this.rtoMin = rtoMinNanos;
        this.rtoMax = rtoMaxNanos;
        // RFC 6298 §2.1: "Until a round-trip time (RTT) measurement has been made ... set RTO <- 1 second".
        this.rto = rtoInitialNanos;
    }

    /** Feeds one RTT measurement (from a segment that was not retransmitted). */
    public void sample(long r) {
        if (r < 0) return;
        if (!hasSample) {
            // RFC 6298 §2.2: "SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + max (G, K*RTTVAR)"
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
        } else {
            // RFC 6298 §2.3: "RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|" (beta = 1/4),
            // "SRTT <- (1 - alpha) * SRTT + alpha * R'" (alpha = 1/8).
            rttvar = rttvar - (rttvar >> 2) + (Math.abs(srtt - r) >> 2);
            srtt = srtt - (srtt >> 3) + (r >> 3);
        }
        rto = clamp(srtt + Math.max(CLOCK_GRANULARITY, K * rttvar));
        // RFC 6298 §5.7 note: a new measurement ends the backoff.
        backoff = 0;
    }

    private long clamp(long v) {
        // RFC 6298 §2.4: "if it is less than 1 second, then the RTO SHOULD be rounded up" (rtoMin);
        // §2.5: "A maximum value MAY be placed on RTO provided it is at least 60 seconds" (rtoMax).
        return Math.min(rtoMax, Math.max(rtoMin, v));
    }

    /** Forgets all samples and starts again from {@code rtoNanos} (RFC 6298 §5.7). */
    public void reinitialize(long rtoNanos) {
        rtoInitial = rtoNanos;
        rto = Math.min(rtoMax, rtoNanos);
        srtt = rttvar = 0;
        hasSample = false;
        backoff = 0;
    }

    /** RFC 6298 §5.5: "The host MUST set RTO <- RTO * 2 ("back off the timer")", up to the maximum. */
    public void backoff() {
        if (backoff < 30) backoff++;
    }

    /** Ends the backoff without a new sample (e.g. an ACK for new data arrived). */
    public void resetBackoff() {
        backoff = 0;
    }

    /** The current timeout, backoff included, clamped to the maximum. */
    public long rto() {
        long v = rto;
        for (int i = 0; i < backoff && v < rtoMax; i++) v <<= 1;
        return Math.min(v, rtoMax);
    }

    public int backoffCount() { return backoff; }
    public boolean hasSample() { return hasSample; }
    public long srtt() { return srtt; }
    public long rttvar() { return rttvar; }
    long rtoInitial() { return rtoInitial; }
}
