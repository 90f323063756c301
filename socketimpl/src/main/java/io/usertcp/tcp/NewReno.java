package io.usertcp.tcp;

/**
 * NewReno congestion control: slow start and congestion avoidance of RFC 5681 §3.1 (with appropriate
 * byte counting, RFC 3465, L = 2), the multiplicative decrease of RFC 5681 §3.2 (equation 4), restart
 * after idle of RFC 5681 §4.1. The recovery-time window (RFC 5681 §3.2 steps 3–6 / RFC 6582 inflation
 * and deflation) is replaced by the connection's Proportional Rate Reduction (RFC 6937), as
 * {@link CongestionControl} describes; the NewReno loss recovery itself (partial ACKs, RFC 6582) lives
 * in {@link TcpConnection}.
 */
public final class NewReno implements CongestionControl {
    private final int initialWindowSegments;
    private int mss;
    private int cwnd;
    private int ssthresh;
    private int bytesAckedInCa; // RFC 5681 §3.1 congestion avoidance byte counter

    /** @param initialWindowSegments 0 for the RFC 5681 §3.1 formula */
    public NewReno(int mss, int initialWindowSegments) {
        this.initialWindowSegments = initialWindowSegments;
        this.mss = mss;
        this.cwnd = initialWindow();
        // RFC 5681 §3.1: "The initial value of ssthresh SHOULD be set arbitrarily high".
        this.ssthresh = Integer.MAX_VALUE;
    }

    /** RFC 5681 §3.1: "IW = min (4*SMSS, max (2*SMSS, 4380 bytes))" unless configured. */
    int initialWindow() {
        if (initialWindowSegments > 0) return initialWindowSegments * mss;
        return Math.min(4 * mss, Math.max(2 * mss, 4380));
    }

    @Override public String name() { return "reno"; }
    @Override public int cwnd() { return cwnd; }
    @Override public int ssthresh() { return ssthresh; }

    @Override
    public void setMss(int mss) {
        if (mss == this.mss) return;
        boolean initial = cwnd == initialWindow();
        // Keep the window's size in segments (or the initial window for the new MSS).
        long segs = Math.max(1, cwnd / this.mss);
        this.mss = mss;
        cwnd = initial ? initialWindow() : (int) Math.min(Integer.MAX_VALUE / 2, segs * mss);
    }

    @Override
    public void onAck(int acked, int flightBefore, long now) {
        if (cwnd < ssthresh) {
            // RFC 5681 §3.1: "During slow start, a TCP increments cwnd by at most SMSS bytes for each
            // ACK received that cumulatively acknowledges new data" (RFC 3465: up to L*SMSS, L = 2).
            cwnd += Math.min(acked, 2 * mss);
        } else {
            // RFC 5681 §3.1 (equation 3 alternative): "cwnd += SMSS" once cwnd bytes have been acked.
            bytesAckedInCa += acked;
            if (bytesAckedInCa >= cwnd) {
                bytesAckedInCa -= cwnd;
                cwnd += mss;
            }
        }
        if (cwnd > Integer.MAX_VALUE / 2) cwnd = Integer.MAX_VALUE / 2;
    }

    @Override
    public void onCongestionEvent(int flightSize, long now) {
        // RFC 5681 §3.2 step 2: "ssthresh = max (FlightSize / 2, 2*SMSS)" (equation 4). cwnd is then set
        // by the connection's Proportional Rate Reduction (RFC 6937) instead of step 3's inflation.
        ssthresh = Math.max(flightSize / 2, 2 * mss);
        bytesAckedInCa = 0;
    }

    @Override
    public void setCwnd(int cwnd) {
        this.cwnd = Math.max(1, Math.min(cwnd, Integer.MAX_VALUE / 2));
    }

    @Override
    public void onRecoveryEnd(long now) {
        // RFC 6937 §3: "cwnd = ssthresh" at the end of recovery (PRR has brought pipe down to it).
        cwnd = ssthresh;
        bytesAckedInCa = 0;
    }

    @Override
    public void onRto(int flightSize, boolean first, long now) {
        // RFC 5681 §3.1: "When a TCP sender detects segment loss using the retransmission timer ...
        // ssthresh MUST be set to no more than ... max (FlightSize / 2, 2*SMSS)" and "cwnd MUST be set
        // to no more than the loss window, LW, which equals 1 full-sized segment".
        // "ssthresh ... is held constant" when the same segment is retransmitted again.
        if (first) ssthresh = Math.max(flightSize / 2, 2 * mss);
        cwnd = mss;
        bytesAckedInCa = 0;
    }

    @Override
    public void inherit(int cwnd, int ssthresh) {
        this.cwnd = Math.max(mss, cwnd);
        this.ssthresh = ssthresh;
        bytesAckedInCa = 0;
    }

    @Override
    public void onIdleRestart(long now) {
        // RFC 5681 §4.1: "cwnd ... SHOULD be set to no more than RW ... RW = min(IW,cwnd)".
        cwnd = Math.min(initialWindow(), cwnd);
    }
}
