package io.usertcp.tcp;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.MSS;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.wire.TcpSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TCP segmentation offload in the send loop: with {@link TcpConnection#setSegmentationOffload} the
 * connection emits super-segments of whole MSS (the link cuts them), still bounded by cwnd and the
 * peer's window; a short tail goes only when Nagle would let it go (Linux tcp_mss_split_point).
 */
class SegmentationOffloadTest {

    /** 64 KiB TSO limit as the stack sets it for a TUN with TSO: 65535 − 20 − 60. */
    static final int TSO_MAX = 65455;

    static TcpHarness established(boolean tso) {
        TcpHarness h = TcpHarness.established(TcpConfig.DEFAULT.toBuilder().initialWindowSegments(10).build());
        if (tso) h.c.setSegmentationOffload(TSO_MAX);
        return h;
    }

    static void write(TcpHarness h, int n) {
        assertEquals(n, h.c.write(TcpHarness.bytes(n, 7), 0, n, h.now));
        h.poll();
    }

    @Test
    void oneSuperSegmentFillsTheCongestionWindow() {
        TcpHarness h = established(true);
        int cwnd = h.c.info().cwnd();
        assertEquals(10 * MSS, cwnd, "initial window of 10 segments");
        write(h, 100_000);
        TcpSegment s = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(10 * MSS));
        assertEquals(0, s.payloadLength() % MSS);
        // The ACK of all ten opens cwnd (slow start) and the window: the next super-segment is larger.
        h.deliver(seg().ack().seq(REMOTE + 1).ack(LOCAL + 1 + 10 * MSS).window(65535));
        List<TcpSegment> next = h.drain();
        assertEquals(1, next.size(), () -> h.describeAll(next));
        int len = next.get(0).payloadLength();
        assertTrue(len > 10 * MSS && len % MSS == 0 && len <= 65535, "super-segment of whole MSS: " + len);
    }

    @Test
    void withoutOffloadEverySegmentIsOneMss() {
        TcpHarness h = established(false);
        write(h, 100_000);
        List<TcpSegment> out = h.drain();
        assertEquals(10, out.size());
        for (TcpSegment s : out) assertEquals(MSS, s.payloadLength());
    }

    @Test
    void theShortTailWaitsForTheAckAsNagleWouldHoldIt() {
        TcpHarness h = established(true);
        write(h, 3 * MSS + 620);
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(3 * MSS));
        h.deliver(seg().ack().seq(REMOTE + 1).ack(LOCAL + 1 + 3 * MSS));
        h.expect(seg().ack().psh().seq(LOCAL + 1 + 3 * MSS).ack(REMOTE + 1).len(620));
    }

    @Test
    void theShortTailGoesAtOnceWithNoDelayOrWithTheFin() {
        TcpHarness h = established(true);
        h.c.setNoDelay(true);
        write(h, 3 * MSS + 620);
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).len(3 * MSS + 620));

        TcpHarness f = established(true);
        assertEquals(3 * MSS + 620, f.c.write(TcpHarness.bytes(3 * MSS + 620, 3), 0, 3 * MSS + 620, f.now));
        f.c.close(f.now);
        f.poll();
        f.expect(seg().ack().psh().fin().seq(LOCAL + 1).ack(REMOTE + 1).len(3 * MSS + 620));
    }

    @Test
    void thePeersWindowBoundsTheSuperSegmentToWholeMss() {
        TcpHarness h = TcpHarness.established(TcpConfig.DEFAULT.toBuilder().initialWindowSegments(40).build(),
                TcpHarness.DEFAULT_REMOTE_ISS, MSS, 10_000);
        h.c.setSegmentationOffload(TSO_MAX);
        write(h, 100_000);
        // 10000 bytes of window: 6 whole MSS (8760) now; the 1240 left would be a Nagle-held runt.
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(6 * MSS));
    }
}
