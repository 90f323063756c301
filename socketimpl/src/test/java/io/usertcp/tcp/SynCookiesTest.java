package io.usertcp.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * SYN cookies (RFC 4987 §3.6) at the listener: the C1.10 scenarios with cookies on. Beyond the backlog
 * a SYN gets a cookie SYN-ACK and leaves no state; the ACK that returns the cookie rebuilds the
 * connection (ESTABLISHED, in the accept queue, in completion order); forged, altered or expired
 * cookies are reset; options survive as documented (MSS from a 4-entry table, window scale and SACK
 * only beside timestamps).
 */
class SynCookiesTest {
    static final int LOCAL_IP = 0xC6120002, REMOTE_IP = 0xC6120001, PORT = 80;
    static final long T0 = 5_000_000_000_000L;

    final AtomicLong ids = new AtomicLong(1);
    final List<TcpSegment> replies = new ArrayList<>();
    final TcpListener.ReplySink sink = (k, s) -> replies.add(s);

    TcpListener listener(SynCookieMode mode, int backlog) {
        return new TcpListener(TcpConfig.DEFAULT.withSynCookies(mode), PORT, backlog, TcpEventListener.NONE,
                new IsnGenerator(7, 8), ids::getAndIncrement);
    }

    static ConnectionKey key(int port) {
        return new ConnectionKey(LOCAL_IP, PORT, REMOTE_IP, port);
    }

    static TcpSegment syn(int port, int seq, TcpOptions o) {
        return new TcpSegment(port, PORT, seq, 0, TcpHeader.FLAG_SYN, 65535, 0, o, ByteBuffer.allocate(0));
    }

    static TcpSegment ack(int port, int seq, int ack, TcpOptions o, byte[] data) {
        return new TcpSegment(port, PORT, seq, ack, TcpHeader.FLAG_ACK | (data.length > 0 ? TcpHeader.FLAG_PSH : 0),
                1000, 0, o, ByteBuffer.wrap(data));
    }

    TcpSegment onlyReply() {
        assertEquals(1, replies.size(), () -> "replies: " + replies);
        return replies.remove(0);
    }

    // ---------------------------------------------------------------------------- C1.10 with cookies

    @Test
    void C1_10_cookiesBeyondTheBacklogKeepNoStateAndServeInCompletionOrder() {
        TcpListener l = listener(SynCookieMode.ON_OVERFLOW, 2);
        // Two SYNs fill the backlog with ordinary SYN-RECEIVED children.
        TcpConnection k0 = l.onSegment(syn(5000, 1000, TcpOptions.NONE.withMss(1460)), key(5000), T0, sink);
        TcpConnection k1 = l.onSegment(syn(5001, 2000, TcpOptions.NONE.withMss(1460)), key(5001), T0, sink);
        assertNotNull(k0);
        assertNotNull(k1);
        assertTrue(replies.isEmpty(), "children answer at their poll");
        // Beyond the backlog: a stateless cookie SYN-ACK instead of a drop.
        for (int i = 2; i < 50; i++) {
            assertNull(l.onSegment(syn(5000 + i, 1000 * i, TcpOptions.NONE.withMss(1460)), key(5000 + i), T0, sink));
        }
        assertEquals(2, l.synQueueSize());
        assertEquals(0, l.droppedSyns());
        assertEquals(48, l.cookiesSent());
        assertEquals(48, replies.size());
        List<TcpSegment> synAcks = new ArrayList<>(replies);
        replies.clear();
        for (int i = 2; i < 50; i++) {
            TcpSegment sa = synAcks.get(i - 2);
            assertEquals(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, sa.flags());
            assertEquals(1000 * i + 1, sa.ack());
            assertEquals(5000 + i, sa.dstPort());
            assertEquals(TcpConfig.DEFAULT.mss(), sa.options().mss());
            assertFalse(sa.options().hasTimestamps(), "the SYN offered none (C1.11)");
            assertEquals(-1, sa.options().windowScale());
            assertFalse(sa.options().sackPermitted());
        }
        // The cookie ACKs complete in reverse order; the accept queue follows completion (C1.10) but
        // holds at most the backlog: the ACKs beyond it are dropped without a reset (as Linux).
        TcpConnection c9 = l.onSegment(ack(5009, 9001, synAcks.get(7).seq() + 1, TcpOptions.NONE, new byte[0]),
                key(5009), T0 + 1_000_000, sink);
        TcpConnection c3 = l.onSegment(ack(5003, 3001, synAcks.get(1).seq() + 1, TcpOptions.NONE, new byte[0]),
                key(5003), T0 + 2_000_000, sink);
        assertNotNull(c9);
        assertNotNull(c3);
        assertEquals(TcpState.ESTABLISHED, c9.state());
        assertTrue(c9.isPassive());
        assertEquals(2, l.acceptQueueSize());
        assertEquals(2, l.cookiesValidated());
        TcpSegment late = ack(5004, 4001, synAcks.get(2).seq() + 1, TcpOptions.NONE, new byte[0]);
        assertNull(l.onSegment(late, key(5004), T0, sink));
        assertTrue(replies.isEmpty(), "accept queue full: dropped, not reset");
        assertEquals(1, l.cookieAcksDropped());
        assertSame(c9, l.accept());
        assertSame(c3, l.accept());
        assertNull(l.accept());
        // The peer's retransmission finds room now.
        TcpConnection c4 = l.onSegment(late, key(5004), T0 + 3_000_000, sink);
        assertNotNull(c4);
        assertSame(c4, l.accept());
        // The first two still complete the ordinary way.
        List<TcpSegment> out = new ArrayList<>();
        k0.poll(T0, (from, s) -> out.add(s));
        k0.onSegment(ack(5000, 1001, out.get(0).seq() + 1, TcpOptions.NONE, new byte[0]), T0);
        assertSame(k0, l.accept());
        assertEquals(3, l.cookiesValidated());
        assertEquals(0, l.cookiesFailed());
    }

