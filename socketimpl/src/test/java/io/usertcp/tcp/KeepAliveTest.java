package io.usertcp.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** CONFORMANCE.md C5: keepalive and timers. */
class KeepAliveTest {

    @Test
    void C5_1_keepaliveProbesThenDrop() {
        var h = TcpHarness.established();
        assertEquals(Duration.ofSeconds(7200), TcpConfig.DEFAULT.keepAliveIdle());
        assertEquals(Duration.ofSeconds(75), TcpConfig.DEFAULT.keepAliveInterval());
        assertEquals(9, TcpConfig.DEFAULT.keepAliveCount());
        h.c.setKeepAlive(true, h.now);
        h.advance(Duration.ofSeconds(7199));
        h.expectNothing();
        h.advance(Duration.ofSeconds(1));
        h.expect(seg().ack().seq(LOCAL + 0).ack(REMOTE + 1));            // SEQ = SND.NXT − 1, no data
        for (int i = 2; i <= 9; i++) {
            h.advance(Duration.ofSeconds(74));
            h.expectNothing();
            h.advance(Duration.ofSeconds(1));
            h.expect(seg().ack().seq(LOCAL + 0).ack(REMOTE + 1));
        }
        assertEquals(TcpState.ESTABLISHED, h.state());
        h.advance(Duration.ofSeconds(75));                               // 9 unanswered: dropped
        h.expect(seg().rst().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.TIMED_OUT, h.c.error());

        // Configurable per connection.
        var k = TcpHarness.established();
        k.c.setKeepAlive(true, k.now);
        k.c.setKeepAliveParams(Duration.ofSeconds(10).toNanos(), Duration.ofSeconds(2).toNanos(), 2, k.now);
        k.advance(Duration.ofSeconds(10));
        k.expect(seg().ack().seq(LOCAL + 0).ack(REMOTE + 1));
        k.advance(Duration.ofSeconds(2));
        k.expect(seg().ack().seq(LOCAL + 0).ack(REMOTE + 1));
        k.advance(Duration.ofSeconds(2));
        k.expect(seg().rst().ack().seq(LOCAL + 1).ack(REMOTE + 1));
    }

    @Test
    void C5_2_answeredProbeKeepsConnectionDataResetsIdle() {
        var h = TcpHarness.established();
        h.c.setKeepAlive(true, h.now);
        h.advance(Duration.ofSeconds(7200));
        h.expect(seg().ack().seq(LOCAL + 0).ack(REMOTE + 1));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));                 // the answer
        assertEquals(Duration.ofSeconds(7200), h.untilNextDeadline());   // idle again from now
        h.advance(Duration.ofSeconds(7000));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("x"));    // data resets the idle timer
        h.advance(Duration.ofMillis(200));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2));
        h.advance(Duration.ofSeconds(7199));
        h.expectNothing();
        h.advance(Duration.ofSeconds(1));
        h.expect(seg().ack().seq(LOCAL + 0).ack(REMOTE + 2));
        assertEquals(TcpState.ESTABLISHED, h.state());
    }

    @Test
    void C5_3_userTimeoutAbortsUnacknowledgedData() {
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build());
        h.c.setUserTimeout(Duration.ofSeconds(10).toNanos());
        h.write("x");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));
        h.advance(Duration.ofSeconds(7));                                 // RTO retransmissions at 1, 3, 7 s
        assertEquals(3, h.drain().size());
        h.advance(Duration.ofMillis(2999));
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.state());
        h.advance(Duration.ofMillis(1));
        h.expect(seg().rst().ack().seq(LOCAL + 2).ack(REMOTE + 1));
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.TIMED_OUT, h.c.error());
    }

    @Test
    void C5_4_peerKeepaliveProbeAnswered() {
        var h = TcpHarness.established();
        h.advance(Duration.ofSeconds(1));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 0));                 // SEQ = RCV.NXT − 1, no data
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        h.advance(Duration.ofSeconds(75));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 0).payload("?"));    // BSD-style probe with one byte
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(0, h.c.readable());
    }
}
