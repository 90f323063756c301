package io.usertcp.stack;

import static io.usertcp.stack.Packets.PEER;
import static io.usertcp.stack.Packets.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.PacketLink;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.DropReason;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stack-level packet-in/packet-out tests on a manual clock: the test holds the far end of a
 * {@link MemoryLink} (a channel-style link), injects IPv4 packets and reads what the stack sends.
 */
@Timeout(30)
class StackPacketTest {

    private final ManualClock clock = new ManualClock();
    private MemoryLink.Pair pair;
    private Stack stack;
    private PacketLink peer;

    @BeforeEach
    void setUp() throws IOException {
        pair = MemoryLink.pair(1500);
        stack = Stack.builder().clock(clock).manual().link(pair.a(), inet(US), 24).build();
        peer = pair.b();
    }

    @AfterEach
    void tearDown() throws IOException {
        stack.close();
        peer.close();
    }

    static InetAddress inet(int ip) {
        return Addresses.toInet(ip);
    }

    private void inject(byte[] packet) throws IOException {
        peer.send(ByteBuffer.wrap(packet));
        stack.pump();
    }

    private void expectNothing() throws IOException {
        byte[] p = Packets.receive(peer, 0);
        assertNull(p, () -> "expected no packet, got " + Packets.parseIp(p));
    }

    // ---------------------------------------------------------------------------------- C6 IP/ICMP

