package io.usertcp.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole-connection scenarios between two engines over {@link MemoryNet}. */
class NetworkScenariosTest {

    static final TcpConfig CFG = TcpHarness.testConfig();

    @Test
    void refusedWhenNobodyListens() {
        var net = new MemoryNet(1, 0, 0, 0);
        var c = net.client(CFG);
        c.connect(net.now);
        net.runUntil(() -> c.state() == TcpState.CLOSED, Duration.ofSeconds(5), null);
        assertEquals(ConnectionError.REFUSED, c.error());
    }

    @Test
    void handshakeSurvivesHeavyLoss() {
        var net = new MemoryNet(5, 40, 0, 0);
        net.listen(CFG, 4);
        var c = net.client(CFG);
        c.connect(net.now);
        assertTrue(net.runUntil(() -> c.state() == TcpState.ESTABLISHED && !net.accepted.isEmpty()
                && net.accepted.get(0).state() == TcpState.ESTABLISHED, Duration.ofMinutes(5), null));
    }

    @Test
    void closeWithUnreadDataResetsThePeer() {
        var net = new MemoryNet(2, 0, 0, 0);
        net.listen(CFG, 4);
        var c = net.client(CFG);
        c.connect(net.now);
        net.runUntil(() -> !net.accepted.isEmpty(), Duration.ofSeconds(5), null);
        var s = net.accepted.get(0);
        c.write(new byte[100], 0, 100, net.now);
        net.runUntil(() -> s.readable() == 100, Duration.ofSeconds(5), null);
        s.close(net.now);                                   // 100 unread bytes: RST, not FIN
        net.runUntil(() -> c.state() == TcpState.CLOSED, Duration.ofSeconds(5), null);
        assertEquals(ConnectionError.RESET, c.error());
        assertEquals(TcpState.CLOSED, s.state());
    }

    @Test
    void timeWaitReopenedByHigherSyn() {
        var net = new MemoryNet(3, 0, 0, 0, 0x1000);
        net.listen(CFG, 4);
        var c = net.client(CFG);
        c.connect(net.now);
        net.runUntil(() -> !net.accepted.isEmpty(), Duration.ofSeconds(5), null);
        var s = net.accepted.get(0);
        c.write(new byte[10], 0, 10, net.now);
        net.runUntil(() -> s.readable() == 10, Duration.ofSeconds(5), null);
        s.read(new byte[10], 0, 10, net.now);
        s.close(net.now);                                   // the server closes first: it gets TIME-WAIT
        net.runUntil(() -> c.state() == TcpState.CLOSE_WAIT, Duration.ofSeconds(5), null);
        c.close(net.now);
        net.runUntil(() -> c.state() == TcpState.CLOSED && s.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5), null);
        assertEquals(TcpState.TIME_WAIT, s.state());
        // Same 4-tuple again, ISN above the old sequence space: the TIME-WAIT gives way.
        net.conns.remove(c.key());
        var c2 = net.client(CFG);
        c2.connect(net.now);
        assertTrue(net.runUntil(() -> c2.state() == TcpState.ESTABLISHED && net.accepted.size() == 2,
                Duration.ofSeconds(5), null));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(TcpState.ESTABLISHED, net.accepted.get(1).state());
    }

    @Test
    void listenerCloseResetsPendingChildren() {
        var net = new MemoryNet(4, 0, 0, 0);
        var l = net.listen(CFG, 4);
        net.autoAccept = false;
        var c = net.client(CFG);
        c.connect(net.now);
        net.runUntil(() -> c.state() == TcpState.ESTABLISHED && l.acceptQueueSize() == 1, Duration.ofSeconds(5), null);
        var kids = l.close(net.now);                      // never accepted: aborted with RST
        assertEquals(1, kids.size());
        assertEquals(TcpState.CLOSED, kids.get(0).state());
        net.runUntil(() -> c.state() == TcpState.CLOSED, Duration.ofSeconds(5), null);
        assertEquals(ConnectionError.RESET, c.error());
    }
}
