package io.usertcp.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CUBIC (RFC 9438) and HyStart++ (RFC 9406) on virtual time: the curve against the RFC's formulas,
 * the reduction, fast convergence, the Reno-friendly region, timeouts, and HyStart++'s exits.
 */
class CubicTest {
    static final int MSS = 1000;
    static final long MS = 1_000_000L;

    /**
     * A sender that keeps cwnd bytes in flight and is acked one MSS at a time, evenly over each RTT
     * (an ACK clock), calling the hooks in the connection's order: onAckedUpTo, onRttSample, onAck.
     */
    static final class Sim {
        final Cubic cc;
        long una = 1, nxt = 1, now;
        long rtt;

        Sim(Cubic cc, long rtt) {
            this.cc = cc;
            this.rtt = rtt;
            nxt = una + cc.cwnd();
        }

        /** One ACK of one MSS. */
        void ack() {
            long flight = Math.max(MSS, nxt - una);
            now += Math.max(1, rtt * MSS / flight);
            cc.onAckedUpTo(una + MSS, nxt, now);
            cc.onRttSample(rtt, now);
            cc.onAck(MSS, (int) flight, now);
            una += MSS;
            nxt = Math.max(nxt, una + cc.cwnd());
        }

        /** ACKs until the data outstanding now is acknowledged (one round trip). */
        void round() {
            long end = nxt;
            while (una < end) ack();
        }

        /** ACKs until virtual time {@code t}. */
        void runUntil(long t) {
            while (now < t) ack();
        }
    }

    /** A CUBIC at cwnd = {@code segments} segments after a loss (recovery over): W_max known, cwnd = β·W_max. */
    static Cubic afterLoss(int segments) {
        Cubic cc = new Cubic(MSS, 10);
        cc.inherit(segments * MSS, Integer.MAX_VALUE);
        cc.onCongestionEvent(segments * MSS, 0);
        cc.onRecoveryEnd(0);
        return cc;
    }

    // =========================================================================================
    // RFC 9438 §4.2: the cubic function and K
    // =========================================================================================

    @Test
    void formulaAndK() {
        // K = cubic_root((W_max − cwnd_epoch)/C): W_max 100, cwnd_epoch 70 → K = cbrt(75) ≈ 4.2172 s.
        double k = Cubic.k(100 * MSS, 70 * MSS, MSS);
        assertEquals(Math.cbrt(30 / 0.4), k, 1e-12);
        assertEquals(4.2172, k, 1e-4);
        // W_cubic(0) = cwnd_epoch, W_cubic(K) = W_max; concave before K, convex after.
        assertEquals(70 * MSS, Cubic.wCubic(0, k, 100 * MSS, MSS), 1e-6);
        assertEquals(100 * MSS, Cubic.wCubic(k, k, 100 * MSS, MSS), 1e-9);
        assertEquals((0.4 * 8 + 100) * MSS, Cubic.wCubic(k + 2, k, 100 * MSS, MSS), 1e-6);
        assertEquals((100 - 0.4) * MSS, Cubic.wCubic(k - 1, k, 100 * MSS, MSS), 1e-6);
        assertEquals(0.7, Cubic.BETA);
        assertEquals(3 * 0.3 / 1.7, Cubic.ALPHA, 1e-15);
    }

    @Test
    void betaReductionAndMinimum() {
        Cubic cc = new Cubic(MSS, 10);
        cc.inherit(100 * MSS, Integer.MAX_VALUE);
        cc.onCongestionEvent(100 * MSS, 0);
        // §4.6: ssthresh = flight_size·β_cubic; W_max = cwnd before the reduction.
        assertEquals(70 * MSS, cc.ssthresh());
        assertEquals(100 * MSS, cc.wMax(), 1e-9);
        assertEquals(100 * MSS, cc.cwnd());              // cwnd is PRR's (the connection's) during recovery
        cc.setCwnd(72 * MSS);
        assertEquals(72 * MSS, cc.cwnd());
        cc.onRecoveryEnd(0);                             // RFC 6937: cwnd = ssthresh
        assertEquals(70 * MSS, cc.cwnd());               // the reduced window CA starts from
        // §4.6: "ssthresh = max(ssthresh, 2)".
        Cubic small = new Cubic(MSS, 10);
        small.onCongestionEvent(MSS, 0);
        assertEquals(2 * MSS, small.ssthresh());
    }

