package io.usertcp.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.MSS;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.bytes;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optional pacing (TcpConfig.pacing): the segments of a window leave spaced at cwnd/SRTT × 2 (slow start). */
class PacingTest {

    static TcpHarness withRtt(boolean pacing) {
        var cfg = TcpHarness.testConfig().toBuilder().noDelay(true).initialWindowSegments(10).pacing(pacing).build();
        var h = TcpHarness.established(cfg);
        // One RTT sample of 100 ms.
        h.write("x");
        h.drain();
        h.advance(Duration.ofMillis(100));
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));
        h.drain();
        assertTrue(h.c.info().srttNanos() > 0);
        return h;
    }

    @Test
    void withoutPacingTheWindowLeavesAtOnce() {
        var h = withRtt(false);
        h.write(bytes(10 * MSS, 1));
        assertEquals(10, h.drain().size());
    }

    @Test
    void pacedSegmentsAreSpacedAtTwiceCwndPerSrttInSlowStart() {
        var h = withRtt(true);
        long srtt = h.c.info().srttNanos();
        int cwnd = h.c.info().cwnd();
        assertEquals(10 * MSS, cwnd);
        long gap = (long) (MSS * (double) srtt / 2.0 / cwnd);   // rate = 2·cwnd/SRTT
        long slack = srtt >> 4;
        h.write(bytes(10 * MSS, 2));
        int burst = h.drain().size();
        // The first segment goes at once (nothing in flight), then as long as the pacing clock is within
        // SRTT/16 of now.
        assertEquals(1 + (int) (slack / gap), burst);
        List<Long> times = new ArrayList<>();
        long start = 0;
        long step = 100_000; // 0.1 ms
        for (long t = step; t <= srtt && times.size() < 10 - burst; t += step) {
            h.advance(Duration.ofNanos(step));
            int n = h.drain().size();
            assertTrue(n <= 1, "one paced segment at a time, got " + n);
            if (n == 1) times.add(t);
        }
        assertEquals(10 - burst, times.size(), "the whole window within one SRTT");
        for (int i = 1; i < times.size(); i++) {
            long d = times.get(i) - times.get(i - 1);
            assertTrue(Math.abs(d - gap) <= step, "spacing " + d + " ns, want " + gap);
        }
        // The whole window took about cwnd/rate = SRTT/2.
        long last = times.get(times.size() - 1) - start;
        assertTrue(last >= (10 - burst) * gap - 2 * step && last <= srtt / 2, "last segment at " + last);
    }

    @Test
    void pacingCanBeSwitchedPerConnection() {
        var h = withRtt(false);
        h.c.setPacing(true);
        h.write(bytes(10 * MSS, 3));
        int paced = h.drain().size();
        assertTrue(paced < 10, "paced: " + paced);
        h.c.setPacing(false);
        h.poll();
        assertEquals(10, paced + h.drain().size());     // the rest at once
    }
}