    @Test
    void C1_10_acceptQueueFullDropsSynsEvenWithCookies() {
        TcpListener l = listener(SynCookieMode.ALWAYS, 1);
        assertNull(l.onSegment(syn(6000, 10, TcpOptions.NONE), key(6000), T0, sink));
        TcpSegment sa = onlyReply();
        assertNotNull(l.onSegment(ack(6000, 11, sa.seq() + 1, TcpOptions.NONE, new byte[0]), key(6000), T0, sink));
        assertEquals(1, l.acceptQueueSize());
        // Linux drops SYNs (cookie or not) while the accept queue is full.
        assertNull(l.onSegment(syn(6001, 20, TcpOptions.NONE), key(6001), T0, sink));
        assertTrue(replies.isEmpty());
        assertEquals(1, l.droppedSyns());
    }

    @Test
    void alwaysModeKeepsNoStateForAnySyn() {
        TcpListener l = listener(SynCookieMode.ALWAYS, 128);
        assertNull(l.onSegment(syn(7000, 77, TcpOptions.NONE.withMss(1460)), key(7000), T0, sink));
        assertEquals(0, l.synQueueSize());
        TcpSegment sa = onlyReply();
        // A retransmitted SYN in the same period gets the same cookie.
        l.onSegment(syn(7000, 77, TcpOptions.NONE.withMss(1460)), key(7000), T0 + 30_000_000_000L, sink);
        assertEquals(sa.seq(), onlyReply().seq());
        // The ACK may carry data already: it is delivered.
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        TcpConnection c = l.onSegment(ack(7000, 78, sa.seq() + 1, TcpOptions.NONE, hello), key(7000), T0 + 1, sink);
        assertNotNull(c);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(5, c.readable());
        byte[] got = new byte[5];
        assertEquals(5, c.read(got, 0, 5, T0 + 1));
        assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
        // Its ACK of the data and later segments continue our sequence space from the cookie.
        List<TcpSegment> out = new ArrayList<>();
        c.write(new byte[] {1, 2, 3}, 0, 3, T0 + 1);
        c.poll(T0 + 1, (from, s) -> out.add(s));
        assertFalse(out.isEmpty());
        TcpSegment first = out.get(0);
        assertEquals(sa.seq() + 1, first.seq());
        assertEquals(78 + 5, first.ack());
    }

    // ---------------------------------------------------------------------------- options

    @Test
    void mssComesBackFromTheTable() {
        int[][] cases = {{9000, 1460}, {1460, 1460}, {1459, 1440}, {1400, 1300}, {1300, 1300}, {1000, 536},
            {536, 536}, {200, 536}, {-1, 536}};
        int port = 8000;
        for (int[] c : cases) {
            TcpListener l = listener(SynCookieMode.ALWAYS, 8);
            TcpOptions o = c[0] < 0 ? TcpOptions.NONE : TcpOptions.NONE.withMss(c[0]);
            l.onSegment(syn(port, 500, o), key(port), T0, sink);
            TcpSegment sa = onlyReply();
            TcpConnection k = l.onSegment(ack(port, 501, sa.seq() + 1, TcpOptions.NONE, new byte[0]), key(port), T0, sink);
            assertNotNull(k);
            assertEquals(Math.min(c[1], TcpConfig.DEFAULT.mss()), k.sendMss(), "peer MSS " + c[0]);
            port++;
        }
    }