    @Test
    void curveFollowsWcubicThroughConcaveAndConvexRegions() {
        // W_max 1000 segments at 100 ms: K = cbrt(300/0.4) ≈ 9.09 s, and Reno (W_est) stays far below.
        Cubic cc = afterLoss(1000);
        Sim s = new Sim(cc, 100 * MS);
        s.ack();                                          // the first CA ACK starts the epoch at t = 0
        long epoch = s.now;
        double k = cc.k();
        assertEquals(Math.cbrt(300 / 0.4), k, 1e-9);
        // Along the way cwnd tracks W_cubic(t) (it aims at W_cubic(t + RTT), so it leads by up to one RTT).
        double[] ts = {1.0, 3.0, 6.0, k, 11.0, 13.0};
        for (double t : ts) {
            s.runUntil(epoch + (long) (t * 1e9));
            double want = Cubic.wCubic(t, k, cc.wMax(), MSS);
            double lead = Cubic.wCubic(t + 0.1, k, cc.wMax(), MSS);
            assertTrue(cc.cwnd() >= want - 2 * MSS && cc.cwnd() <= lead + 2 * MSS,
                    "t=" + t + " cwnd=" + cc.cwnd() / (double) MSS + " W_cubic=" + want / MSS);
        }
        // Concave: the second before K grows less than the first second; convex: growth speeds up after K.
        assertTrue(cc.wEst() < cc.cwnd() - 100 * MSS, "not the Reno-friendly region: " + cc.wEst() / MSS);
        assertTrue(cc.cwnd() > 1000 * MSS, "convex region beyond W_max");
        double g0 = Cubic.wCubic(1, k, 1000 * MSS, MSS) - Cubic.wCubic(0, k, 1000 * MSS, MSS);
        double gK = Cubic.wCubic(k, k, 1000 * MSS, MSS) - Cubic.wCubic(k - 1, k, 1000 * MSS, MSS);
        assertTrue(gK < g0 / 10);
    }

    @Test
    void growthPerRttIsCappedAtHalfTheWindow() {
        // Far beyond K, W_cubic(t + RTT) is huge: §4.2 caps target at 1.5·cwnd, so one RTT of ACKs adds ≤ 50 %.
        Cubic cc = afterLoss(20);
        cc.onRttSample(100 * MS, 0);
        cc.onAck(MSS, 14 * MSS, 0);                       // the epoch starts
        int before = cc.cwnd();
        cc.onAck(before, before, 30_000 * MS);            // a whole window acked 30 s later
        assertEquals(before * 1.5, cc.cwnd(), 1.0);
    }

    @Test
    void fastConvergenceLowersWmax() {
        Cubic cc = afterLoss(100);                        // W_max = 100, cwnd 70
        Sim s = new Sim(cc, 100 * MS);
        while (cc.cwnd() < 80 * MSS) s.ack();             // the window got back to only 80 …
        int w = cc.cwnd();
        cc.onCongestionEvent(w, s.now);                              // … when the next loss came
        // §4.7: cwnd < W_max → W_max = cwnd·(1 + β)/2 (≈ 80·0.85 = 68 segments).
        assertEquals(w * 0.85, cc.wMax(), 1.0);
        assertEquals((int) (w * 0.7), cc.ssthresh());
        Cubic up = afterLoss(50);
        Sim s2 = new Sim(up, 10 * MS);
        while (up.cwnd() < 60 * MSS) s2.ack();            // beyond the last W_max (50)
        w = up.cwnd();
        up.onCongestionEvent(w, s2.now);
        assertEquals(w, up.wMax(), 1.0);                  // W_max = cwnd
    }

    @Test
    void renoFriendlyRegionTakesOverOnSmallBdpPaths() {
        // 10 segments at 1 ms RTT: K ≈ 1.96 s, but Reno would grow ~1 segment per ms (§4.3).
        Cubic cc = afterLoss(10);
        Sim s = new Sim(cc, MS);
        s.ack();
        long epoch = s.now;
        s.runUntil(epoch + 100 * MS);                    // 100 RTTs
        double t = (s.now - epoch) / 1e9;
        double cubic = Cubic.wCubic(t + 0.001, cc.k(), cc.wMax(), MSS);
        assertTrue(cubic < 10 * MSS, "W_cubic still below W_max: " + cubic / MSS);
        assertEquals(cc.wEst(), cc.cwnd(), MSS);           // cwnd = W_est
        assertTrue(cc.cwnd() > 40 * MSS, "Reno-like growth: " + cc.cwnd() / MSS);
        // With α = 1 once W_est ≥ cwnd_prior (§4.3): ~1 segment per RTT, minus the first RTTs at α_cubic.
        assertTrue(cc.cwnd() < 110 * MSS, "" + cc.cwnd() / MSS);
    }

