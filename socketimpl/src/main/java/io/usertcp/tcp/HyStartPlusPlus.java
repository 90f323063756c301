package io.usertcp.tcp;

/**
 * HyStart++ (RFC 9406): leaves slow start before it overshoots, by watching the minimum RTT of each
 * round grow. Used by {@link Cubic} for the initial slow start only, as Linux uses HyStart.
 *
 * <p>Phases: standard slow start → Conservative Slow Start (CSS, a quarter of the growth) when a
 * round's minimum RTT rose by more than a threshold → congestion avoidance after {@link #CSS_ROUNDS}
 * rounds of CSS, or back to slow start when the RTT falls again (the rise was spurious). A loss ends
 * it ({@link #stop()}). Rounds are tracked by sequence numbers (stream positions): a round ends when
 * the ACK covers {@code windowEnd}, which then moves to the highest byte sent.
 *
 * <p>RTT samples come from the connection: with timestamps (RFC 7323) one per ACK of new data, without
 * them one per round (RFC 6298 timing), which is too few for {@link #N_RTT_SAMPLE}: HyStart++ then
 * never leaves slow start early and the connection behaves as with standard slow start. Allocates
 * nothing.
 */
public final class HyStartPlusPlus {
    // RFC 9406 §4.3: "MIN_RTT_THRESH = 4 msec, MAX_RTT_THRESH = 16 msec, MIN_RTT_DIVISOR = 8,
    // N_RTT_SAMPLE = 8, CSS_GROWTH_DIVISOR = 4, CSS_ROUNDS = 5, L = infinity if paced, L = 8 if non-paced".
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    static final int L_NON_PACED = 8;

    private static final long INFINITY = Long.MAX_VALUE;

    /** Where the algorithm is. */
    public enum Phase { SLOW_START, CSS, CONGESTION_AVOIDANCE, OFF }

    private Phase phase = Phase.SLOW_START;
    private boolean paced;
    // RFC 9406 §4.2: "lastRoundMinRTT = infinity, currentRoundMinRTT = infinity,
    // cssBaselineMinRtt = infinity, rttSampleCount = 0".
    private long lastRoundMinRtt = INFINITY;
    private long currentRoundMinRtt = INFINITY;
    private long cssBaselineMinRtt = INFINITY;
    private int rttSampleCount;
    private long windowEnd = -1;   // stream position; -1 before the first ACK
    private int cssRoundsDone;
    private long cssEntries;

    public Phase phase() { return phase; }

    /** True while the algorithm steers slow start (standard or CSS). */
    public boolean active() { return phase == Phase.SLOW_START || phase == Phase.CSS; }

    /** Times CSS was entered (a later RTT drop may send it back to slow start). */
    public long cssEntries() { return cssEntries; }

    /** RFC 9406 §4.3: L is infinite when the sender paces. */
    void setPaced(boolean paced) { this.paced = paced; }

    /** A loss, a timeout or the end of the initial slow start: HyStart++ is done for this connection. */
    void stop() {
        if (phase != Phase.CONGESTION_AVOIDANCE) phase = Phase.OFF;
    }

    /**
     * An ACK moved SND.UNA to {@code sndUna}; {@code sndNxt} is the highest position sent. RFC 9406 §4.2:
     * "When windowEnd is ACKed, the current round ends and windowEnd is set to SND.NXT."
     */
    void onAckedUpTo(long sndUna, long sndNxt) {
        if (!active()) return;
        if (windowEnd >= 0 && sndUna < windowEnd) return;
        windowEnd = sndNxt;
        // RFC 9406 §4.2: "At the start of each round during standard slow start and CSS:
        // lastRoundMinRTT = currentRoundMinRTT; currentRoundMinRTT = infinity; rttSampleCount = 0".
        lastRoundMinRtt = currentRoundMinRtt;
        currentRoundMinRtt = INFINITY;
        rttSampleCount = 0;
        if (phase == Phase.CSS && ++cssRoundsDone >= CSS_ROUNDS) {
            // RFC 9406 §4.2: "If CSS_ROUNDS rounds are complete, enter congestion avoidance by setting
            // the ssthresh to the current cwnd." (the owner reads the phase and sets ssthresh).
            phase = Phase.CONGESTION_AVOIDANCE;
        }
    }

    /** An RTT sample taken from this ACK. */
    void onRttSample(long rtt) {
        if (!active() || rtt < 0) return;
        // RFC 9406 §4.2: "Keep track of the minimum observed RTT: currentRoundMinRTT =
        // min(currentRoundMinRTT, currentRTT); rttSampleCount += 1".
        if (rtt < currentRoundMinRtt) currentRoundMinRtt = rtt;
        rttSampleCount++;
        if (rttSampleCount < N_RTT_SAMPLE) return;
        if (phase == Phase.SLOW_START) {
            // "If rttSampleCount >= N_RTT_SAMPLE AND currentRoundMinRTT != infinity AND lastRoundMinRTT
            // != infinity: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR,
            // MAX_RTT_THRESH)); if currentRoundMinRTT >= (lastRoundMinRTT + RttThresh):
            // cssBaselineMinRtt = currentRoundMinRTT; exit slow start and enter CSS".
            if (currentRoundMinRtt == INFINITY || lastRoundMinRtt == INFINITY) return;
            long thresh = Math.max(MIN_RTT_THRESH, Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
            if (currentRoundMinRtt >= lastRoundMinRtt + thresh) {
                cssBaselineMinRtt = currentRoundMinRtt;
                phase = Phase.CSS;
                cssRoundsDone = 0;
                cssEntries++;
            }
        } else if (currentRoundMinRtt < cssBaselineMinRtt) {
            // RFC 9406 §4.2 (CSS): "If rttSampleCount >= N_RTT_SAMPLE AND currentRoundMinRTT <
            // cssBaselineMinRtt: cssBaselineMinRtt = infinity; resume slow start".
            cssBaselineMinRtt = INFINITY;
            phase = Phase.SLOW_START;
        }
    }

    /**
     * The slow-start increase for an ACK of {@code acked} bytes. RFC 9406 §4.2: standard slow start
     * "cwnd = cwnd + min(N, L * SMSS)"; CSS "cwnd = cwnd + (min(N, L * SMSS) / CSS_GROWTH_DIVISOR)".
     */
    long increase(long acked, int mss) {
        long n = paced ? acked : Math.min(acked, (long) L_NON_PACED * mss);
        return phase == Phase.CSS ? n / CSS_GROWTH_DIVISOR : n;
    }

    long lastRoundMinRtt() { return lastRoundMinRtt; }
    long currentRoundMinRtt() { return currentRoundMinRtt; }
}