    @Test
    void windowScaleAndSackSurviveInTheTimestamp() {
        TcpListener l = listener(SynCookieMode.ALWAYS, 8);
        TcpOptions o = TcpOptions.NONE.withMss(1460).withWindowScale(9).withSackPermitted(true)
                .withTimestamps(123_456, 0);
        long t = T0 + 12_345_678_901L;
        l.onSegment(syn(9000, 1, o), key(9000), t, sink);
        TcpSegment sa = onlyReply();
        TcpOptions so = sa.options();
        assertEquals(TcpConnection.windowScaleFor(TcpConfig.DEFAULT.receiveBufferSize()), so.windowScale());
        assertTrue(so.sackPermitted());
        assertTrue(so.hasTimestamps());
        assertEquals(123_456, so.tsEcr(), "RFC 7323 §3.2: the SYN-ACK echoes the SYN's TSval");
        assertEquals(9 | SynCookies.TS_SACK, so.tsVal() & SynCookies.TS_OPTION_MASK);
        // The peer echoes our TSval; 50 ms later its ACK arrives.
        long t1 = t + 50_000_000L;
        TcpOptions ao = TcpOptions.NONE.withTimestamps(123_500, so.tsVal());
        TcpConnection c = l.onSegment(ack(9000, 2, sa.seq() + 1, ao, new byte[0]), key(9000), t1, sink);
        assertNotNull(c);
        assertEquals(9, c.sendWindowScale());
        assertEquals(so.windowScale(), c.receiveWindowScale());
        assertTrue(c.sackEnabled());
        assertTrue(c.timestampsEnabled());
        assertEquals(1460, c.sendMss(), "MSS 1460 from the table");
        // Our TSval clock continues the one the SYN-ACK used: never behind it, about 50 ms ahead.
        List<TcpSegment> out = new ArrayList<>();
        c.write(new byte[] {42}, 0, 1, t1);
        c.poll(t1, (from, s) -> out.add(s));
        int tsv = out.get(0).options().tsVal();
        assertTrue(Seq.ge(tsv, so.tsVal()));
        assertTrue(tsv - so.tsVal() >= 50 && tsv - so.tsVal() < 50 + 64, "TSval step " + (tsv - so.tsVal()));
        assertEquals(123_500, out.get(0).options().tsEcr(), "TS.Recent from the ACK");
    }

    @Test
    void withoutTimestampsWindowScaleAndSackAreLost() {
        TcpListener l = listener(SynCookieMode.ALWAYS, 8);
        l.onSegment(syn(9100, 1, TcpOptions.NONE.withMss(1460).withWindowScale(7).withSackPermitted(true)),
                key(9100), T0, sink);
        TcpSegment sa = onlyReply();
        assertEquals(-1, sa.options().windowScale(), "no window scale offered without timestamps");
        assertFalse(sa.options().sackPermitted());
        assertFalse(sa.options().hasTimestamps());
        assertEquals(65535, sa.window());
        TcpConnection c = l.onSegment(ack(9100, 2, sa.seq() + 1, TcpOptions.NONE, new byte[0]), key(9100), T0, sink);
        assertNotNull(c);
        assertEquals(0, c.sendWindowScale());
        assertEquals(0, c.receiveWindowScale());
        assertFalse(c.sackEnabled());
        assertFalse(c.timestampsEnabled());
    }

    // ---------------------------------------------------------------------------- forgeries

    @Test
    void alteredForgedAndExpiredCookiesAreReset() {
        TcpListener l = listener(SynCookieMode.ALWAYS, 64);
        l.onSegment(syn(9200, 1000, TcpOptions.NONE.withMss(1460)), key(9200), T0, sink);
        int cookie = onlyReply().seq();
        // Wrong ACK number, wrong sequence number, another 4-tuple: each a reset <SEQ=SEG.ACK><CTL=RST>.
        TcpSegment[] bad = {
            ack(9200, 1001, cookie + 2, TcpOptions.NONE, new byte[0]),
            ack(9200, 1002, cookie + 1, TcpOptions.NONE, new byte[0]),
            ack(9201, 1001, cookie + 1, TcpOptions.NONE, new byte[0]),
        };
        for (TcpSegment b : bad) {
            assertNull(l.onSegment(b, key(b.srcPort()), T0, sink));
            TcpSegment rst = onlyReply();
            assertTrue(rst.rst());
            assertEquals(b.ack(), rst.seq());
        }
        assertEquals(3, l.cookiesFailed());
        assertEquals(0, l.cookiesValidated());
        // Valid for at least one period (64 s) and at most MAX_AGE (128 s).
        TcpSegment good = ack(9200, 1001, cookie + 1, TcpOptions.NONE, new byte[0]);
        long periodStart = Math.floorDiv(T0, SynCookies.PERIOD_NANOS) * SynCookies.PERIOD_NANOS;
        long expired = periodStart + SynCookies.MAX_AGE * SynCookies.PERIOD_NANOS;
        assertNull(l.onSegment(good, key(9200), expired, sink));
        assertTrue(onlyReply().rst());
        assertNotNull(l.onSegment(good, key(9200), T0 + SynCookies.PERIOD_NANOS, sink));
        assertEquals(4, l.cookiesFailed());
    }

