package io.usertcp.tcp;

/**
 * CUBIC congestion control (RFC 9438) with HyStart++ (RFC 9406) in the initial slow start: the
 * default of the stack, as of Linux.
 *
 * <p>Congestion avoidance follows the cubic curve {@code W_cubic(t) = C·(t−K)³ + W_max} (§4.2) of the
 * time since the current congestion-avoidance stage began, with the Reno-friendly estimate {@code
 * W_est} (§4.3) as a floor; a congestion event keeps {@code β_cubic = 0.7} of the window (§4.6) and
 * remembers {@code W_max} with fast convergence (§4.7); after a timeout the next stage starts with
 * {@code K = 0} (§4.8). Windows are bytes here: the RFC's formulas count segments, so the cubic term
 * is scaled by the MSS. Times are the {@code now} nanoseconds the connection passes in; the curve is
 * evaluated in {@code double} (no allocation per ACK).
 *
 * <p>Not done: spurious-congestion undo (§4.9; the connection has no spurious-loss detection such as
 * F-RTO or Eifel to call it), ECN (§4.6's ECE response; the stack does not negotiate ECN).
 */
public final class Cubic implements CongestionControl {
    /** RFC 9438 §5.1: C = 0.4 (with β_cubic = 0.7, the value that keeps CUBIC fair to Reno). */
    public static final double C = 0.4;
    /** RFC 9438 §4.6: "β_cubic SHOULD be set to 0.7". */
    public static final double BETA = 0.7;
    /** RFC 9438 §4.3: "α_cubic = 3 * (1 - β_cubic) / (1 + β_cubic)". */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    private static final double NANOS_PER_SECOND = 1e9;
    private static final long NO_EPOCH = Long.MIN_VALUE;
    private static final double MAX_WINDOW = Integer.MAX_VALUE / 2.0;

    private final int initialWindowSegments;
    private final HyStartPlusPlus hystart = new HyStartPlusPlus();
    private int mss;
    private double cwnd;           // bytes (fractions kept so that small per-ACK increments add up)
    private int ssthresh;
    // RFC 9438 §4.1.2 variables, in bytes and nanoseconds.
    private double wMax;           // window just before the last reduction (0: none yet)
    private double cwndPrior;      // cwnd when ssthresh was last set (§4.3 α switch)
    private double cwndEpoch;      // cwnd at the beginning of the current congestion avoidance stage
    private double wEst;           // Reno-friendly estimate
    private double kSeconds;       // K of Figure 2
    private long epochStart = NO_EPOCH;
    private long lastAckAt = NO_EPOCH;
    private boolean afterTimeout;  // §4.8: the next congestion avoidance stage starts with K = 0
    private long srtt;             // smoothed RTT of the samples (nanoseconds; 0 before the first)
    private long congestionEvents;

