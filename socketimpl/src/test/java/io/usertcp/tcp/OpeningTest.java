package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFORMANCE.md C1: opening a connection. */
class OpeningTest {

    // =========================================================================================
    // CLOSED / SYN-SENT
    // =========================================================================================

    @Test
    void C1_1_activeOpenSendsSynWithMss() {
        var h = TcpHarness.closed(TcpConfig.forMtu(1500));
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        assertEquals(TcpState.SYN_SENT, h.state());
        h.poll();
        // MSS option = MTU − 40; the window of a SYN is never scaled.
        h.expect(seg().syn().seq(LOCAL).mss(1460).window(65535));
        assertEquals(List.of("CLOSED->SYN-SENT"), h.transitions);
        assertEquals("SYN-SENT", h.state().toString());
    }

    @Test
    void C1_2_isnUnpredictableAcrossTuplesAndMovingForward() {
        var gen = new IsnGenerator(1L, 2L);
        var a = new ConnectionKey(1, 1000, 2, 80);
        var b = new ConnectionKey(1, 1001, 2, 80);
        long t = 5_000_000_000L;
        int ia = gen.isn(a, t), ib = gen.isn(b, t);
        // Different 4-tuples at the same instant: unrelated numbers (not a small offset of each other).
        assertTrue(Math.abs((long) ia - ib) > 1_000_000L, "isns too close: " + ia + " " + ib);
        // Same 4-tuple: moves forward with the 4 µs clock (RFC 6528 §3).
        int later = gen.isn(a, t + 4_000_000L); // +4 ms = +1000 ticks
        assertEquals(1000, later - ia);
        // Another secret gives other numbers for the same tuple.
        assertNotEquals(ia, new IsnGenerator(3L, 4L).isn(a, t));
        // SipHash-2-4 reference vector check is in IsnGeneratorTest.
    }