    @Test
    void blindAcksDoNotGuessACookie() {
        TcpListener l = listener(SynCookieMode.ALWAYS, 64);
        Random rnd = new Random(4987);
        for (int i = 0; i < 100_000; i++) {
            int port = 1024 + rnd.nextInt(60000);
            l.onSegment(ack(port, rnd.nextInt(), rnd.nextInt(), TcpOptions.NONE, new byte[0]), key(port), T0, sink);
        }
        assertEquals(0, l.cookiesValidated());
        assertEquals(100_000, l.cookiesFailed());
        assertEquals(0, l.acceptQueueSize() + l.synQueueSize());
    }

    @Test
    void onOverflowChecksAcksOnlyAfterARecentOverflow() {
        TcpListener l = listener(SynCookieMode.ON_OVERFLOW, 1);
        TcpSegment stray = ack(9300, 5, 6, TcpOptions.NONE, new byte[0]);
        assertNull(l.onSegment(stray, key(9300), T0, sink));
        assertTrue(onlyReply().rst(), "C1.12: an ACK in LISTEN is reset");
        assertEquals(0, l.cookiesFailed(), "not checked: no cookie is out");
        // An overflow: one child fills the backlog, the next SYN gets a cookie.
        assertNotNull(l.onSegment(syn(9301, 1, TcpOptions.NONE), key(9301), T0, sink));
        assertNull(l.onSegment(syn(9302, 1, TcpOptions.NONE), key(9302), T0, sink));
        assertEquals(1, l.cookiesSent());
        replies.clear();
        l.onSegment(stray, key(9300), T0, sink);
        assertTrue(onlyReply().rst());
        assertEquals(1, l.cookiesFailed(), "checked now");
        // Two periods after the last cookie, checking stops again.
        l.onSegment(stray, key(9300), T0 + SynCookies.MAX_AGE * SynCookies.PERIOD_NANOS, sink);
        assertTrue(onlyReply().rst());
        assertEquals(1, l.cookiesFailed());
    }

    @Test
    void offModeNeverSendsCookies() {
        TcpListener l = listener(SynCookieMode.OFF, 1);
        assertNotNull(l.onSegment(syn(9400, 1, TcpOptions.NONE), key(9400), T0, sink));
        assertNull(l.onSegment(syn(9401, 1, TcpOptions.NONE), key(9401), T0, sink));
        assertTrue(replies.isEmpty());
        assertEquals(1, l.droppedSyns());
        assertEquals(0, l.cookiesSent());
    }

    // ---------------------------------------------------------------------------- the cookie itself

    @Test
    void cookieEncodesTheMssIndexAndDependsOnEveryInput() {
        SynCookies sc = new SynCookies(1, 2);
        ConnectionKey k = key(4000);
        for (int m = 0; m < 4; m++) {
            int c = sc.cookie(k, 99, m, T0);
            assertEquals(m, sc.check(k, 99, c, T0));
            assertEquals(m, sc.check(k, 99, c, T0 + SynCookies.PERIOD_NANOS));
            assertEquals(-1, sc.check(k, 100, c, T0));
            assertEquals(-1, sc.check(key(4001), 99, c, T0));
            assertEquals(-1, sc.check(k, 99, c, T0 + 3 * SynCookies.PERIOD_NANOS));
            assertEquals(-1, new SynCookies(1, 3).check(k, 99, c, T0), "another secret");
        }
        assertNotEquals(sc.cookie(k, 99, 0, T0), sc.cookie(k, 99, 0, T0 + SynCookies.PERIOD_NANOS),
                "the cookie changes with the period");
        // The TSval never runs ahead of the clock and carries the option bits.
        for (long t = 0; t < 200_000_000L; t += 1_000_000L) {
            int clock = 12345 + (int) (t / 1_000_000L);
            int v = SynCookies.cookieTsVal(12345, 0x1F, t);
            assertEquals(0x1F, v & 0x3F);
            assertTrue(Seq.le(v, clock) && clock - v < 64);
        }
    }
}