    /** @param initialWindowSegments 0 for the RFC 5681 §3.1 formula */
    public Cubic(int mss, int initialWindowSegments) {
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

    @Override public String name() { return "cubic"; }
    @Override public int cwnd() { return (int) Math.min(cwnd, MAX_WINDOW); }
    @Override public int ssthresh() { return ssthresh; }

    /** HyStart++ state (tests, diagnostics). */
    public HyStartPlusPlus hystart() { return hystart; }
    /** W_max in bytes (0 before the first congestion event or congestion avoidance stage). */
    public double wMax() { return wMax; }
    /** K in seconds for the current congestion avoidance stage. */
    public double k() { return kSeconds; }
    /** The Reno-friendly estimate W_est in bytes. */
    public double wEst() { return wEst; }
    /** Congestion events (losses and timeouts) seen. */
    public long congestionEvents() { return congestionEvents; }
    /** The smoothed RTT CUBIC uses for {@code W_cubic(t + RTT)}. */
    public long srtt() { return srtt; }

    /**
     * RFC 9438 §4.2 Figure 1: {@code W_cubic(t) = C * (t - K)^3 + W_max}, t seconds from the start of
     * the congestion avoidance stage; bytes here (the cubic term counted in segments of {@code mss}).
     */
    public static double wCubic(double tSeconds, double kSeconds, double wMaxBytes, int mss) {
        double d = tSeconds - kSeconds;
        return C * d * d * d * mss + wMaxBytes;
    }

    /** RFC 9438 §4.2 Figure 2: {@code K = cubic_root((W_max - cwnd_epoch) / C)}, windows in segments. */
    public static double k(double wMaxBytes, double cwndEpochBytes, int mss) {
        return Math.cbrt(Math.max(0, wMaxBytes - cwndEpochBytes) / mss / C);
    }

    @Override
    public void setMss(int mss) {
        if (mss == this.mss) return;
        boolean initial = (int) cwnd == initialWindow();
        double scale = (double) mss / this.mss;
        this.mss = mss;
        // Keep the windows' sizes in segments (or the initial window for the new MSS).
        cwnd = initial ? initialWindow() : Math.min(MAX_WINDOW, Math.max(1, Math.floor(cwnd / (mss / scale))) * mss);
        wMax *= scale;
        cwndPrior *= scale;
        cwndEpoch *= scale;
        wEst *= scale;
    }

    @Override
    public void setPaced(boolean paced) {
        hystart.setPaced(paced);
    }

    @Override
    public void onRttSample(long rttNanos, long now) {
        if (rttNanos < 0) return;
        // The smoothed RTT of RFC 6298 §2 (alpha = 1/8), kept here because §4.2 asks for "the smoothed
        // round-trip time" and the connection's estimator clamps for the RTO.
        srtt = srtt == 0 ? Math.max(1, rttNanos) : srtt + (rttNanos - srtt) / 8;
        if (cwnd < ssthresh) hystart.onRttSample(rttNanos);
    }

    @Override
    public void onAckedUpTo(long sndUna, long sndNxt, long now) {
        if (cwnd < ssthresh) hystart.onAckedUpTo(sndUna, sndNxt);
        if (hystart.phase() == HyStartPlusPlus.Phase.CONGESTION_AVOIDANCE && ssthresh == Integer.MAX_VALUE) {
            // RFC 9406 §4.2: "enter congestion avoidance by setting the ssthresh to the current cwnd".
            ssthresh = cwnd();
        }
    }

    @Override
    public void onAck(int acked, int flightBefore, long now) {
        long last = lastAckAt;
        lastAckAt = now;
        if (acked <= 0) return;
        if (cwnd < ssthresh) {
            // RFC 9438 §4.10: slow start while cwnd is below ssthresh; RFC 9406 HyStart++ for the initial
            // one, RFC 5681 §3.1 with RFC 3465 L = 2 after.
            // Linux's tcp_is_cwnd_limited: in slow start grow while at least half the window is used.
            if (2L * flightBefore < (long) cwnd) return;
            long inc = hystart.active() ? hystart.increase(acked, mss) : Math.min(acked, 2L * mss);
            cwnd = Math.min(MAX_WINDOW, cwnd + inc);
            if (cwnd > ssthresh) cwnd = ssthresh;
            return;
        }
        if (2L * flightBefore < cwnd) {
            // RFC 9438 §5.8 (application-limited flows): no growth while the window is not used, and t
            // must not count that time: move the epoch with it. Limited means less
            // than half the window in flight (Linux's slow-start test; generous enough for 64 KiB TSO
            // segments and Nagle-sized tails, which leave the last part of a window unsent).
            if (epochStart != NO_EPOCH && last != NO_EPOCH) epochStart += now - last;
            return;
        }
        if (epochStart == NO_EPOCH) beginEpoch(now);
        double t = (now - epochStart) / NANOS_PER_SECOND;
        // RFC 9438 §4.3 Figure 4: "W_est = W_est + α_cubic * segments_acked / cwnd", and "Once W_est
        // has grown to reach the cwnd at the time of most recently setting ssthresh -- that is, W_est >=
        // cwnd_prior -- the sender SHOULD set α_cubic to 1".
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * acked * mss / cwnd;
        double cubicNow = wCubic(t, kSeconds, wMax, mss);
        if (cubicNow < wEst) {
            // §4.3: "If W_cubic(t) is less than W_est, then the protocol is in the Reno-friendly region
            // and cwnd SHOULD be set to W_est at each reception of a new ACK."
            if (wEst > cwnd) cwnd = wEst;
        } else {
            // §4.4/§4.5 concave and convex regions: "target = cwnd if W_cubic(t + RTT) < cwnd;
            // 1.5 * cwnd if W_cubic(t + RTT) > 1.5 * cwnd; W_cubic(t + RTT) otherwise", and cwnd "MUST be
            // incremented by (target - cwnd) / cwnd for each received ACK" (per segment acknowledged).
            double target = wCubic(t + srtt / NANOS_PER_SECOND, kSeconds, wMax, mss);
            if (target < cwnd) target = cwnd;
            else if (target > 1.5 * cwnd) target = 1.5 * cwnd;
            cwnd += (target - cwnd) / cwnd * acked;
        }
        if (cwnd > MAX_WINDOW) cwnd = MAX_WINDOW;
    }

    /** The first ACK of a congestion avoidance stage: t = 0, K from W_max and cwnd_epoch (§4.2). */
    private void beginEpoch(long now) {
        epochStart = now;
        cwndEpoch = cwnd;
        // §4.3: "W_est is set equal to cwnd_epoch at the start of the congestion avoidance stage".
        wEst = cwnd;
        if (afterTimeout || wMax <= cwnd) {
            // §4.8: "During the first congestion avoidance stage after a timeout, CUBIC increases its
            // congestion window size using Figure 1, where ... K is set to 0, and W_max is set to the
            // congestion window size at the beginning of the current congestion avoidance stage." The
            // same start (no maximum known above us) after slow start ended without a loss, as Linux.
            wMax = cwnd;
            kSeconds = 0;
        } else {
            kSeconds = k(wMax, cwndEpoch, mss);
        }
        afterTimeout = false;
    }

    /** §4.6 (with §4.7): the new ssthresh and W_max at a congestion event. */
    private void reduce(int flightSize) {
        congestionEvents++;
        hystart.stop();
        // RFC 9438 §4.7: "if (cwnd < W_max and fast_convergence_enabled) { W_max = cwnd * (1 +
        // β_cubic) / 2; } else { W_max = cwnd; }" (before the window reduction).
        wMax = cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd;
        // RFC 9438 §4.6: "ssthresh = flight_size * β_cubic", "cwnd_prior = cwnd", "ssthresh =
        // max(ssthresh, 2)" (segments).
        cwndPrior = cwnd;
        ssthresh = (int) Math.max((long) (flightSize * BETA), 2L * mss);
        epochStart = NO_EPOCH;
    }

    @Override
    public void onCongestionEvent(int flightSize, long now) {
        // §4.6 sets ssthresh (and W_max, §4.7); during recovery the connection's PRR (RFC 6937) sets
        // cwnd through setCwnd, bringing it down to ssthresh ("cwnd = max(ssthresh, 2)").
        reduce(flightSize);
    }

    @Override
    public void setCwnd(int cwnd) {
        this.cwnd = Math.max(1, Math.min(cwnd, Integer.MAX_VALUE / 2));
    }

    @Override
    public void onRecoveryEnd(long now) {
        // RFC 6937 §3: "cwnd = ssthresh" — CUBIC's §4.6 reduced window (β_cubic·W_max) from which the
        // next congestion avoidance stage grows; its epoch begins with the next ACK (§4.2 cwnd_epoch).
        cwnd = ssthresh;
        epochStart = NO_EPOCH;
    }

    @Override
    public void onRto(int flightSize, boolean first, long now) {
        // RFC 9438 §4.8: "In the case of a timeout, CUBIC follows Reno to reduce cwnd [RFC5681] but sets
        // ssthresh using β_cubic (same as in Section 4.6)". RFC 5681 §3.1: ssthresh is held constant
        // when the same segment times out again; "cwnd MUST be set to no more than the loss window, LW,
        // which equals 1 full-sized segment".
        if (first) reduce(flightSize);
        hystart.stop();
        cwnd = mss;
        afterTimeout = true;
        epochStart = NO_EPOCH;
    }

    @Override
    public void inherit(int cwnd, int ssthresh) {
        this.cwnd = Math.max(mss, cwnd);
        this.ssthresh = ssthresh;
        // A window found by another algorithm: no HyStart++ once past the initial window, and the next
        // congestion avoidance stage starts from this window (K = 0, as after slow start).
        if (cwnd > initialWindow() || ssthresh != Integer.MAX_VALUE) hystart.stop();
        wMax = 0;
        epochStart = NO_EPOCH;
    }

    @Override
    public void onIdleRestart(long now) {
        // RFC 5681 §4.1: "cwnd ... SHOULD be set to no more than RW ... RW = min(IW,cwnd)"; the next
        // congestion avoidance stage starts a new epoch (t does not count the idle time, §5.8).
        cwnd = Math.min(initialWindow(), cwnd);
        epochStart = NO_EPOCH;
    }
}