    @Test
    void timeoutRestartsWithKZero() {
        Cubic cc = new Cubic(MSS, 10);
        cc.inherit(40 * MSS, Integer.MAX_VALUE);
        cc.onRto(40 * MSS, true, 0);
        // §4.8: Reno's loss window, ssthresh by β_cubic; a second timeout keeps ssthresh.
        assertEquals(MSS, cc.cwnd());
        assertEquals(28 * MSS, cc.ssthresh());
        cc.onRto(MSS, false, 0);
        assertEquals(28 * MSS, cc.ssthresh());
        assertEquals(HyStartPlusPlus.Phase.OFF, cc.hystart().phase());
        Sim s = new Sim(cc, 10 * MS);
        while (cc.cwnd() < cc.ssthresh()) s.ack();      // standard slow start up to ssthresh
        assertEquals(28 * MSS, cc.cwnd());
        s.ack();                                         // first CA ACK: K = 0, W_max = cwnd_epoch
        assertEquals(0.0, cc.k());
        assertEquals(28 * MSS, cc.wMax(), MSS);
    }

    @Test
    void applicationLimitedDoesNotGrowOrAge() {
        Cubic cc = afterLoss(50);
        cc.onRttSample(10 * MS, 0);
        cc.onAck(MSS, 50 * MSS, 0);                       // epoch starts, cwnd-limited
        int w = cc.cwnd();
        for (int i = 1; i <= 1000; i++) cc.onAck(MSS, 5 * MSS, i * 10 * MS);   // 10 s with little in flight
        assertEquals(w, cc.cwnd());
        // The epoch moved with the idle time: growth resumes as at t ≈ 0, not 10 s later.
        cc.onAck(MSS, 50 * MSS, 10_010 * MS);
        assertTrue(cc.cwnd() - w < 50, "" + (cc.cwnd() - w));   // t = 10 ms: a few bytes (t = 10 s: 500)
    }

    @Test
    void idleRestartAndMssChange() {
        Cubic cc = new Cubic(MSS, 10);
        cc.inherit(40 * MSS, 30 * MSS);
        cc.onIdleRestart(0);
        assertEquals(10 * MSS, cc.cwnd());                // RFC 5681 §4.1: min(IW, cwnd)
        Cubic fresh = new Cubic(MSS, 0);
        assertEquals(4 * MSS, fresh.cwnd());              // RFC 5681 IW for MSS 1000
        fresh.setMss(1460);
        assertEquals(Math.min(4 * 1460, Math.max(2 * 1460, 4380)), fresh.cwnd());
        assertEquals("cubic", fresh.name());
        assertEquals("reno", new NewReno(MSS, 0).name());
    }

    // =========================================================================================
    // RFC 9406 HyStart++
    // =========================================================================================

    @Test
    void hystartStaysInSlowStartOnFlatRtt() {
        Cubic cc = new Cubic(MSS, 10);
        Sim s = new Sim(cc, 50 * MS);
        for (int r = 0; r < 6; r++) s.round();
        assertEquals(HyStartPlusPlus.Phase.SLOW_START, cc.hystart().phase());
        assertEquals(Integer.MAX_VALUE, cc.ssthresh());
        assertTrue(cc.cwnd() >= 10 * MSS * 32, "doubling per round: " + cc.cwnd() / MSS);
        assertEquals(0, cc.hystart().cssEntries());
    }

