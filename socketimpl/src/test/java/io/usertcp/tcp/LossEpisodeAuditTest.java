package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audits the sender's multiplicative decrease under seeded random loss on virtual time: a bulk transfer
 * over a 20 ms RTT, 100 Mbit/s path with loss on the data direction only, recording every lost segment
 * against every congestion response of the sender (RFC 5681 §3.2 / RFC 6675 §5 / RFC 8985 §7.4 / RFC
 * 9438 §4.6: one multiplicative decrease per loss episode, i.e. per window of data with a loss in it).
 */
class LossEpisodeAuditTest {
    static final long ONE_WAY = 10_000_000L;      // 10 ms: 20 ms RTT
    static final long PER_PACKET = 120_000L;      // ~100 Mbit/s serialisation of a 1500-byte packet

    /** A CongestionControl wrapper that records each decision of the connection. */
    static final class Recording implements CongestionControl {
        final CongestionControl d;
        final Audit a;

        Recording(CongestionControl d, Audit a) {
            this.d = d;
            this.a = a;
        }

        @Override public String name() { return d.name(); }
        @Override public int cwnd() { return d.cwnd(); }
        @Override public int ssthresh() { return d.ssthresh(); }
        @Override public void setMss(int mss) { d.setMss(mss); }

        @Override
        public void onAck(int acked, int flightBefore, long now) {
            if (a.inRecovery) a.growthInRecovery++;
            d.onAck(acked, flightBefore, now);
        }

        @Override
        public void onCongestionEvent(int flightSize, long now) {
            a.reduction("fast", d.cwnd(), now);
            a.flightOverCwnd += (double) flightSize / d.cwnd();
            a.flightEvents++;
            a.inRecovery = true;
            a.cwndAtEntry = d.cwnd();
            d.onCongestionEvent(flightSize, now);
            double beta = d.name().equals("cubic") ? Cubic.BETA : 0.5;
            if (d.ssthresh() > Math.max(2 * 1460, beta * a.cwndAtEntry) + 1) a.decreaseAboveBeta++;
        }

        @Override
        public void setCwnd(int cwnd) {
            if (a.inRecovery && cwnd > a.cwndAtEntry) a.prrAboveEntry++;
            d.setCwnd(cwnd);
        }

        @Override
        public void onRecoveryEnd(long now) {
            if (a.inRecovery && a.currentAck < a.recoverPoint) a.earlyExits++;
            a.inRecovery = false;
            d.onRecoveryEnd(now);
        }

        @Override
        public void onRto(int flightSize, boolean first, long now) {
            a.rtos++;
            if (first) a.reduction("rto", d.cwnd(), now);
            a.inRecovery = false;
            d.onRto(flightSize, first, now);
        }

        @Override public void onIdleRestart(long now) { a.idleRestarts++; d.onIdleRestart(now); }
        @Override public void onRttSample(long rttNanos, long now) { d.onRttSample(rttNanos, now); }
        @Override public void onAckedUpTo(long sndUna, long sndNxt, long now) { d.onAckedUpTo(sndUna, sndNxt, now); }
        @Override public void inherit(int cwnd, int ssthresh) { d.inherit(cwnd, ssthresh); }
        @Override public void setPaced(boolean paced) { d.setPaced(paced); }
    }

    /** What the net and the wrapper saw. */
    static final class Audit {
        long highestSent;                 // relative end of the highest data sent A→B
        long currentAck;                  // relative cumulative ACK being processed by A
        long recoverPoint;
        boolean inRecovery;
        int cwndAtEntry;
        double flightOverCwnd;
        long flightEvents, decreaseAboveBeta;
        long growthInRecovery, prrAboveEntry, earlyExits, rtos, idleRestarts;
        final List<long[]> reductions = new ArrayList<>(); // {time, recover point, kind 0 fast / 1 rto}
        final List<Long> drops = new ArrayList<>();       // relative start of each dropped first transmission
        final List<Long> dropTimes = new ArrayList<>();
        long retransDrops;

        void reduction(String kind, int cwnd, long now) {
            recoverPoint = highestSent;
            reductions.add(new long[] {now, highestSent, kind.equals("rto") ? 1 : 0});
        }
    }

    record Ev(long at, long order, boolean toB, TcpSegment seg) { }

    record Result(long late, long episodes, long reductions, long fast, long rto, long emptyReductions, double meanCwndSegs,
                  double mbps, long segsSent, long drops, long retransDrops, Audit audit, TcpConnection sender) { }