    @Test
    void C6_3_echoRequestGetsReply() throws IOException {
        byte[] data = "usertcp ping payload".getBytes();
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US,
                Packets.icmp(IcmpHeader.TYPE_ECHO_REQUEST, 0, 0x0BEE_0007, data)));

        byte[] reply = Packets.receive(peer, 0);
        assertNotNull(reply, "no echo reply");
        Ipv4Header ip = Packets.parseIp(reply); // checks the header checksum
        assertEquals(Ipv4Header.PROTO_ICMP, ip.protocol());
        assertEquals(US, ip.src());
        assertEquals(PEER, ip.dst());
        int off = ip.payloadOffset();
        assertTrue(Packets.checksumOk(reply, off, ip.payloadLength()), "ICMP checksum");
        ByteBuffer b = ByteBuffer.wrap(reply);
        assertEquals(IcmpHeader.TYPE_ECHO_REPLY, b.get(off) & 0xFF);
        assertEquals(0, b.get(off + 1));
        assertEquals(0x0BEE_0007, b.getInt(off + 4), "identifier and sequence echoed");
        byte[] echoed = new byte[data.length];
        b.get(off + 8, echoed);
        assertArrayEquals(data, echoed);
        assertEquals(1, stack.stats().icmpEchoReplies());
        expectNothing();
    }

    @Test
    void C6_1_packetForAnotherHostIsDropped() throws IOException {
        int other = Ipv4Header.address(198, 18, 0, 99); // not ours
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, other, Packets.icmp(8, 0, 1, new byte[8])));
        expectNothing();
        assertEquals(1, stack.stats().dropped(DropReason.IP_NOT_FOR_US));
    }

    @Test
    void C6_1_invalidIpHeadersAreDroppedAndCounted() throws IOException {
        byte[] good = Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US, Packets.icmp(8, 0, 1, new byte[8]));

        byte[] badChecksum = good.clone();
        badChecksum[10] ^= 0x55;
        inject(badChecksum);
        assertEquals(1, stack.stats().dropped(DropReason.IP_BAD_CHECKSUM));

        byte[] badVersion = good.clone();
        badVersion[0] = 0x65;
        inject(badVersion);
        assertEquals(1, stack.stats().dropped(DropReason.IP_BAD_VERSION));

        inject(new byte[12]);
        assertEquals(1, stack.stats().dropped(DropReason.IP_TRUNCATED));

        byte[] longTotal = good.clone();
        ByteBuffer.wrap(longTotal).putShort(2, (short) (good.length + 40));
        Ipv4Header.wrap(ByteBuffer.wrap(longTotal), 0).fillChecksum();
        inject(longTotal);
        assertEquals(1, stack.stats().dropped(DropReason.IP_BAD_TOTAL_LENGTH));

        byte[] badIhl = good.clone();
        badIhl[0] = 0x44;
        Ipv4Header.wrap(ByteBuffer.wrap(badIhl), 0).fillChecksum();
        inject(badIhl);
        assertEquals(1, stack.stats().dropped(DropReason.IP_BAD_HEADER_LENGTH));

        expectNothing();
        assertEquals(0, stack.stats().icmpEchoReplies());
        // and the stack still answers a good one
        inject(good);
        assertNotNull(Packets.receive(peer, 0));
        assertEquals(0, stack.stats().internalErrors());
    }

    @Test
    void C6_1_tcpChecksumIsVerifiedWithThePseudoHeader() throws IOException {
        TcpSegment syn = TcpSegment.builder().ports(40000, 9).seq(1000).flags(TcpHeader.FLAG_SYN).window(65535).build();
        byte[] p = Packets.tcp(syn, PEER, US);
        // Same bytes, but claimed to come from another source: the pseudo-header no longer matches.
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putInt(Ipv4Header.SRC, Ipv4Header.address(198, 18, 0, 3));
        Ipv4Header.wrap(b, 0).fillChecksum();
        inject(p);
        assertEquals(1, stack.stats().dropped(DropReason.BAD_TCP_CHECKSUM));
        expectNothing();
    }

    @Test
    void C6_2_fragmentsAreReassembled() throws IOException {
        byte[] data = new byte[200];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        byte[] whole = Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US,
                Packets.icmp(IcmpHeader.TYPE_ECHO_REQUEST, 0, 0x0001_0002, data));
        // second half first: reassembly does not care about order
        inject(Packets.fragment(whole, 104, whole.length - 20));
        expectNothing();
        inject(Packets.fragment(whole, 0, 104));
        byte[] reply = Packets.receive(peer, 0);
        assertNotNull(reply, "no echo reply for the reassembled request");
        Ipv4Header ip = Packets.parseIp(reply);
        assertEquals(20 + 8 + data.length, ip.totalLength());
        assertTrue(ip.dontFragment(), "DF set on what we send");
        byte[] echoed = new byte[data.length];
        ByteBuffer.wrap(reply).get(ip.payloadOffset() + 8, echoed);
        assertArrayEquals(data, echoed);
        assertEquals(2, stack.stats().ip().get(io.usertcp.ip.IpStats.Counter.FRAGMENTS_RECEIVED));
        assertEquals(1, stack.stats().ip().get(io.usertcp.ip.IpStats.Counter.DATAGRAMS_REASSEMBLED));
    }

    @Test
    void C6_2_incompleteDatagramTimesOutWithTimeExceeded() throws IOException {
        byte[] whole = Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US,
                Packets.icmp(IcmpHeader.TYPE_ECHO_REQUEST, 0, 7, new byte[64]));
        inject(Packets.fragment(whole, 0, 32)); // fragment zero only
        expectNothing();
        clock.advance(Duration.ofSeconds(29));
        stack.pump();
        expectNothing();
        assertEquals(0, stack.stats().dropped(DropReason.FRAGMENT_TIMEOUT));
        clock.advance(Duration.ofSeconds(2));
        stack.pump();
        assertEquals(1, stack.stats().dropped(DropReason.FRAGMENT_TIMEOUT));
        // RFC 1122 §3.3.2: time exceeded (code 1, reassembly) quoting fragment zero
        byte[] p = Packets.receive(peer, 0);
        assertNotNull(p, "no time exceeded");
        Ipv4Header ip = Packets.parseIp(p);
        ByteBuffer b = ByteBuffer.wrap(p);
        assertEquals(Ipv4Header.PROTO_ICMP, ip.protocol());
        assertEquals(IcmpHeader.TYPE_TIME_EXCEEDED, b.get(ip.payloadOffset()) & 0xFF);
        assertEquals(1, b.get(ip.payloadOffset() + 1));
        assertEquals(PEER, ip.dst());
        expectNothing();
    }

    // ------------------------------------------------------------------------ RST for no socket

    @Test
    void C1_6_synToClosedPortGetsRstAck() throws IOException {
        TcpSegment syn = TcpSegment.builder().ports(40000, 7).seq(1000).flags(TcpHeader.FLAG_SYN)
                .window(65535).options(TcpOptions.NONE.withMss(1460)).build();
        inject(Packets.tcp(syn, PEER, US));
        TcpSegment rst = Packets.expectTcp(peer, 0);
        // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
        assertEquals(TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, rst.flags(), rst::toString);
        assertEquals(0, rst.seq());
        assertEquals(1001, rst.ack());
        assertEquals(7, rst.srcPort());
        assertEquals(40000, rst.dstPort());
        assertEquals(0, rst.payloadLength());
        assertEquals(1, stack.stats().dropped(DropReason.TCP_NO_SOCKET));
        assertEquals(1, stack.stats().rstSent());
        expectNothing();
    }

    @Test
    void C4_6_segmentForUnknownConnectionGetsRst() throws IOException {
        // With ACK: <SEQ=SEG.ACK><CTL=RST>
        inject(Packets.tcp(TcpSegment.builder().ports(40001, 80).seq(5000).ack(777_777)
                .flags(TcpHeader.FLAG_ACK).window(1000).payload(new byte[10]).build(), PEER, US));
        TcpSegment rst = Packets.expectTcp(peer, 0);
        assertEquals(TcpHeader.FLAG_RST, rst.flags(), rst::toString);
        assertEquals(777_777, rst.seq());

        // Without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, FIN counted in SEG.LEN
        inject(Packets.tcp(TcpSegment.builder().ports(40001, 80).seq(100)
                .flags(TcpHeader.FLAG_FIN).window(1000).payload(new byte[10]).build(), PEER, US));
        rst = Packets.expectTcp(peer, 0);
        assertEquals(TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, rst.flags(), rst::toString);
        assertEquals(0, rst.seq());
        assertEquals(111, rst.ack());

        // An RST is never answered.
        inject(Packets.tcp(TcpSegment.builder().ports(40001, 80).seq(100)
                .flags(TcpHeader.FLAG_RST).window(0).build(), PEER, US));
        expectNothing();
        assertEquals(3, stack.stats().dropped(DropReason.TCP_NO_SOCKET));
    }

    // ------------------------------------------------------------------- connect through TcpSocket

    /** Starts a connect on another thread and returns the SYN it sends plus the pending result. */
    private record Connecting(TcpSocket socket, TcpSegment syn, byte[] synPacket, CompletableFuture<Void> done) {}

    private Connecting startConnect(int port, long timeoutNanos) throws IOException {
        TcpSocket s = stack.newSocket();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                s.connect(inet(PEER), port, timeoutNanos);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "connect");
        t.setDaemon(true);
        t.start();
        byte[] p = Packets.receive(peer, 5000);
        assertNotNull(p, "no SYN sent");
        TcpSegment syn = Packets.parseTcp(p);
        assertEquals(TcpHeader.FLAG_SYN, syn.flags(), syn::toString);
        return new Connecting(s, syn, p, done);
    }

    private static Throwable failure(CompletableFuture<Void> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void C1_6_connectRefusedThroughTcpSocket() throws Exception {
        Connecting c = startConnect(80, 0);
        assertEquals(1460, c.syn().options().mss(), "MSS = MTU - 40 (C1.1)");
        inject(Packets.tcp(TcpSegment.builder().ports(80, c.syn().srcPort()).seq(0).ack(c.syn().seq() + 1)
                .flags(TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK).window(0).build(), PEER, US));
        Throwable e = failure(c.done());
        assertEquals(ConnectException.class, e.getClass(), e::toString);
        assertEquals("Connection refused", e.getMessage());
        assertTrue(c.socket().isClosed(), "the socket is closed after a failed connect");
        expectNothing();
    }

    @Test
    void C6_4_icmpPortUnreachableFailsConnect() throws Exception {
        Connecting c = startConnect(81, 0);
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US, Packets.icmpError(
                IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_PORT_UNREACHABLE, 0, c.synPacket())));
        Throwable e = failure(c.done());
        assertEquals(ConnectException.class, e.getClass(), e::toString);
        assertEquals("Connection refused", e.getMessage());
        assertEquals(1, stack.stats().icmpErrorsIn());
    }

    @Test
    void C6_4_icmpAdminProhibitedFailsConnectWithNoRouteToHost() throws Exception {
        Connecting c = startConnect(82, 0);
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US, Packets.icmpError(
                IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_ADMIN_PROHIBITED, 0, c.synPacket())));
        Throwable e = failure(c.done());
        assertEquals(NoRouteToHostException.class, e.getClass(), e::toString);
        assertEquals("No route to host", e.getMessage());
    }

    @Test
    void C6_4_icmpHostUnreachableFailsConnectWithNoRouteToHost() throws Exception {
        // Linux: ICMP host unreachable in SYN-SENT fails connect with EHOSTUNREACH.
        Connecting c = startConnect(83, 0);
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US, Packets.icmpError(
                IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_HOST_UNREACHABLE, 0, c.synPacket())));
        Throwable e = failure(c.done());
        assertEquals(NoRouteToHostException.class, e.getClass(), e::toString);
        assertEquals("No route to host", e.getMessage());
    }

    @Test
    void C6_4_icmpNetUnreachableFailsConnectWithNetworkUnreachable() throws Exception {
        // Linux: ICMP net unreachable in SYN-SENT fails connect with ENETUNREACH (a SocketException).
        Connecting c = startConnect(84, 0);
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US, Packets.icmpError(
                IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_NET_UNREACHABLE, 0, c.synPacket())));
        Throwable e = failure(c.done());
        assertEquals(SocketException.class, e.getClass(), e::toString);
        assertEquals("Network is unreachable", e.getMessage());
    }

    @Test
    void C6_4_icmpForUnknownConnectionIsCounted() throws IOException {
        byte[] fake = Packets.tcp(TcpSegment.builder().ports(45000, 80).seq(1).flags(TcpHeader.FLAG_SYN)
                .window(100).build(), US, PEER);
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US, Packets.icmpError(3, 3, 0, fake)));
        assertEquals(1, stack.stats().icmpErrorsIn());
        assertEquals(1, stack.stats().dropped(DropReason.TCP_NO_SOCKET));
        expectNothing();
    }

    /** Connects to PEER:80 with a handshake played by the test; returns the socket and sequence numbers. */
    private record Established(TcpSocket socket, int localPort, int iss, int irs) {}

    private Established establish(int peerMss) throws Exception {
        Connecting c = startConnect(80, 0);
        int irs = 50_000;
        inject(Packets.tcp(TcpSegment.builder().ports(80, c.syn().srcPort()).seq(irs).ack(c.syn().seq() + 1)
                .flags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK).window(65535)
                .options(TcpOptions.NONE.withMss(peerMss)).build(), PEER, US));
        c.done().get(10, TimeUnit.SECONDS);
        TcpSegment ack = Packets.expectTcp(peer, 0);
        assertEquals(TcpHeader.FLAG_ACK, ack.flags(), ack::toString);
        assertEquals(irs + 1, ack.ack());
        assertEquals(TcpState.ESTABLISHED, c.socket().state());
        return new Established(c.socket(), c.syn().srcPort(), c.syn().seq(), irs);
    }

    @Test
    void C6_5_fragmentationNeededLowersTheSegmentSize() throws Exception {
        Established e = establish(1460);
        e.socket().write(new byte[4000], 0, 4000);
        List<byte[]> sent = new ArrayList<>();
        for (byte[] p; (p = Packets.receive(peer, 0)) != null; ) {
            sent.add(p);
        }
        assertFalse(sent.isEmpty(), "no data sent");
        byte[] first = sent.get(0);
        assertEquals(1460, Packets.parseTcp(first).payloadLength());
        assertEquals(1500, first.length);
        assertTrue(Packets.parseIp(first).dontFragment(), "DF set (C6.2)");

        // RFC 1191: a router with MTU 576 answers "fragmentation needed", next-hop MTU 576.
        inject(Packets.ip(Ipv4Header.PROTO_ICMP, PEER, US,
                Packets.icmpError(IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 576, first)));
        List<TcpSegment> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (byte[] p; (p = Packets.receive(peer, 0)) != null; ) {
                after.add(Packets.parseTcp(p));
            }
            clock.advance(Duration.ofMillis(1100));
            stack.pump();
        }
        List<TcpSegment> data = after.stream().filter(s -> s.payloadLength() > 0).toList();
        assertFalse(data.isEmpty(), "nothing retransmitted after the ICMP");
        for (TcpSegment s : data) {
            assertTrue(s.payloadLength() <= 536, () -> "segment larger than the path MTU allows: " + s);
        }
        assertEquals(536, e.socket().info().sndMss());
        // RFC 1191: the path MTU is remembered for the destination; a new connection starts with it.
        Connecting next = startConnect(81, 0);
        assertEquals(536, next.syn().options().mss());
    }

    @Test
    void C1_7_connectTimeoutMessage() throws Exception {
        // Real clock and threads; the peer never answers.
        MemoryLink.Pair p = MemoryLink.pair(1500);
        try (Stack s = Stack.builder().link(p.a(), inet(US), 24).build()) {
            TcpSocket sock = s.newSocket();
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                    () -> sock.connect(inet(PEER), 80, TimeUnit.MILLISECONDS.toNanos(300)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals("Connect timed out", e.getMessage());
            assertTrue(ms >= 290, "timed out too early: " + ms + " ms");
            assertTrue(ms < 5000, "timed out too late: " + ms + " ms");
            assertTrue(sock.isClosed());
            // C1.15: closing in SYN-SENT sends no RST; only the SYN went out.
            TcpSegment syn = Packets.expectTcp(p.b(), 1000);
            assertTrue(syn.syn());
            for (byte[] q; (q = Packets.receive(p.b(), 100)) != null; ) {
                assertFalse(Packets.parseTcp(q).rst(), "RST sent after a connect timeout");
            }
        } finally {
            p.b().close();
        }
    }

    @Test
    void noRouteIsNetworkUnreachable() throws IOException {
        // Linux connect(2) without a route: ENETUNREACH, which the JDK throws as a plain
        // SocketException (NoRouteToHostException is only for EHOSTUNREACH).
        TcpSocket s = stack.newSocket();
        SocketException e = assertThrows(SocketException.class,
                () -> s.connect(inet(Ipv4Header.address(198, 19, 0, 1)), 80, 0));
        assertEquals(SocketException.class, e.getClass(), e::toString);
        assertEquals("Network is unreachable", e.getMessage());
        assertTrue(s.isClosed());
        expectNothing();
    }

    @Test
    void multicastDestinationIsNetworkUnreachable() throws IOException {
        TcpSocket s = stack.newSocket();
        SocketException e = assertThrows(SocketException.class,
                () -> s.connect(inet(Ipv4Header.address(224, 0, 0, 1)), 80, 0));
        assertEquals(SocketException.class, e.getClass(), e::toString);
        assertEquals("Network is unreachable", e.getMessage());
        expectNothing();
    }
}
