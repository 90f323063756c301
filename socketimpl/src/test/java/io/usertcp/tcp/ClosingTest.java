package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.MSS;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.bytes;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFORMANCE.md C3: closing a connection. */
class ClosingTest {

    // =========================================================================================
    // Active close
    // =========================================================================================

    @Test
    void C3_1_activeCloseNumbers() {
        var h = TcpHarness.established();
        h.close();
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 1));          // (u, ·), u = LOCAL + 1
        assertEquals(TcpState.FIN_WAIT_1, h.state());
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));                      // (v, u+1)
        h.expectNothing();
        assertEquals(TcpState.FIN_WAIT_2, h.state());
        h.deliver(seg().ack(LOCAL + 2).fin().seq(REMOTE + 1));                // (w, u+1)
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 2));                 // (u+1, w+1): FIN took one
        assertEquals(TcpState.TIME_WAIT, h.state());
        assertEquals(List.of("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED", "ESTABLISHED->FIN-WAIT-1",
                "FIN-WAIT-1->FIN-WAIT-2", "FIN-WAIT-2->TIME-WAIT"), h.transitions);
    }

    @Test
    void C3_2_passiveClose() {
        var h = TcpHarness.established();
        h.deliver(seg().ack(LOCAL + 1).fin().seq(REMOTE + 1));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2));
        assertEquals(TcpState.CLOSE_WAIT, h.state());
        assertNull(h.read(10));                                               // EOF
        assertTrue(h.c.finReceived());
        assertEquals(4, h.write("more"));                                     // writes still work
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 2).payload("more"));
        h.close();
        h.expect(seg().ack().fin().seq(LOCAL + 5).ack(REMOTE + 2));          // Nagle never holds a FIN (as Linux)
        assertEquals(TcpState.LAST_ACK, h.state());
        h.deliver(seg().ack(LOCAL + 5).seq(REMOTE + 2));
        h.expectNothing();
        assertEquals(TcpState.LAST_ACK, h.state());
        h.deliver(seg().ack(LOCAL + 6).seq(REMOTE + 2));
        h.expectNothing();
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.NONE, h.c.error());
    }

    @Test
    void C3_3_dataAfterSecondWaveReachesFinWait2() {
        var h = TcpHarness.established();
        h.c.shutdownOutput(h.now);
        h.poll();
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 1));
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));
        assertEquals(TcpState.FIN_WAIT_2, h.state());
        // The passive side (CLOSE-WAIT for it) keeps sending before its FIN.
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1).payload("first "));
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 7).payload("second"));
        h.advance(Duration.ofMillis(200));
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 13));
        h.deliver(seg().ack(LOCAL + 2).fin().seq(REMOTE + 13));
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 14));
        assertEquals(TcpState.TIME_WAIT, h.state());
        assertEquals("first second", h.read(100));
        assertNull(h.read(100));
    }

    @Test
    void C3_4_halfClose() {
        var h = TcpHarness.established();
        h.write("req");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("req"));
        h.c.shutdownOutput(h.now);
        h.poll();
        h.expect(seg().ack().fin().seq(LOCAL + 4).ack(REMOTE + 1));   // FIN right after the data (no Nagle on FIN)
        assertEquals(-1, h.c.write(new byte[1], 0, 1, h.now));         // output is shut
        h.deliver(seg().ack(LOCAL + 5).seq(REMOTE + 1).payload("response part 1; "));
        h.deliver(seg().ack(LOCAL + 5).seq(REMOTE + 18).payload("part 2"));
        h.advance(Duration.ofMillis(200));
        h.expect(seg().ack().seq(LOCAL + 5).ack(REMOTE + 24));
        assertEquals("response part 1; part 2", h.read(100));
        assertEquals("", h.read(100));                                 // not EOF yet
        h.deliver(seg().ack(LOCAL + 5).fin().seq(REMOTE + 24));
        h.expect(seg().ack().seq(LOCAL + 5).ack(REMOTE + 25));
        assertNull(h.read(100));                                       // EOF
        assertEquals(TcpState.TIME_WAIT, h.state());
    }

    @Test
    void C3_5_simultaneousClose() {
        var h = TcpHarness.established();
        h.close();
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 1));
        // The peer's FIN crosses ours (it has not seen our FIN).
        h.deliver(seg().ack(LOCAL + 1).fin().seq(REMOTE + 1));
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 2));
        assertEquals(TcpState.CLOSING, h.state());
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 2));
        assertEquals(TcpState.TIME_WAIT, h.state());
        h.expectNothing();

        // Both real ends: both pass through CLOSING to TIME-WAIT.
        var net = new MemoryNet(3, 0, 0, 0);
        net.listen(TcpHarness.testConfig(), 4);
        var a = net.client(TcpHarness.testConfig());
        a.connect(net.now);
        net.runUntil(() -> !net.accepted.isEmpty(), Duration.ofSeconds(5), null);
        var b = net.accepted.get(0);
        a.close(net.now);
        b.close(net.now);
        net.runUntil(() -> a.state() == TcpState.TIME_WAIT && b.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5), null);
        assertEquals(TcpState.TIME_WAIT, a.state());
        assertEquals(TcpState.TIME_WAIT, b.state());
    }

    @Test
    void C3_6_timeWaitTwoMslAndRetransmittedFin() {
        var cfg = TcpHarness.testConfig().toBuilder().msl(Duration.ofSeconds(30)).build();
        assertEquals(Duration.ofSeconds(30), TcpConfig.DEFAULT.msl());   // 2×MSL = 60 s, as Linux
        var h = TcpHarness.timeWait();
        assertEquals(Duration.ofSeconds(60), h.untilNextDeadline());
        h.advance(Duration.ofSeconds(30));
        // The peer lost our ACK and retransmits its FIN: ACK again, restart the 2 MSL timer.
        h.deliver(seg().ack(LOCAL + 2).fin().seq(REMOTE + 1));
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 2));
        assertEquals(Duration.ofSeconds(60), h.untilNextDeadline());
        h.advance(Duration.ofMillis(59_999));
        assertEquals(TcpState.TIME_WAIT, h.state());
        h.advance(Duration.ofMillis(1));
        assertEquals(TcpState.CLOSED, h.state());
        h.expectNothing();
        assertEquals(cfg.msl(), Duration.ofSeconds(30));

        // A new SYN for the same 4-tuple: reopening is allowed only above the old sequence space
        // (RFC 1122 §4.2.2.13; no timestamps yet, so no RFC 6191); otherwise a challenge ACK.
        var t = TcpHarness.timeWait();
        assertFalse(t.c.acceptsNewSyn(t.build(seg().syn().seq(REMOTE - 100))));
        assertTrue(t.c.acceptsNewSyn(t.build(seg().syn().seq(REMOTE + 100_000))));
        t.deliver(seg().syn().seq(REMOTE - 100));
        t.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 2));
        assertEquals(TcpState.TIME_WAIT, t.state());
    }

    @Test
    void C3_7_lostLastAckRetransmitsFin() {
        var h = TcpHarness.lastAck();
        h.advance(Duration.ofSeconds(1));
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 2));
        h.advance(Duration.ofSeconds(2));
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 2));
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 2));
        assertEquals(TcpState.CLOSED, h.state());

        // ... or gives up after the configured retries.
        var g = TcpHarness.established(TcpHarness.testConfig().toBuilder().dataRetries(2).build());
        g.deliver(seg().ack(LOCAL + 1).fin().seq(REMOTE + 1));
        g.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2));
        g.close();
        g.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 2));
        g.advance(Duration.ofSeconds(1));
        g.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 2));
        g.advance(Duration.ofSeconds(2));
        g.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 2));
        g.advance(Duration.ofSeconds(4));
        g.expect(seg().rst().ack().seq(LOCAL + 2).ack(REMOTE + 2));
        assertEquals(TcpState.CLOSED, g.state());
        assertEquals(ConnectionError.TIMED_OUT, g.c.error());
    }

    @Test
    void C3_8_finFollowsUnacknowledgedData() {
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build());
        h.write(bytes(5 * MSS, 8));                     // cwnd 3 segments: 2 segments wait
        assertEquals(3, h.drain().size());
        h.close();                                      // returns at once
        assertEquals(TcpState.FIN_WAIT_1, h.state());
        h.expectNothing();
        h.deliver(seg().ack(LOCAL + 1 + 3 * MSS).seq(REMOTE + 1));
        h.expectNext(seg().ack().seq(LOCAL + 1 + 3 * MSS).ack(REMOTE + 1).len(MSS));
        // The FIN rides on the last data segment.
        h.expectNext(seg().ack().psh().fin().seq(LOCAL + 1 + 4 * MSS).ack(REMOTE + 1).len(MSS));
        h.expectNothing();
        h.deliver(seg().ack(LOCAL + 2 + 5 * MSS).seq(REMOTE + 1));
        assertEquals(TcpState.FIN_WAIT_2, h.state());
        assertTrue(h.c.allAcknowledged());
    }

    @Test
    void C3_9_finWait2TimeoutAfterClose() {
        var h = TcpHarness.finWait2();                  // close() was called
        assertEquals(Duration.ofSeconds(60), h.untilNextDeadline());
        h.advance(Duration.ofSeconds(60));
        assertEquals(TcpState.CLOSED, h.state());
        h.expectNothing();                              // silently, as Linux

        // After shutdownOutput only (the application still reads): no timeout.
        var k = TcpHarness.established();
        k.c.shutdownOutput(k.now);
        k.poll();
        k.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 1));
        k.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));
        assertEquals(TcpState.FIN_WAIT_2, k.state());
        assertEquals(Long.MAX_VALUE, k.c.nextDeadline());
    }

    @Test
    void C3_10_lingerSupportAllAcknowledgedOrAbort() {
        // SO_LINGER > 0 is a blocking wait in the stack; the engine gives it allAcknowledged() to
        // wait for and abort() for the timeout (RST).
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build());
        h.write("data");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("data"));
        h.close();
        h.expect(seg().ack().fin().seq(LOCAL + 5).ack(REMOTE + 1));
        assertFalse(h.c.allAcknowledged());
        h.deliver(seg().ack(LOCAL + 6).seq(REMOTE + 1));
        assertTrue(h.c.allAcknowledged());

        var t = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build());
        t.write("data");
        t.drain();
        t.close();
        t.drain();
        t.advance(Duration.ofMillis(500));              // linger time runs out, not acknowledged
        assertFalse(t.c.allAcknowledged());
        t.c.abort(t.now);
        t.poll();
        t.expect(seg().rst().ack().seq(LOCAL + 6).ack(REMOTE + 1));
        assertEquals(TcpState.CLOSED, t.state());
    }

    @Test
    void C3_11_timeWaitIgnoresRstAndMayReopen() {
        var h = TcpHarness.timeWait();
        h.deliver(seg().rst().seq(REMOTE + 2));
        h.expectNothing();
        assertEquals(TcpState.TIME_WAIT, h.state());    // RFC 1337

        // A SYN above the old sequence space reopens the 4-tuple through the listener, with an ISN
        // above the old connection's.
        var syn = h.build(seg().syn().seq(REMOTE + 100_000).mss(MSS));
        assertTrue(h.c.acceptsNewSyn(syn));
        h.c.retire();
        assertEquals(TcpState.CLOSED, h.state());
        var listener = new TcpListener(TcpHarness.testConfig(), TcpHarness.LOCAL_PORT, 4, TcpEventListener.NONE,
                new MemoryNet.FixedIsn(h.localIss - 1_000_000), () -> 9);
        TcpConnection child = listener.onSegment(syn, h.key, h.now, (k, s) -> { }, h.c);
        assertNotNull(child);
        List<TcpSegment> out = new ArrayList<>();
        child.poll(h.now, (from, s) -> out.add(s));
        assertEquals(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, out.get(0).flags());
        assertTrue(out.get(0).seq() - (h.localIss + 2) > 0, "new ISN above the old SND.NXT");
        assertEquals(syn.seq() + 1, out.get(0).ack());
        assertNotNull(new TcpSegment(1, 2, 3, 4, 0, 5, 0, TcpOptions.NONE, ByteBuffer.allocate(0)));
    }
}