    static Result simulate(String cc, long seed, double loss, long virtualNanos) {
        TcpConfig cfg = TcpConfig.DEFAULT.toBuilder().congestionControl(cc)
                .sendBufferSize(4 << 20).receiveBufferSize(4 << 20).build();
        Audit audit = new Audit();
        Random rnd = new Random(seed);
        IsnGenerator isn = new IsnGenerator(seed, ~seed);
        var keyA = new ConnectionKey(MemoryNet.A_IP, 40000, MemoryNet.B_IP, 80);
        var keyB = new ConnectionKey(MemoryNet.B_IP, 80, MemoryNet.A_IP, 40000);
        TcpConnection a = new TcpConnection(1, cfg, keyA, TcpEventListener.NONE, isn);
        try {
            var f = TcpConnection.class.getDeclaredField("cc");
            f.setAccessible(true);
            f.set(a, new Recording((CongestionControl) f.get(a), audit));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        TcpListener listener = new TcpListener(cfg, 80, 8, TcpEventListener.NONE, isn, () -> 2);
        TcpConnection[] b = new TcpConnection[1];
        PriorityQueue<Ev> q = new PriorityQueue<>((x, y) -> x.at != y.at ? Long.compare(x.at, y.at)
                : Long.compare(x.order, y.order));
        long[] order = {0}, linkFree = {0}, now = {TcpHarness.START};
        long[] isnA = {0}, segsSent = {0};
        boolean[] haveIsn = {false};
        SegmentSink fromA = (c, s) -> {
            TcpSegment seg = TcpHarness.copy(s);
            if (seg.syn()) {
                isnA[0] = Integer.toUnsignedLong(seg.seq());
                haveIsn[0] = true;
            }
            if (seg.payloadLength() > 0) {
                segsSent[0]++;
                long rel = Integer.toUnsignedLong(seg.seq() - (int) isnA[0] - 1);
                // unwrap near the highest sent
                long hi = audit.highestSent;
                rel = hi - ((int) (hi - rel));
                long end = rel + seg.payloadLength();
                boolean retrans = rel < audit.highestSent;
                if (end > audit.highestSent) audit.highestSent = end;
                if (rnd.nextDouble() < loss) {
                    if (retrans) audit.retransDrops++;
                    else {
                        audit.drops.add(rel);
                        audit.dropTimes.add(now[0]);
                    }
                    return;
                }
            }
            long at = Math.max(now[0], linkFree[0]) + PER_PACKET;
            linkFree[0] = at;
            q.add(new Ev(at + ONE_WAY, order[0]++, true, seg));
        };
        SegmentSink fromB = (c, s) -> q.add(new Ev(now[0] + ONE_WAY, order[0]++, false, TcpHarness.copy(s)));
        a.connect(now[0]);
        byte[] chunk = new byte[64 * 1024];
        byte[] rbuf = new byte[256 * 1024];
        long received = 0, measureFrom = 0, receivedAtMeasure = 0;
        long end = now[0] + virtualNanos, warm = now[0] + 2_000_000_000L;
        double cwndArea = 0;
        long lastSample = -1;
        int lastCwnd = 0;
        while (now[0] < end) {
            a.poll(now[0], fromA);
            if (b[0] != null) b[0].poll(now[0], fromB);
            long next = q.isEmpty() ? Long.MAX_VALUE : q.peek().at;
            next = Math.min(next, a.nextDeadline());
            if (b[0] != null) next = Math.min(next, b[0].nextDeadline());
            next = Math.min(next, end);
            // time-weighted cwnd after the warm-up
            if (now[0] >= warm) {
                if (lastSample >= 0) cwndArea += (double) lastCwnd * (Math.min(next, end) - now[0]);
                lastSample = now[0];
                lastCwnd = a.congestionControl().cwnd();
                if (measureFrom == 0) {
                    measureFrom = now[0];
                    receivedAtMeasure = received;
                }
            }
            now[0] = Math.max(now[0], next);
            while (!q.isEmpty() && q.peek().at <= now[0]) {
                Ev e = q.poll();
                TcpSegment seg = e.toB ? TcpHarness.copy(e.seg) : e.seg;
                if (e.toB) {
                    if (b[0] == null) {
                        b[0] = listener.onSegment(seg, keyB, now[0], (k, s) -> fromB.send(null, s));
                        continue;
                    }
                    b[0].onSegment(seg, now[0]);
                } else {
                    if (haveIsn[0] && seg.hasAck()) {
                        long rel = Integer.toUnsignedLong(seg.ack() - (int) isnA[0] - 1);
                        long hi = audit.highestSent;
                        audit.currentAck = hi - ((int) (hi - rel));
                    }
                    a.onSegment(seg, now[0]);
                }
            }
            if (a.nextDeadline() <= now[0]) a.onTimer(now[0]);
            if (b[0] != null && b[0].nextDeadline() <= now[0]) b[0].onTimer(now[0]);
            TcpConnection acc = listener.accept();
            if (acc != null) b[0] = acc;
            if (a.state().isSynchronized()) {
                while (a.write(chunk, 0, chunk.length, now[0]) > 0) { }
            }
            if (b[0] != null) {
                int n;
                while ((n = b[0].read(rbuf, 0, rbuf.length, now[0])) > 0) received += n;
            }
        }
        double seconds = (end - measureFrom) / 1e9;
        double meanCwnd = cwndArea / (end - measureFrom) / 1460.0;
        double mbps = (received - receivedAtMeasure) * 8 / seconds / 1e6;
        // Map each dropped first transmission to the reduction window [R(i-1), R(i)) it falls in.
        long empty = 0, episodes = 0, fast = 0, rto = 0;
        List<Long> drops = audit.drops;
        int di = 0;
        long prev = 0, late = 0, maxDelay = 0;
        for (long[] r : audit.reductions) {
            if (r[2] == 0) fast++; else rto++;
            int count = 0;
            while (di < drops.size() && drops.get(di) < r[1]) {
                if (drops.get(di) >= prev) {
                    long delay = r[0] - audit.dropTimes.get(di);
                    if (count == 0) {
                        maxDelay = Math.max(maxDelay, delay);
                        if (delay > 1_000_000_000L) late++;
                    }
                    count++;
                }
                di++;
            }
            if (count == 0) empty++;
            else episodes++;
            prev = r[1];
        }
        // Drops after the last reduction's window that are old enough to have been detected (sent more
        // than a second before the end) but never led to a reduction.
        long undetected = drops.size() - di;
        System.out.printf("  first-drop-to-reduction: max %.0f ms, over 1 s: %d; mean FlightSize/cwnd at the congestion event %.3f%n",
                maxDelay / 1e6, late, audit.flightOverCwnd / Math.max(1, audit.flightEvents));
        System.out.printf("  ssthresh above beta x cwnd at the event: %d%n", audit.decreaseAboveBeta);
        System.out.printf("%s seed %d loss %.2f%%: %.1f s, segs %d, drops %d (+%d retrans), reductions %d (fast %d, rto %d,"
                        + " without a drop %d), undetected tail drops %d, tlpRepairs %d, recoveryEpisodes %d,"
                        + " growth in recovery %d, PRR above entry cwnd %d, early exits %d, mean cwnd %.2f segs,"
                        + " goodput %.2f Mbit/s, episodes/seg %.5f -> Mathis 1.22/sqrt(p_e) = %.2f, 1.22/sqrt(p) = %.2f%n",
                cc, seed, loss * 100, seconds, segsSent[0], drops.size(), audit.retransDrops, audit.reductions.size(),
                fast, rto, empty, undetected, a.tlpRepairs(), a.recoveryEpisodes(), audit.growthInRecovery,
                audit.prrAboveEntry, audit.earlyExits, meanCwnd, mbps, (double) audit.reductions.size() / segsSent[0],
                1.22 / Math.sqrt((double) audit.reductions.size() / segsSent[0]), 1.22 / Math.sqrt(loss));
        return new Result(late, episodes, audit.reductions.size(), fast, rto, empty, meanCwnd, mbps, segsSent[0],
                drops.size(), audit.retransDrops, audit, a);
    }

    /**
     * RFC 5681 §3.2 eq. 4 / RFC 9438 §4.6: the decrease is β of the window in use. The sender clocks new
     * data out on SACKs before it detects the loss (as Linux), so SND.MAX − SND.UNA is 1.3–1.4 × cwnd by
     * then; ssthresh must still be at most β·cwnd (RFC 6675 §5: only Limited Transmit goes beyond cwnd
     * before recovery), else CUBIC's β = 0.7 acts as ~0.9 and it takes twice its Reno-friendly share.
     */
    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"cubic, 2", "reno, 2"})
    void rfc5681Section3_2DecreaseIsBetaOfTheWindowInUse(String cc, long seed) {
        Result r = simulate(cc, seed, 0.01, 20_000_000_000L);
        assertTrue(r.reductions() > 50, "reductions " + r.reductions());
        assertEquals(0, r.audit().decreaseAboveBeta, "congestion events with ssthresh above beta x cwnd");
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"cubic, 1", "reno, 1"})
    void everyLossEpisodeReducesTheWindowOnce(String cc, long seed) {
        Result r = simulate(cc, seed, 0.01, 60_000_000_000L);
        assertTrue(r.drops() > 100, "drops " + r.drops());
        assertEquals(0, r.late(), "loss episodes whose reduction came over a second after the loss");
        assertEquals(0, r.emptyReductions(), "reductions with no loss in their window");
        assertEquals(0, r.audit().growthInRecovery, "cwnd grew (onAck) during recovery");
        assertEquals(0, r.audit().earlyExits, "recovery ended before the ACK covered the recovery point");
    }
}
