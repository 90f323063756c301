package io.usertcp.tcp;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small parts: SipHash, ByteRing, OutOfOrderRanges, RttEstimator, TcpState, TcpConfig. */
class UnitsTest {

    @Test
    void sipHash24MatchesReferenceVector() {
        // Reference implementation vectors_sip64[16]: key 00..0f, message 00..0f.
        var g = new IsnGenerator(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        assertEquals(0x3f2acc7f57c29bdbL, g.sipHash24(0x0706050403020100L, 0x0f0e0d0c0b0a0908L));
    }

    @Test
    void byteRingWrapsGrowsAndBounds() {
        var r = new ByteRing(10_000);
        assertEquals(0, r.allocated());                     // lazy
        var rnd = new Random(1);
        byte[] all = new byte[200_000];
        rnd.nextBytes(all);
        long w = 0, rd = 0;
        while (rd < all.length) {
            int n = (int) Math.min(rnd.nextInt(3000), Math.min(all.length - w, 10_000 - (w - rd)));
            if (n > 0) {
                r.put(w, all, (int) w, n);
                w += n;
            }
            int m = (int) Math.min(rnd.nextInt(3000), w - rd);
            byte[] out = new byte[m];
            r.get(rd, out, 0, m);
            for (int i = 0; i < m; i++) assertEquals(all[(int) rd + i], out[i]);
            rd += m;
            r.advanceHead(rd);
        }
        assertTrue(r.allocated() <= 16_384);
        assertThrows(IllegalStateException.class, () -> r.put(r.head() + 9_999, new byte[2], 0, 2));
        // ByteBuffer put at an offset (out of order), then read back.
        var q = new ByteRing(100);
        q.put(50, ByteBuffer.wrap(new byte[] {5, 6, 7}));
        q.put(0, ByteBuffer.wrap(new byte[] {1, 2}));
        byte[] got = new byte[3];
        q.get(50, got, 0, 3);
        assertArrayEquals(new byte[] {5, 6, 7}, got);
    }

    @Test
    void outOfOrderRangesMergeAndBound() {
        var o = new OutOfOrderRanges(3);
        assertTrue(o.add(10, 20));
        assertTrue(o.add(30, 40));
        assertTrue(o.add(50, 60));
        assertFalse(o.add(70, 80));                          // full: a fourth interval is refused
        assertTrue(o.add(20, 30));                           // joins two
        assertEquals(2, o.count());
        assertEquals(10, o.start(0));
        assertEquals(40, o.end(0));
        assertTrue(o.add(5, 65));                            // swallows all
        assertEquals(1, o.count());
        assertEquals(60, o.bytes());
        assertEquals(0, o.pullContiguous(0));               // nothing starts at 0
        assertEquals(65, o.pullContiguous(5));
        assertTrue(o.isEmpty());
    }

    @Test
    void rttEstimatorClampsAndBacksOff() {
        var r = new RttEstimator(1_000_000_000L, 200_000_000L, 4_000_000_000L);
        assertEquals(1_000_000_000L, r.rto());
        r.backoff();
        r.backoff();
        assertEquals(4_000_000_000L, r.rto());
        r.backoff();
        assertEquals(4_000_000_000L, r.rto());              // max
        r.sample(10_000_000L);                               // 10 ms: SRTT + 4·RTTVAR = 30 ms → min 200 ms
        assertEquals(200_000_000L, r.rto());
        assertEquals(0, r.backoffCount());
    }

    @Test
    void statesNamesAndPredicates() {
        assertEquals("SYN-RECEIVED", TcpState.SYN_RECEIVED.toString());
        assertEquals("TIME-WAIT", TcpState.TIME_WAIT.toString());
        assertTrue(TcpState.SYN_SENT.isHandshake());
        assertFalse(TcpState.SYN_RECEIVED.isSynchronized());
        assertTrue(TcpState.CLOSE_WAIT.isSynchronized());
        assertTrue(TcpState.CLOSED.isClosed());
        assertEquals(11, TcpState.values().length);
    }

    @Test
    void configDefaultsAndBuilder() {
        var d = TcpConfig.DEFAULT;
        assertEquals(1460, d.mss());
        assertEquals(6, d.synRetries());
        assertEquals(15, d.dataRetries());
        assertEquals(1000, d.rtoMin().toMillis());
        assertEquals(120, d.rtoMax().toSeconds());
        assertEquals(960, TcpConfig.forMtu(1000).mss());
        assertEquals(d, d.toBuilder().build());
        assertTrue(d.windowScaling() && d.timestamps() && d.sackPermitted(), "RFC 7323 and SACK on by default, as Linux");
        assertEquals(IcmpErrorKind.FRAGMENTATION_NEEDED, IcmpErrorKind.of(3, 4));
        assertEquals(IcmpErrorKind.PORT_UNREACHABLE, IcmpErrorKind.of(3, 3));
        assertEquals(null, IcmpErrorKind.of(4, 0));
    }
}