    @Test
    void C1_3_handshakeSeqAckNumbers() {
        var h = TcpHarness.synSent();                                  // (X, 0): SYN seq=X
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460));   // (Y, X+1)
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));          // (X+1, Y+1): SYN took one number
        assertEquals(TcpState.ESTABLISHED, h.state());
        // The final ACK may carry data: passive side.
        var p = TcpHarness.synReceived();
        p.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).psh().payload("hello"));
        assertEquals(TcpState.ESTABLISHED, p.state());
        assertEquals("hello", p.read(100));
        p.advance(Duration.ofMillis(200));
        p.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 6));
    }

    @Test
    void C1_4_passiveOpenAndBadAckInSynReceived() {
        var h = TcpHarness.synReceived();                              // SYN-ACK ack=X+1 seen
        assertNull(h.listener.accept());
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));
        assertEquals(TcpState.ESTABLISHED, h.state());
        assertSame(h.c, h.listener.accept());
        assertEquals(List.of("CLOSED->LISTEN", "LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED"), h.transitions);

        // An ACK with the wrong number in SYN-RECEIVED gets <SEQ=SEG.ACK><CTL=RST> (§3.10.7.4).
        var b = TcpHarness.synReceived();
        b.deliver(seg().ack(LOCAL + 1000).seq(REMOTE + 1));
        b.expect(seg().rst().seq(LOCAL + 1000));
        assertEquals(TcpState.SYN_RECEIVED, b.state());
    }

    @Test
    void C1_5_mssIsMinimumOfBothAnd536WhenAbsent() {
        // Peer offers 1000 < our 1460: data segments are at most 1000 bytes.
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build(),
                TcpHarness.DEFAULT_REMOTE_ISS, 1000, 65535);
        assertEquals(1000, h.c.sendMss());
        h.write(TcpHarness.bytes(2500, 1));
        h.expectNext(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(1000));
        h.expectNext(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 1).len(1000));
        h.expectNext(seg().ack().psh().seq(LOCAL + 2001).ack(REMOTE + 1).len(500));
        h.expectNothing();

        // No MSS option: 536.
        var n = TcpHarness.synSent();
        n.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE));
        n.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(536, n.c.sendMss());
        n.write(TcpHarness.bytes(600, 2));
        n.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(536));

        // Ours smaller than the peer's: ours bounds (interface MTU).
        var s = TcpHarness.established(TcpConfig.forMtu(1000), TcpHarness.DEFAULT_REMOTE_ISS, 1460, 65535);
        assertEquals(960, s.c.sendMss());
    }

    @Test
    void C1_6_synToClosedPortGetsRstAck() {
        // The stack answers with Resets.forUnknown when no listener matches.
        var syn = new TcpSegment(5555, 80, 1000, 0, TcpHeader.FLAG_SYN, 65535, 0, TcpOptions.NONE.withMss(1460),
                ByteBuffer.allocate(0));
        TcpSegment rst = Resets.forUnknown(syn);
        assertEquals(TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, rst.flags());
        assertEquals(0, rst.seq());
        assertEquals(1001, rst.ack());
        assertEquals(80, rst.srcPort());
        assertEquals(5555, rst.dstPort());
        // The client side: that RST,ACK in SYN-SENT refuses the connection.
        var h = TcpHarness.synSent();
        h.deliver(seg().rst().ack(LOCAL + 1).seq(0).seqAbsolute(0));
        h.expectNothing();
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.REFUSED, h.c.error());
        assertEquals("Connection refused", h.c.error().jdkMessage());
    }

    @Test
    void C1_7_synRetransmittedWithBackoffThenTimesOut() {
        var h = TcpHarness.synSent(TcpHarness.testConfig().toBuilder().synRetries(3).build());
        // RFC 6298 §2.1: initial RTO 1 s, then doubling.
        assertEquals(Duration.ofSeconds(1), h.untilNextDeadline());
        h.advance(Duration.ofMillis(999));
        h.expectNothing();
        h.advance(Duration.ofMillis(1));
        h.expect(seg().syn().seq(LOCAL).mss(1460));
        assertEquals(Duration.ofSeconds(2), h.untilNextDeadline());
        h.advance(Duration.ofSeconds(2));
        h.expect(seg().syn().seq(LOCAL).mss(1460));
        assertEquals(Duration.ofSeconds(4), h.untilNextDeadline());
        h.advance(Duration.ofSeconds(4));
        h.expect(seg().syn().seq(LOCAL).mss(1460));
        assertEquals(TcpState.SYN_SENT, h.state());
        h.advance(Duration.ofSeconds(8));
        h.expectNothing();                       // gives up: no RST from SYN-SENT
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.TIMED_OUT, h.c.error());
        assertEquals(3, h.c.retransmittedSegments());
    }

    @Test
    void C1_8_simultaneousOpen() {
        var h = TcpHarness.synSent();
        // Figure 7: the peer's SYN crosses ours.
        h.deliver(seg().syn().seq(REMOTE).mss(1460));
        assertEquals(TcpState.SYN_RECEIVED, h.state());
        h.expect(seg().syn().ack(REMOTE + 1).seq(LOCAL).mss(1460));
        // The peer's SYN,ACK (its SYN again, acknowledging ours) completes it.
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460));
        assertEquals(TcpState.ESTABLISHED, h.state());
        h.expectNothing();
        assertEquals(List.of("CLOSED->SYN-SENT", "SYN-SENT->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED"), h.transitions);

        // Variant: the peer's plain ACK completes it too.
        var g = TcpHarness.synSent();
        g.deliver(seg().syn().seq(REMOTE).mss(1460));
        g.expect(seg().syn().ack(REMOTE + 1).seq(LOCAL).mss(1460));
        g.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));
        assertEquals(TcpState.ESTABLISHED, g.state());

        // And two real connections back to back reach ESTABLISHED on both sides.
        var net = new MemoryNet(7, 0, 0, 0);
        var a = net.client(TcpHarness.testConfig());
        var b = net.clientReverse(TcpHarness.testConfig(), a);
        a.connect(net.now);
        b.connect(net.now);
        net.run(Duration.ofSeconds(5));
        assertEquals(TcpState.ESTABLISHED, a.state());
        assertEquals(TcpState.ESTABLISHED, b.state());
    }

    @Test
    void C1_9_oldDuplicateSynHandling() {
        // Figure 8: in SYN-SENT an ACK not acknowledging our SYN gets <SEQ=SEG.ACK><CTL=RST>, and the
        // handshake continues.
        var h = TcpHarness.synSent();
        h.deliver(seg().syn().ack(LOCAL + 5000).seq(REMOTE - 10000));
        h.expect(seg().rst().seq(LOCAL + 5000));
        assertEquals(TcpState.SYN_SENT, h.state());
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpState.ESTABLISHED, h.state());

        // In SYN-RECEIVED (passive) an RST returns to LISTEN: the child goes, the listener stays.
        var p = TcpHarness.synReceived();
        p.deliver(seg().rst().seq(REMOTE + 1));
        p.expectNothing();
        assertEquals(TcpState.CLOSED, p.state());
        assertEquals(0, p.listener.synQueueSize());
        assertFalse(p.listener.isClosed());
    }

    @Test
    void C1_10_backlogDropsExcessSynsAndServesInOrder() {
        // With SYN cookies off (tcp_syncookies=0): the default answers beyond the backlog with
        // cookies instead (SynCookiesTest).
        var ids = new AtomicLong(1);
        var listener = new TcpListener(TcpHarness.testConfig().withSynCookies(SynCookieMode.OFF), 80, 2,
                TcpEventListener.NONE,
                new IsnGenerator(1, 2), ids::getAndIncrement);
        List<TcpSegment> replies = new ArrayList<>();
        TcpListener.ReplySink sink = (k, s) -> replies.add(s);
        TcpConnection[] kids = new TcpConnection[3];
        for (int i = 0; i < 3; i++) {
            var key = new ConnectionKey(TcpHarness.LOCAL_IP, 80, TcpHarness.REMOTE_IP, 5000 + i);
            var syn = new TcpSegment(5000 + i, 80, 100 * i, 0, TcpHeader.FLAG_SYN, 65535, 0, TcpOptions.NONE,
                    ByteBuffer.allocate(0));
            kids[i] = listener.onSegment(syn, key, 0, sink);
        }
        assertNotNull(kids[0]);
        assertNotNull(kids[1]);
        assertNull(kids[2]);                    // beyond the backlog: dropped
        assertTrue(replies.isEmpty());          // ... not reset
        assertEquals(1, listener.droppedSyns());
        // Complete the handshakes in reverse order of SYN arrival; accept follows completion order.
        for (int i = 1; i >= 0; i--) {
            TcpConnection k = kids[i];
            List<TcpSegment> out = new ArrayList<>();
            k.poll(0, (from, s) -> out.add(s));
            TcpSegment synAck = out.get(0);
            k.onSegment(new TcpSegment(5000 + i, 80, 100 * i + 1, synAck.seq() + 1, TcpHeader.FLAG_ACK, 65535, 0,
                    TcpOptions.NONE, ByteBuffer.allocate(0)), 0);
            assertEquals(TcpState.ESTABLISHED, k.state());
        }
        assertSame(kids[1], listener.accept());
        assertSame(kids[0], listener.accept());
        assertNull(listener.accept());
    }

    @Test
    void C1_11_synAckEchoesOnlyOfferedOptionsAndUnscaledWindow() {
        // The SYN offers only MSS: the SYN-ACK carries only MSS (no window scale, SACK-permitted or
        // timestamps) and an unscaled window.
        var h = TcpHarness.synReceived();
        assertTrue(h.transitions.contains("LISTEN->SYN-RECEIVED"));
        var listener = new TcpListener(TcpHarness.testConfig(), 80, 8, TcpEventListener.NONE, new IsnGenerator(1, 2),
                new AtomicLong()::getAndIncrement);
        var offered = TcpOptions.NONE.withMss(1460).withWindowScale(7).withSackPermitted(true).withTimestamps(1, 0);
        var key = new ConnectionKey(1, 80, 2, 5000);
        var child = listener.onSegment(new TcpSegment(5000, 80, 7, 0, TcpHeader.FLAG_SYN, 65535, 0, offered,
                ByteBuffer.allocate(0)), key, 0, (k, s) -> { });
        List<TcpSegment> out = new ArrayList<>();
        child.poll(0, (from, s) -> out.add(s));
        TcpSegment synAck = out.get(0);
        assertEquals(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, synAck.flags());
        assertEquals(1460, synAck.options().mss());
        // The SYN offered everything: window scale, timestamps (RFC 7323) and SACK-permitted (RFC 2018),
        // all on by default, are echoed; the window field is never scaled.
        // (Updated when window scaling and timestamps landed; the reverse case — a SYN offering only
        // MSS gets none of them back — is FastTcpTest.C1_11_synAckOmitsOptionsTheSynLacked.)
        assertEquals(TcpConnection.windowScaleFor(TcpHarness.testConfig().receiveBufferSize()),
                synAck.options().windowScale());
        assertTrue(synAck.options().sackPermitted());
        assertTrue(synAck.options().hasTimestamps());
        assertEquals(1, synAck.options().tsEcr());
        assertEquals(65535, synAck.window());
    }

    @Test
    void C1_12_listenerAnswersAckWithRstIgnoresRst() {
        var listener = new TcpListener(TcpHarness.testConfig(), 80, 8, TcpEventListener.NONE, new IsnGenerator(1, 2),
                new AtomicLong()::getAndIncrement);
        var key = new ConnectionKey(1, 80, 2, 5000);
        List<TcpSegment> replies = new ArrayList<>();
        // Bare ACK → <SEQ=SEG.ACK><CTL=RST>
        assertNull(listener.onSegment(new TcpSegment(5000, 80, 10, 777, TcpHeader.FLAG_ACK, 100, 0, TcpOptions.NONE,
                ByteBuffer.allocate(0)), key, 0, (k, s) -> replies.add(s)));
        assertEquals(1, replies.size());
        assertEquals(TcpHeader.FLAG_RST, replies.get(0).flags());
        assertEquals(777, replies.get(0).seq());
        // SYN-ACK → RST as well
        listener.onSegment(new TcpSegment(5000, 80, 10, 888, TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, 100, 0,
                TcpOptions.NONE, ByteBuffer.allocate(0)), key, 0, (k, s) -> replies.add(s));
        assertEquals(2, replies.size());
        assertEquals(TcpHeader.FLAG_RST, replies.get(1).flags());
        assertEquals(888, replies.get(1).seq());
        // RST → ignored
        listener.onSegment(new TcpSegment(5000, 80, 10, 0, TcpHeader.FLAG_RST, 0, 0, TcpOptions.NONE,
                ByteBuffer.allocate(0)), key, 0, (k, s) -> replies.add(s));
        assertEquals(2, replies.size());
        assertEquals(0, listener.synQueueSize());
    }

    @Test
    void C1_13_rstInSynReceivedPassiveVsActive() {
        var p = TcpHarness.synReceived();
        p.deliver(seg().rst().seq(REMOTE + 1));
        assertEquals(TcpState.CLOSED, p.state());
        assertEquals(ConnectionError.NONE, p.c.error());
        assertEquals(0, p.listener.synQueueSize());       // back to LISTEN: the listener keeps going
        assertNull(p.listener.accept());

        // Active open that went through simultaneous open: RST in SYN-RECEIVED → connection refused (MUST-11).
        var a = TcpHarness.synSent();
        a.deliver(seg().syn().seq(REMOTE).mss(1460));
        a.expect(seg().syn().ack(REMOTE + 1).seq(LOCAL).mss(1460));
        a.deliver(seg().rst().seq(REMOTE + 1));
        assertEquals(TcpState.CLOSED, a.state());
        assertEquals(ConnectionError.REFUSED, a.c.error());
    }

    @Test
    void C1_14_rstInSynSentCountsOnlyWithAcceptableAck() {
        var h = TcpHarness.synSent();
        h.deliver(seg().rst().seq(REMOTE));                 // bare RST: ignored
        h.expectNothing();
        assertEquals(TcpState.SYN_SENT, h.state());
        h.deliver(seg().rst().ack(LOCAL + 7).seq(REMOTE));  // ACK not acknowledging our SYN: dropped
        h.expectNothing();
        assertEquals(TcpState.SYN_SENT, h.state());
        h.deliver(seg().rst().ack(LOCAL + 1).seq(REMOTE));  // acceptable ACK: refused
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.REFUSED, h.c.error());
    }

    @Test
    void C1_15_dataBeforeHandshakeAndCloseInSynSent() {
        var h = TcpHarness.synSent();
        assertEquals(5, h.write("early"));
        h.expectNothing();
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460));
        // Data goes with the ACK that completes the handshake.
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("early"));

        var k = TcpHarness.synSent();
        k.close();
        k.expectNothing();                                  // no RST, no FIN
        assertEquals(TcpState.CLOSED, k.state());
        k.advance(Duration.ofSeconds(10));
        k.expectNothing();
    }
}
