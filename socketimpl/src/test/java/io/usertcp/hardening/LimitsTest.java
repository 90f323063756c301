package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.stack.Stack;
import io.usertcp.stack.StackLimits;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.SynCookieMode;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.wire.DropReason;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stack's resource limits ({@link StackLimits}, issue 8 "Limits are configuration"): each one
 * is set through {@link Stack.Builder}, and beyond it the documented behaviour happens and is counted.
 */
class LimitsTest {

    static final int PORT = 80;

    static TcpSegment syn(int peerPort, int isn) {
        return TcpSegment.builder().ports(peerPort, PORT).seq(isn).flags(TcpHeader.FLAG_SYN).window(65535)
                .options(TcpOptions.NONE.withMss(1460)).build();
    }

    static boolean synAckTo(List<PeerHarness.Out> out, int peerPort) {
        return out.stream().anyMatch(o -> o.seg().dstPort() == peerPort
                && o.seg().has(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
    }

    @Test
    void beyondMaxConnectionsSynsAreDroppedAndCountedAndConnectFailsWithEnobufs() throws Exception {
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT, MemoryLink.DEFAULT_QUEUE_PACKETS,
                StackLimits.DEFAULT.withMaxConnections(3))) {
            assertEquals(3, h.stack.limits().maxConnections());
            TcpSocket listener = h.listen(PORT, 50);
            PeerHarness.Conn first = h.open(listener, 40001, 1000, 1460, 65535);
            h.open(listener, 40002, 2000, 1460, 65535);
            h.open(listener, 40003, 3000, 1460, 65535);
            assertEquals(3, h.stack.connections().size());

            // A fourth SYN: dropped, no SYN-ACK and no RST (the peer retries as after a lost SYN), counted.
            h.inject(syn(40004, 4000));
            List<PeerHarness.Out> out = h.drain();
            assertEquals(List.of(), out, "nothing answers a SYN beyond the limit");
            assertEquals(1, h.stack.stats().dropped(DropReason.TCP_CONNECTION_LIMIT));
            assertEquals(3, h.stack.connections().size());

            // An active open fails at once with the JDK's ENOBUFS text, the socket closed, counted.
            TcpSocket s = h.stack.newSocket();
            SocketException e = assertThrows(SocketException.class,
                    () -> s.connect(PeerHarness.inet(PeerHarness.PEER), 9, 1_000_000_000L));
            assertTrue(e.getMessage().startsWith("No buffer space available"), e.getMessage());
            assertTrue(e.getMessage().contains("maxConnections is 3"), e.getMessage());
            assertTrue(s.isClosed());
            assertEquals(1, h.stack.stats().connectsRefusedAtLimit());
            assertEquals(3, h.stack.connections().size());

            // Room again (one connection aborted: RST, no TIME-WAIT): the retransmitted SYN is answered.
            first.socket.abort();
            h.pump();
            h.drain();
            assertEquals(2, h.stack.connections().size());
            h.inject(syn(40004, 4000));
            assertTrue(synAckTo(h.drain(), 40004), "the SYN is answered once there is room");
            assertEquals(1, h.stack.stats().dropped(DropReason.TCP_CONNECTION_LIMIT));
            assertEquals(3, h.stack.connections().size());
        }
    }

    @Test
    void socketBufferRequestsAreClampedToTheStackCap() throws Exception {
        try (Stack stack = Stack.builder().manual().maxSocketBufferSize(1 << 20).build()) {
            TcpSocket s = stack.newSocket();
            s.setReceiveBufferSize(64 << 20);
            s.setSendBufferSize(Integer.MAX_VALUE);
            assertEquals(1 << 20, s.getReceiveBufferSize(), "clamped as Linux clamps to rmem_max");
            assertEquals(1 << 20, s.getSendBufferSize());
            s.setReceiveBufferSize(4096);
            assertEquals(4096, s.getReceiveBufferSize(), "below the cap: as asked");
            s.close();
        }
        try (Stack stack = Stack.builder().manual().build()) {
            TcpSocket s = stack.newSocket();
            s.setReceiveBufferSize(Integer.MAX_VALUE);
            assertEquals(StackLimits.DEFAULT_MAX_SOCKET_BUFFER_SIZE, s.getReceiveBufferSize());
            s.close();
        }
    }

