package io.usertcp.tcp;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** CONFORMANCE.md C4: resets and blind attacks. */
class ResetTest {

    @Test
    void C4_1_abortSendsRstDiscardsNoTimeWait() {
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build(),
                TcpHarness.DEFAULT_REMOTE_ISS, 1460, 10);
        h.write(TcpHarness.bytes(100, 1));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(10));
        h.c.abort(h.now);
        h.poll();
        h.expect(seg().rst().ack().seq(LOCAL + 11).ack(REMOTE + 1));   // <SEQ=SND.NXT><CTL=RST>
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.ABORTED, h.c.error());
        assertEquals(Long.MAX_VALUE, h.c.nextDeadline());
        h.advance(Duration.ofMinutes(5));
        h.expectNothing();                                              // queued data discarded
    }

    @Test
    void C4_2_rstInSynchronizedStates() {
        for (var fixture : new String[] {"established", "finWait1", "finWait2", "closeWait"}) {
            var h = switch (fixture) {
                case "established" -> TcpHarness.established();
                case "finWait1" -> TcpHarness.finWait1();
                case "finWait2" -> TcpHarness.finWait2();
                default -> TcpHarness.closeWait();
            };
            int rcvNxt = h.state() == TcpState.CLOSE_WAIT ? REMOTE + 2 : REMOTE + 1;
            h.deliver(seg().rst().seq(rcvNxt));
            h.expectNothing();                                          // no ACK for an RST
            assertEquals(TcpState.CLOSED, h.state(), fixture);
            assertEquals(ConnectionError.RESET, h.c.error(), fixture);
            assertEquals(-1, h.c.write(new byte[1], 0, 1, h.now));
            assertEquals(-1, h.c.read(new byte[1], 0, 1, h.now));
        }
        assertEquals("Connection reset", ConnectionError.RESET.jdkMessage());
    }

    @Test
    void C4_3_rstValidationRfc5961() {
        var h = TcpHarness.established();
        h.deliver(seg().rst().seq(REMOTE + 100));                      // in window, not exact
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));          // challenge ACK
        assertEquals(TcpState.ESTABLISHED, h.state());
        h.deliver(seg().rst().seq(REMOTE + 1 + 70_000));               // out of window
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.state());
        h.deliver(seg().rst().seq(REMOTE + 1));                        // exact
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.RESET, h.c.error());
    }

    @Test
    void C4_4_synInSynchronizedStateGetsChallengeAck() {
        var h = TcpHarness.established();
        h.deliver(seg().syn().seq(REMOTE + 10).mss(1460));            // in window
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpState.ESTABLISHED, h.state());
        h.advance(Duration.ofSeconds(1));
        h.deliver(seg().syn().seq(REMOTE - 5000).mss(1460));          // out of window
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpState.ESTABLISHED, h.state());
    }

    @Test
    void C4_5_ackOutsideAcceptableRangeDropped() {
        var h = TcpHarness.established();
        // SEG.ACK < SND.UNA − MAX.SND.WND (65535): dropped with an ACK, data not taken.
        h.deliver(seg().ack(LOCAL + 1 - 70_000).seq(REMOTE + 1).payload("inject"));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(0, h.c.readable());
        // An old but acceptable ACK (within MAX.SND.WND): the data is taken.
        h.deliver(seg().ack(LOCAL + 1 - 100).seq(REMOTE + 1).payload("fine"));
        assertEquals("fine", h.read(10));
    }

    @Test
    void C4_6_segmentForUnknownConnectionGetsRst() {
        var ack = new TcpSegment(4000, 80, 555, 12345, TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH, 100, 0,
                TcpOptions.NONE, ByteBuffer.wrap(new byte[10]));
        TcpSegment r = Resets.forUnknown(ack);
        assertEquals(TcpHeader.FLAG_RST, r.flags());                   // <SEQ=SEG.ACK><CTL=RST>
        assertEquals(12345, r.seq());
        assertEquals(0, r.window());
        var noAck = new TcpSegment(4000, 80, 555, 0, TcpHeader.FLAG_PSH, 100, 0, TcpOptions.NONE,
                ByteBuffer.wrap(new byte[10]));
        TcpSegment r2 = Resets.forUnknown(noAck);
        assertEquals(TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, r2.flags()); // <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
        assertEquals(0, r2.seq());
        assertEquals(565, r2.ack());
        assertNull(Resets.forUnknown(new TcpSegment(4000, 80, 1, 0, TcpHeader.FLAG_RST, 0, 0, TcpOptions.NONE,
                ByteBuffer.allocate(0))));
        // A connection that is CLOSED answers the same way.
        var h = TcpHarness.established();
        h.deliver(seg().rst().seq(REMOTE + 1));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("late"));
        h.expect(seg().rst().seq(LOCAL + 1));
    }

    @Test
    void C4_7_closeWithUnreadDataSendsRst() {
        var h = TcpHarness.established();
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("unread"));
        h.close();
        h.expect(seg().rst().ack().seq(LOCAL + 1).ack(REMOTE + 7));
        assertEquals(TcpState.CLOSED, h.state());
    }

    @Test
    void C4_8_challengeAcksRateLimited() {
        var h = TcpHarness.established();
        for (int i = 0; i < 100; i++) h.deliver(seg().rst().seq(REMOTE + 10 + i));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));          // one, not a hundred
        assertEquals(99, h.c.suppressedAcks());
        h.advance(Duration.ofMillis(500));
        h.deliver(seg().syn().seq(REMOTE + 5));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));          // the next interval allows one
        assertEquals(TcpState.ESTABLISHED, h.state());
    }

    @Test
    void dropsCountedByReason() {
        var h = TcpHarness.established();
        h.deliver(seg().rst().seq(REMOTE + 100));                       // in window, not exact
        h.deliver(seg().rst().seq(REMOTE + 200));                       // again: challenge ACK limited
        h.deliver(seg().syn().seq(REMOTE + 5));
        h.deliver(seg().seq(REMOTE + 1).payload("x"));                  // no ACK flag
        h.deliver(seg().ack(LOCAL + 99).seq(REMOTE + 1));               // acks unsent data
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + 100_000).payload("far"));
        assertEquals(2, h.c.drops(DropReason.TCP_RST_INVALID));
        assertEquals(1, h.c.drops(DropReason.TCP_SYN_IN_WINDOW));
        assertEquals(1, h.c.drops(DropReason.TCP_NO_ACK_FLAG));
        assertEquals(1, h.c.drops(DropReason.TCP_BAD_ACK));
        assertEquals(1, h.c.drops(DropReason.TCP_BEYOND_WINDOW));
        assertEquals(3, h.c.drops(DropReason.TCP_CHALLENGE_ACK_LIMITED)); // RST, SYN, bad ACK (data gets its ACK)
        assertEquals(6, h.c.droppedSegments());
    }
}