    @Test
    void hystartEntersCssOnRttIncreaseThenCongestionAvoidanceAfterCssRounds() {
        Cubic cc = new Cubic(MSS, 10);
        Sim s = new Sim(cc, 50 * MS);
        for (int r = 0; r < 3; r++) s.round();
        assertEquals(HyStartPlusPlus.Phase.SLOW_START, cc.hystart().phase());
        // RttThresh = max(4 ms, min(50/8 ms, 16 ms)) = 6.25 ms: a rise to 56 ms is not enough …
        s.rtt = 56 * MS;
        s.round();
        s.round();
        assertEquals(HyStartPlusPlus.Phase.SLOW_START, cc.hystart().phase());
        // … then from 56 ms (threshold 7 ms) to 64 ms is: CSS within the next round.
        s.rtt = 64 * MS;
        int acks = 0;
        while (cc.hystart().phase() == HyStartPlusPlus.Phase.SLOW_START && acks < cc.cwnd() / MSS * 2) {
            s.ack();
            acks++;
        }
        assertEquals(HyStartPlusPlus.Phase.CSS, cc.hystart().phase());
        assertEquals(Integer.MAX_VALUE, cc.ssthresh());
        // CSS grows by a quarter: min(N, L·SMSS)/CSS_GROWTH_DIVISOR per ACK.
        int w = cc.cwnd();
        s.ack();
        assertEquals(w + MSS / 4, cc.cwnd());
        // CSS_ROUNDS rounds later (the first one partial): congestion avoidance.
        int rounds = 0;
        int cssStart = cc.cwnd();
        while (cc.hystart().phase() == HyStartPlusPlus.Phase.CSS && rounds < 10) {
            s.round();
            rounds++;
        }
        assertTrue(rounds == HyStartPlusPlus.CSS_ROUNDS || rounds == HyStartPlusPlus.CSS_ROUNDS - 1, "rounds " + rounds);
        assertTrue(cc.cwnd() < cssStart * Math.pow(1.25, rounds) + MSS, "CSS grows by ≤ 1/4 per round");
        s.ack();
        assertEquals(HyStartPlusPlus.Phase.CONGESTION_AVOIDANCE, cc.hystart().phase());
        assertTrue(cc.ssthresh() < Integer.MAX_VALUE);
        assertTrue(cc.cwnd() >= cc.ssthresh());           // RFC 9406: ssthresh = cwnd, then CA
        assertEquals(0.0, cc.k());                        // CA from here: K = 0, W_max = cwnd_epoch
        assertEquals(1, cc.hystart().cssEntries());
    }

    @Test
    void hystartCssReturnsToSlowStartWhenRttFalls() {
        Cubic cc = new Cubic(MSS, 10);
        Sim s = new Sim(cc, 50 * MS);
        for (int r = 0; r < 3; r++) s.round();
        s.rtt = 70 * MS;
        for (int i = 0; i < 1000 && cc.hystart().phase() == HyStartPlusPlus.Phase.SLOW_START; i++) s.ack();
        assertEquals(HyStartPlusPlus.Phase.CSS, cc.hystart().phase());
        s.round();                                        // next round: samples back at 50 ms
        s.rtt = 50 * MS;
        s.round();
        assertEquals(HyStartPlusPlus.Phase.SLOW_START, cc.hystart().phase());
    }

    @Test
    void lossEndsHystartAndSlowStartIncreaseIsLimitedToL() {
        Cubic cc = new Cubic(MSS, 10);
        cc.onAckedUpTo(1 + 20 * MSS, 1 + 10 * MSS, 0);
        cc.onAck(20 * MSS, 10 * MSS, 0);                   // a stretch ACK: at most L = 8 SMSS
        assertEquals(18 * MSS, cc.cwnd());
        cc.setPaced(true);                                 // RFC 9406 §4.3: L = infinity when paced
        cc.onAck(20 * MSS, 18 * MSS, 0);
        assertEquals(38 * MSS, cc.cwnd());
        cc.onCongestionEvent(38 * MSS, 0);
        assertEquals(HyStartPlusPlus.Phase.OFF, cc.hystart().phase());
    }

    @Test
    void switchingAlgorithmKeepsTheWindow() {
        var h = TcpHarness.established(TcpHarness.testConfig().withCongestionControl("reno"));
        var c = h.c;
        assertEquals("reno", c.congestionControl().name());
        assertEquals("reno", c.info().congestionControl());
        int cwnd = c.info().cwnd();
        c.setCongestionControl("CUBIC");                  // after connect, as Linux allows
        assertEquals("cubic", c.congestionControl().name());
        assertEquals(cwnd, c.info().cwnd());              // the window carries over
        assertEquals("cubic", c.info().congestionControl());
        assertEquals("reno", TcpConfig.DEFAULT.withCongestionControl("newreno").congestionControl());
        assertEquals("cubic", TcpConfig.DEFAULT.congestionControl());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TcpConfig.DEFAULT.withCongestionControl("bbr"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> c.setCongestionControl("vegas"));
        Cubic cubic = new Cubic(MSS, 10);
        cubic.inherit(50 * MSS, 30 * MSS);
        assertEquals(50 * MSS, cubic.cwnd());
        assertEquals(30 * MSS, cubic.ssthresh());
    }
}