    @Test
    void listenBacklogIsClampedToMaxBacklog() {
        // Cookies off: beyond the (clamped) backlog a SYN is dropped (C1.10), not answered.
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT.withSynCookies(SynCookieMode.OFF),
                MemoryLink.DEFAULT_QUEUE_PACKETS, StackLimits.DEFAULT.withMaxBacklog(2))) {
            h.listen(PORT, 1_000_000);
            h.inject(syn(40001, 1000));
            h.inject(syn(40002, 2000));
            h.inject(syn(40003, 3000));
            List<PeerHarness.Out> out = h.drain();
            assertTrue(synAckTo(out, 40001) && synAckTo(out, 40002), "two SYNs fit the clamped backlog");
            assertTrue(!synAckTo(out, 40003), "the third does not: the backlog asked for (1,000,000) was clamped to 2");
            assertEquals(2, h.stack.connections().size());
        }
        // Default cookies: the SYN beyond the clamped backlog gets a stateless SYN cookie instead.
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT, MemoryLink.DEFAULT_QUEUE_PACKETS,
                StackLimits.DEFAULT.withMaxBacklog(2))) {
            h.listen(PORT, Integer.MAX_VALUE);
            for (int i = 1; i <= 5; i++) {
                h.inject(syn(40000 + i, i * 1000));
            }
            assertEquals(3, h.stack.stats().synCookiesSent());
            assertEquals(2, h.stack.connections().size(), "no state beyond the clamped backlog");
        }
    }

    /** The first fragment (offset 0, MF) of datagram {@code id}: 1,480 bytes of a 2,960-byte TCP payload. */
    static void firstFragment(PeerHarness h, int id) {
        ByteBuffer b = ByteBuffer.allocate(1500);
        Ipv4Header.emit(b, 0, 0, id, 64, Ipv4Header.PROTO_TCP, PeerHarness.PEER, PeerHarness.US, 1480);
        b.putShort(Ipv4Header.FLAGS_FRAGMENT, (short) Ipv4Header.FLAG_MF);
        Ipv4Header.wrap(b, 0).fillChecksum();
        h.sendRaw(b, 1500);
    }

    @Test
    void fragmentReassemblyBytesDatagramsAndTimeoutAreConfigurable() {
        StackLimits d = StackLimits.DEFAULT;
        // Defaults: 40 incomplete datagrams fit (4 MiB, 256 datagrams).
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT)) {
            for (int id = 1; id <= 40; id++) {
                firstFragment(h, id);
            }
            h.pump();
            assertEquals(0, h.stack.stats().ip().drops(DropReason.FRAGMENT_NO_MEMORY));
        }
        // 10 datagrams at most: the 30 oldest are evicted, counted.
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT, MemoryLink.DEFAULT_QUEUE_PACKETS,
                d.withFragments(d.fragmentBytes(), 10, d.fragmentTimeout()))) {
            for (int id = 1; id <= 40; id++) {
                firstFragment(h, id);
            }
            h.pump();
            assertEquals(30, h.stack.stats().ip().drops(DropReason.FRAGMENT_NO_MEMORY));
        }
        // 64 KiB at most: far fewer than 40 fit; the rest are evicted, counted.
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT, MemoryLink.DEFAULT_QUEUE_PACKETS,
                d.withFragments(65_536, 256, d.fragmentTimeout()))) {
            for (int id = 1; id <= 40; id++) {
                firstFragment(h, id);
            }
            h.pump();
            long evicted = h.stack.stats().ip().drops(DropReason.FRAGMENT_NO_MEMORY);
            assertTrue(evicted >= 10 && evicted < 40, "evicted " + evicted);
        }
        // A 5 s timeout: an incomplete datagram is given up after 5 s, not 30.
        try (PeerHarness h = new PeerHarness(TcpConfig.DEFAULT, MemoryLink.DEFAULT_QUEUE_PACKETS,
                d.withFragments(d.fragmentBytes(), 256, Duration.ofSeconds(5)))) {
            firstFragment(h, 7);
            h.pump();
            h.advanceMillis(4_900);
            assertEquals(0, h.stack.stats().ip().drops(DropReason.FRAGMENT_TIMEOUT));
            h.advanceMillis(200);
            assertEquals(1, h.stack.stats().ip().drops(DropReason.FRAGMENT_TIMEOUT));
        }
    }

    @Test
    void limitsAreValidatedAndReported() {
        assertThrows(IllegalArgumentException.class, () -> Stack.builder().maxConnections(0));
        assertThrows(IllegalArgumentException.class, () -> Stack.builder().maxSocketBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> Stack.builder().maxBacklog(0));
        assertThrows(IllegalArgumentException.class, () -> Stack.builder().fragmentReassembly(1000, 10, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Stack.builder().fragmentReassembly(1 << 20, 0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Stack.builder().fragmentReassembly(1 << 20, 10, Duration.ZERO));
        try (Stack s = Stack.builder().manual().build()) {
            assertEquals(StackLimits.DEFAULT, s.limits());
        }
        try (Stack s = Stack.builder().manual().maxConnections(10).fragmentReassembly(1 << 20, 16, Duration.ofSeconds(2)).build()) {
            assertEquals(new StackLimits(10, StackLimits.DEFAULT_MAX_SOCKET_BUFFER_SIZE, 1 << 20, 16, Duration.ofSeconds(2),
                    StackLimits.DEFAULT_MAX_BACKLOG), s.limits());
        }
    }
}
