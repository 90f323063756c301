package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The event stream (one setState) and the TcpInfo snapshot; shutdownOutput before the handshake. */
class ObservabilityTest {

    record Event(TcpState from, TcpState to, TcpSegment cause) { }

    @Test
    void everyTransitionPublishedWithItsCause() {
        List<Event> events = new ArrayList<>();
        var h = TcpHarness.closed();
        h.c = new TcpConnection(7, h.config, h.key, (c, f, t, cause) -> events.add(new Event(f, t, cause)), h.isn);
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        h.poll();
        h.drain();
        var synAck = h.build(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460));
        h.c.onSegment(synAck, h.now);
        assertEquals(new Event(TcpState.CLOSED, TcpState.SYN_SENT, null), events.get(0));
        assertEquals(TcpState.ESTABLISHED, events.get(1).to());
        assertSame(synAck, events.get(1).cause());
        var rst = h.build(seg().rst().seq(REMOTE + 1));
        h.c.onSegment(rst, h.now);
        assertEquals(new Event(TcpState.ESTABLISHED, TcpState.CLOSED, rst), events.get(2));
        assertEquals(3, events.size());
    }

    @Test
    void tcpInfoSnapshot() {
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build());
        h.write("12345");
        h.drain();
        h.deliver(seg().ack(LOCAL + 3).seq(REMOTE + 1).window(5000).payload("abcdefg"));
        TcpInfo i = h.c.info();
        assertEquals(TcpState.ESTABLISHED, i.state());
        assertEquals(h.localIss + 3, i.sndUna());
        assertEquals(h.localIss + 6, i.sndNxt());
        assertEquals(h.remoteIss + 8, i.rcvNxt());
        assertEquals(5000, i.sndWnd());
        assertEquals(65535 - 7, i.rcvWnd());
        assertEquals(1460, i.sndMss());
        assertEquals(2, i.bytesSent());
        assertEquals(7, i.bytesReceived());
        assertEquals(3, i.sendQueue());
        assertEquals(7, i.receiveQueue());
        assertEquals(0, i.retransmits());
        assertEquals(ConnectionError.NONE, i.error());
    }

    @Test
    void C1_15_shutdownOutputInSynSentSendsFinAfterHandshake() {
        var h = TcpHarness.synSent();
        h.write("q");
        h.c.shutdownOutput(h.now);
        h.poll();
        h.expectNothing();
        assertEquals(TcpState.SYN_SENT, h.state());
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460));
        h.expect(seg().ack().psh().fin().seq(LOCAL + 1).ack(REMOTE + 1).payload("q"));
        assertEquals(TcpState.FIN_WAIT_1, h.state());
        assertNull(h.listener);
    }
}
