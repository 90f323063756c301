package io.usertcp.tcp;

import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sender-side loss recovery, packet in / packet out on virtual time (CONFORMANCE C2.12): the RFC 6675
 * scoreboard (pipe, NextSeg rules 1–4 with the rescue retransmission), PRR (RFC 6937), RACK-TLP
 * (RFC 8985), the RTO after a failed recovery and SACK reneging (RFC 2018 §8). The peer negotiated
 * SACK and timestamps, so every data segment carries 1448 bytes; segments are named by index
 * (segment {@code i} starts at relative sequence number 1 + 1448·i), SACK blocks by index ranges.
 */
class LossRecoveryTest {
    static final int SEG = 1448;
    static final Duration RTT = Duration.ofMillis(20);

    /** A peer with SACK and timestamps; {@code n} segments written and sent, one RTT elapsed. */
    static final class Peer {
        final TcpHarness h;
        final TcpSegment ourAck;
        final long ourAckAt;

        Peer(TcpConfig cfg, int written, int sent) {
            // Active open whose SYN,ACK takes one RTT (so SRTT starts at 20 ms), both sides offering
            // window scale 0, timestamps and SACK.
            h = TcpHarness.closed(cfg);
            h.remoteIss = TcpHarness.DEFAULT_REMOTE_ISS;
            h.c.connect(h.now);
            h.localIss = h.c.info().sndUna();
            h.poll();
            TcpSegment syn = h.expect(seg().syn().seq(LOCAL).mss(cfg.mss()).anyOptions());
            h.advance(RTT);
            TcpOptions o = TcpOptions.NONE.withTimestamps(FastTcpTest.PEER_TS, syn.options().tsVal())
                    .withWindowScale(0).withSackPermitted(true);
            h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).window(65535).mss(1460).options(o));
            ourAck = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).anyOptions());
            ourAckAt = h.now;
            assertEquals(TcpState.ESTABLISHED, h.state());
            assertTrue(h.c.sackEnabled() && h.c.timestampsEnabled());
            h.write(TcpHarness.bytes(written * SEG, 7));
            List<Integer> first = idx(h.drain());
            assertEquals(sent, first.size(), "initial window");
            h.advance(RTT);
            assertEquals(List.of(), idx(h.drain()), "nothing before the first ACK");
        }

        int seq(int i) { return h.localIss + 1 + i * SEG; }

        /** An ACK for everything below segment {@code cum}, SACKing [blocks[0], blocks[1]) ... (indexes). */
        List<Integer> ack(int cum, int... blocks) {
            // The peer echoes the TSval we sent one RTT ago (our clock ticks in ms from the ACK that ended
            // the handshake), so every ACK gives a 20 ms RTT sample (RFC 7323 §4).
            int ours = ourAck.options().tsVal() + (int) ((h.now - RTT.toNanos() - ourAckAt) / TimestampState.NANOS_PER_TICK);
            TcpOptions o = TcpOptions.NONE.withTimestamps(FastTcpTest.PEER_TS, ours);
            if (blocks.length > 0) {
                int[] b = new int[blocks.length];
                for (int i = 0; i < b.length; i++) b[i] = seq(blocks[i]);
                o = o.withSackBlocks(b);
            }
            h.deliver(seg().ack(LOCAL + 1 + cum * SEG).seq(REMOTE + 1).options(o));
            return data();
        }

        /** Indexes of the data segments sent since the last call. */
        List<Integer> data() { return idx(h.drain()); }

        List<Integer> idx(List<TcpSegment> l) {
            List<Integer> r = new ArrayList<>();
            for (TcpSegment s : l) {
                if (s.payloadLength() == 0) continue;
                assertEquals(0, (s.seq() - h.localIss - 1) % SEG, "segment boundary " + h.describe(s));
                r.add((s.seq() - h.localIss - 1) / SEG);
            }
            return r;
        }

        long pipeSegs() {
            long p = h.c.pipe();
            assertEquals(0, p % SEG, "pipe " + p);
            return p / SEG;
        }

        void advance(Duration d) { h.advance(d); }
    }

    static TcpConfig reno(int iw) {
        return FastTcpTest.noDelay().toBuilder().initialWindowSegments(iw).congestionControl("reno").build();
    }

    static TcpConfig rfc6675(int iw) {
        return reno(iw).toBuilder().rack(false).build();
    }

    // ------------------------------------------------------------------ RFC 6675 NextSeg()

    @Test
    void C2_12_nextSegRule3RetransmitsUnsackedDataBelowHighSack() {
        var p = new Peer(rfc6675(10), 10, 10);
        assertEquals(List.of(), p.ack(0, 1, 2));
        assertEquals(List.of(), p.ack(0, 1, 3));
        // Three segments SACKed above segment 0: IsLost(0) — rule 1, the fast retransmit.
        assertEquals(List.of(0), p.ack(0, 1, 4));
        assertEquals(TcpConnection.RECOVERY, p.h.c.recoveryState());
        assertEquals(5 * SEG, p.h.c.congestionControl().ssthresh());
        assertEquals(7, p.pipeSegs());                 // 10 − 3 SACKed − 1 lost + 1 retransmitted
        for (int k = 5; k <= 8; k++) {
            assertEquals(List.of(), p.ack(0, 1, k), "k=" + k);  // no hole below HighSACK but segment 0
        }
        assertEquals(3, p.pipeSegs());                 // segments 0 (resent), 8, 9
        // Segment 9 SACKed, 8 not: IsLost(8) is false (one segment above it), but rule 3 — an unSACKed
        // segment above HighRxt and below HighSACK — sends it, as PRR leaves room (pipe 2 < ssthresh 5).
        assertEquals(List.of(8), p.ack(0, 9, 10, 1, 8));
        assertEquals(1 + 9L * SEG, p.h.c.highRxt(), "HighRxt: the end of segment 8");
        assertEquals(0, p.h.c.rescueRetransmits());
        assertEquals(List.of(), p.ack(10));
        assertEquals(TcpConnection.OPEN, p.h.c.recoveryState());
        assertEquals(5 * SEG, p.h.c.congestionControl().cwnd(), "RFC 6937: cwnd = ssthresh at the end");
        assertEquals(2, p.h.c.retransmittedSegments());
    }

    @Test
    void C2_12_rescueRetransmissionOncePerRecovery() {
        // Segments 0 and 9 (the tail) are lost: no SACK can ever show 9 lost.
        var p = new Peer(rfc6675(10), 10, 10);
        assertEquals(List.of(), p.ack(0, 1, 2));
        assertEquals(List.of(), p.ack(0, 1, 3));
        assertEquals(List.of(0), p.ack(0, 1, 4));
        for (int k = 5; k <= 9; k++) {
            // RescueRxt was set to the end of the fast retransmission (RFC 6675 (4.3)): no rescue yet.
            assertEquals(List.of(), p.ack(0, 1, k), "k=" + k);
        }
        // The retransmission of 0 arrives: a partial ACK. HighACK > RescueRxt: rule 4 resends the highest
        // unSACKed segment, 9, once (RescueRxt = RecoveryPoint).
        assertEquals(List.of(9), p.ack(9));
        assertEquals(1, p.h.c.rescueRetransmits());
        assertEquals(p.h.c.scoreboard().top(), p.h.c.rescueRxt());
        assertEquals(List.of(), p.ack(9));             // a duplicate: never a second rescue
        assertEquals(List.of(), p.ack(10));
        assertEquals(TcpConnection.OPEN, p.h.c.recoveryState());
        assertEquals(0, p.h.c.timeouts());
        assertEquals(2, p.h.c.retransmittedSegments());
    }

    // ------------------------------------------------------------------ RFC 6937 PRR

    @Test
    void C2_12_prrSendsOnEveryOtherAckAsInTheRfc6937Example() {
        // RFC 6937 §5: one loss in a window of 20 segments, ssthresh half of it. Limited transmit sends
        // new data on the first two duplicate ACKs, the third retransmits, then PRR sends one new segment
        // on every other ACK while pipe falls by one segment every other ACK to ssthresh.
        var p = new Peer(reno(20), 60, 20);
        List<List<Integer>> sent = new ArrayList<>();
        List<Long> pipes = new ArrayList<>();
        for (int k = 1; k <= 19; k++) {
            sent.add(p.ack(0, 1, k + 1));
            pipes.add(p.pipeSegs());
        }
        assertEquals(List.of(20), sent.get(0));        // ack 1: N (RFC 3042)
        assertEquals(List.of(21), sent.get(1));        // ack 2: N
        assertEquals(List.of(0), sent.get(2));         // ack 3: R
        // RFC 5681 §3.2 step 2: "When [RFC3042] is in use, additional data sent in limited transmit MUST
        // NOT be included in this calculation": ssthresh = cwnd/2 = 20·1460/2 bytes (the initial window
        // counts MSS 1460; segments carry 1448 with timestamps), not FlightSize 22/2. RecoverFS = 22.
        // Proportional part (pipe > ssthresh): sndcnt = CEIL(prr_delivered·ssthresh/RecoverFS) − prr_out
        // (in whole segments), one new segment on every other ACK, then every third as the ratio is under
        // 1/2; from ACK 18 pipe is at ssthresh and PRR-SSRB holds it there.
        int next = 22;
        List<Integer> sends = List.of(5, 7, 9, 11, 13, 16, 19);
        for (int k = 4; k <= 19; k++) {
            List<Integer> want = sends.contains(k) ? List.of(next++) : List.of();
            assertEquals(want, sent.get(k - 1), "ack " + k);
        }
        assertEquals(10 * 1460, p.h.c.congestionControl().ssthresh());
        assertEquals(22 * SEG, p.h.c.prr().recoverFs());
        assertEquals(List.of(19L, 18L, 18L, 17L, 17L, 16L, 16L, 15L, 15L, 14L, 14L, 13L, 12L, 12L, 11L, 10L, 10L),
                pipes.subList(2, 19), "pipe after acks 3..19");
        // Everything acknowledged at once: recovery ends with cwnd = ssthresh (RFC 6937 §3), so exactly
        // ssthresh worth of new data may leave (10 segments of 1448 bytes).
        List<Integer> after = p.ack(next);
        assertEquals(TcpConnection.OPEN, p.h.c.recoveryState());
        assertEquals(10 * 1460, p.h.c.congestionControl().cwnd());
        assertEquals(10, after.size());
    }

    @Test
    void prrByTheFormula() {
        // RFC 6937 §3 directly: RecoverFS 20, ssthresh 10 (segments of 100 bytes).
        Prr prr = new Prr();
        prr.start(2000);
        assertEquals(100, prr.onAck(100, 1800, 1000, 100, true));   // CEIL(1·10/20) = 1 segment
        prr.onSent(100);
        assertEquals(0, prr.onAck(100, 1800, 1000, 100, true));     // CEIL(2·10/20) − 1 = 0
        assertEquals(100, prr.onAck(100, 1700, 1000, 100, true));   // CEIL(3·10/20) − 1 = 1
        prr.onSent(100);
        // PRR-SSRB once pipe ≤ ssthresh: MIN(ssthresh − pipe, MAX(prr_delivered − prr_out, DeliveredData) + MSS)
        assertEquals(300, prr.onAck(500, 700, 1000, 100, true));    // min(300, max(800 − 200, 500) + 100)
        assertEquals(200, prr.onAck(0, 800, 1000, 100, true));      // min(200, 600 + 100)
    }

    // ------------------------------------------------------------------ RFC 8985 RACK

    @Test
    void C2_12_rackToleratesReorderingWithinTheWindowAndRetransmitsOutsideIt() {
        var p = new Peer(reno(10), 10, 10);
        // Segment 1 is late: SACK of 2. min_RTT 20 ms → reo_wnd = min_RTT/4 = 5 ms: a timer, no retransmit.
        assertEquals(List.of(), p.ack(1, 2, 3));
        assertEquals(Duration.ofMillis(5), p.h.untilNextDeadline());
        p.advance(Duration.ofMillis(2));
        assertEquals(List.of(), p.ack(3));             // it arrives within the window: nothing resent
        assertTrue(p.h.c.rack().reord, "RACK.reord: delivered below RACK.fack");
        // Segment 5 late while 6, 7, 8 arrive: reordering was seen, so three SACKs (DupThresh) are not
        // enough; the reordering window still applies.
        assertEquals(List.of(), p.ack(5, 6, 7));
        assertEquals(List.of(), p.ack(5, 6, 8));
        assertEquals(List.of(), p.ack(5, 6, 9));
        p.advance(Duration.ofMillis(4));
        assertEquals(List.of(), p.data());
        // Beyond RACK.rtt + reo_wnd since it was sent: the RACK timer marks 5 lost and it is resent.
        p.advance(Duration.ofMillis(2));
        assertEquals(List.of(5), p.data());
        assertEquals(1, p.h.c.rackLossMarks());
        assertEquals(TcpConnection.RECOVERY, p.h.c.recoveryState());
        // The original was only late: the peer reports the duplicate with a D-SACK; RACK widens its
        // window (RFC 8985 §6.2 step 4: reo_wnd_mult += 1).
        assertEquals(List.of(), p.ack(10, 5, 6));
        assertEquals(1, p.h.c.dsacksReceived());
        assertEquals(2, p.h.c.rack().reoWndMult);
        assertEquals(0, p.h.c.timeouts());
    }

    @Test
    void C2_12_rackMarksLossWithoutReorderingAtDupThresh() {
        // No reordering seen yet: with DupThresh segments SACKed the window is 0 (RFC 8985 §6.2 step 4).
        var p = new Peer(reno(10), 10, 10);
        assertEquals(List.of(), p.ack(0, 1, 2));
        assertEquals(List.of(), p.ack(0, 1, 3));
        assertEquals(List.of(0), p.ack(0, 1, 4));
        assertEquals(1, p.h.c.rackLossMarks());
        assertEquals(TcpConnection.RECOVERY, p.h.c.recoveryState());
        // In recovery (still no reordering seen) reo_wnd = 0: segment 5, missing below the SACKed 6, is
        // marked at once, without a timer.
        assertEquals(List.of(), p.ack(0, 1, 5));
        p.ack(0, 6, 7, 1, 5);
        assertEquals(2, p.h.c.rackLossMarks());
    }

    @Test
    void reorderingWindowAdaptsToDsacks() {
        Rack r = new Rack();
        r.minRtt = 40_000_000L;
        assertEquals(10_000_000L, r.reoWnd(false, 0, 100_000_000L));
        assertEquals(0, r.reoWnd(true, 0, 100_000_000L), "no reordering seen, in recovery");
        assertEquals(0, r.reoWnd(false, 3, 100_000_000L), "no reordering seen, DupThresh SACKed");
        r.reord = true;
        assertEquals(10_000_000L, r.reoWnd(true, 3, 100_000_000L));
        r.updateReoWnd(true, 0, 1000);
        assertEquals(2, r.reoWndMult);
        r.updateReoWnd(true, 500, 2000);                 // same D-SACK round: no second increase
        assertEquals(2, r.reoWndMult);
        r.updateReoWnd(true, 1000, 3000);                // the round ended
        assertEquals(3, r.reoWndMult);
        assertEquals(25_000_000L, r.reoWnd(false, 0, 25_000_000L), "capped by SRTT");
        for (int i = 0; i < Rack.REO_WND_PERSIST - 1; i++) r.onRecoveryExit();
        assertEquals(3, r.reoWndMult);
        r.onRecoveryExit();                              // 16 recoveries without D-SACK: back to 1
        assertEquals(1, r.reoWndMult);
    }

    // ------------------------------------------------------------------ RFC 8985 TLP

    @Test
    void C2_12_tailLossProbeRecoversALostLastSegmentWithoutRto() {
        var p = new Peer(reno(10), 10, 10);
        assertEquals(List.of(), p.ack(9));             // segment 9, the last, was lost
        // One segment in flight: PTO = 2·SRTT + WCDelAckT = 40 + 200 ms (well before the 1 s RTO).
        assertEquals(Duration.ofMillis(240), p.h.untilNextDeadline());
        p.advance(Duration.ofMillis(239));
        assertEquals(List.of(), p.data());
        p.advance(Duration.ofMillis(1));
        assertEquals(List.of(9), p.data());            // no new data: the last segment is the probe
        assertEquals(1, p.h.c.tlpProbes());
        p.advance(RTT);
        assertEquals(List.of(), p.ack(10));
        assertEquals(0, p.h.c.sendQueue());
        assertEquals(0, p.h.c.timeouts());
        assertEquals(1, p.h.c.retransmittedSegments());
    }

    @Test
    void C2_12_tailLossProbeRevealsTwoTailLossesToRack() {
        var p = new Peer(reno(10), 10, 10);
        assertEquals(List.of(), p.ack(8));             // 8 and 9 lost
        assertEquals(Duration.ofMillis(40), p.h.untilNextDeadline(), "PTO = 2·SRTT");
        p.advance(Duration.ofMillis(40));
        assertEquals(List.of(9), p.data());
        p.advance(RTT);
        // The probe's SACK: RACK sees 8 was sent long before the delivered probe — lost, fast recovery.
        assertEquals(List.of(8), p.ack(8, 9, 10));
        assertEquals(TcpConnection.RECOVERY, p.h.c.recoveryState());
        p.advance(RTT);
        assertEquals(List.of(), p.ack(10));
        assertEquals(TcpConnection.OPEN, p.h.c.recoveryState());
        assertEquals(0, p.h.c.timeouts());
        assertEquals(2, p.h.c.retransmittedSegments());
    }

    @Test
    void tailLossProbeSendsNewDataWhenThereIsSome() {
        // cwnd full (10 segments out, 20 written): the probe is one new segment beyond cwnd.
        var p = new Peer(reno(10), 40, 10);
        // 0..8 acknowledged: slow start lets 11 new segments out (cwnd 12 MSS, 1 segment still out).
        assertEquals(List.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), p.ack(9));
        // Their ACKs never come: PTO = 2·SRTT after the last new data; the probe is new data beyond cwnd.
        assertEquals(Duration.ofMillis(40), p.h.untilNextDeadline());
        p.advance(Duration.ofMillis(40));
        assertEquals(List.of(21), p.data());
        assertEquals(0, p.h.c.retransmittedSegments());
        assertEquals(1, p.h.c.tlpProbes());
        // One probe per episode: no second one before its ACK.
        p.advance(Duration.ofMillis(100));
        assertEquals(List.of(), p.data());
    }

    // ------------------------------------------------------------------ RTO and reneging

    @Test
    void C2_12_rtoAfterAFailedRecoveryMarksAllLostAndIgnoresOldSacks() {
        var p = new Peer(reno(10), 10, 10);
        assertEquals(List.of(), p.ack(0, 1, 2));
        assertEquals(List.of(), p.ack(0, 1, 3));
        assertEquals(List.of(0), p.ack(0, 1, 4));
        assertEquals(List.of(), p.ack(0, 1, 10));
        // The retransmission of 0 is lost as well: only the RTO (1 s) repairs it.
        // RTO: 1 s from the first transmission, 20 ms ago.
        p.advance(Duration.ofMillis(979));
        assertEquals(List.of(), p.data());
        p.advance(Duration.ofMillis(1));
        assertEquals(List.of(0), p.data());            // cwnd = 1 SMSS: one segment
        assertEquals(1, p.h.c.timeouts());
        assertEquals(TcpConnection.LOSS, p.h.c.recoveryState());
        // RFC 2018 §8 / RFC 6675 §5.1: the SACKs before the timeout are forgotten, everything is lost.
        assertEquals(0, p.h.c.scoreboard().sackedBytes());
        assertEquals(10L * SEG, p.h.c.scoreboard().lostBytes());
        // The peer had reneged: it holds only segment 0 now. Slow start resends 1 and 2 — not skipped as
        // they would have been with the old SACK information.
        assertEquals(List.of(1, 2), p.ack(1));
        // SACK information after the timeout is used again: 3 and 4 are resent, never 5..9.
        assertEquals(List.of(3, 4), p.ack(3, 5, 10));
        assertEquals(List.of(), p.ack(10));
        assertEquals(TcpConnection.OPEN, p.h.c.recoveryState());
        assertEquals(0, p.h.c.sendQueue());
    }

    @Test
    void C2_12_renegingClearsTheSacksAndKeepsTheData() {
        var p = new Peer(reno(10).toBuilder().tlp(false).build(), 10, 10);
        assertEquals(List.of(), p.ack(1, 2, 4));       // 1 late, 2 and 3 SACKed
        assertEquals(2L * SEG, p.h.c.scoreboard().sackedBytes());
        int queued = p.h.c.sendQueue();
        // The ACK ends where SACKed data begins: the receiver discarded 2 and 3 (RFC 2018 §8).
        assertEquals(List.of(), p.ack(2));
        assertEquals(1, p.h.c.reneges());
        assertEquals(0, p.h.c.scoreboard().sackedBytes());
        assertEquals(queued - SEG, p.h.c.sendQueue(), "SACKed data is still held");
        // Segment 2, no longer SACKed and sent long before the delivered 1, is lost for RACK once the
        // reordering window (1 was late: 5 ms) has passed, and goes out again.
        p.advance(Duration.ofMillis(10));
        assertEquals(List.of(2), p.data());
    }

    // ------------------------------------------------------------------ the scoreboard

    @Test
    void scoreboardCountersStayExactAndMemoryStaysBounded() {
        Random rnd = new Random(42);
        SackScoreboard sb = new SackScoreboard(64);
        long una = 1, top = 1, now = 0;
        for (int step = 0; step < 20_000; step++) {
            now += 1000;
            int op = rnd.nextInt(10);
            if (op < 4 && top - una < 200_000) {
                long len = 1 + rnd.nextInt(1448);
                sb.onSend(top, top + len, now);
                top += len;
            } else if (op < 6 && top > una) {
                long l = una + (long) (rnd.nextDouble() * (top - una));
                long r = Math.min(top, l + 1 + rnd.nextInt(5000));
                sb.sack(l, r, null);
            } else if (op < 7 && top > una) {
                una = Math.min(top, una + rnd.nextInt(3000));
                sb.ackedTo(una, null);
            } else if (op < 8 && !sb.isEmpty()) {
                sb.markLost(sb.headIndex() + rnd.nextInt(sb.size()));
            } else if (op < 9 && top > una) {
                long l = una + (long) (rnd.nextDouble() * (top - una));
                sb.onSend(l, Math.min(top, l + 1 + rnd.nextInt(3000)), now);
            } else if (rnd.nextInt(50) == 0) {
                sb.clearSacked();
                sb.markAllLost();
            }
            long[] c = sb.recount();
            assertArrayEquals(new long[] {sb.sackedBytes(), sb.lostBytes(), sb.retransmittedBytes(), sb.sackedSegments()},
                    c, "step " + step);
            assertTrue(sb.size() <= 64, "bounded: " + sb.size());
            assertEquals(Math.max(0, (top - una) - c[0] - c[1] + c[2]), sb.pipe(), "pipe at step " + step);
            // entries are sorted and contiguous from SND.UNA to the top
            long at = una;
            for (int k = sb.headIndex(); k < sb.tailIndex(); k++) {
                assertEquals(at, sb.startAt(k), "contiguous at step " + step);
                assertTrue(sb.endAt(k) > sb.startAt(k));
                at = sb.endAt(k);
            }
            if (!sb.isEmpty()) assertEquals(top, at);
        }
        assertFalse(sb.size() > 64);
    }
}
