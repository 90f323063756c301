package io.usertcp.hardening;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.PacketLink;
import io.usertcp.stack.Clock;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A usertcp {@link Stack} in manual mode (manual clock, no threads) on one end of a
 * {@link MemoryLink}, and a scripted peer on the other end that writes IPv4+TCP packets and reads
 * (and checks) everything the stack sends. Used by the engine fuzz target and the hostile-peer tests.
 */
public final class PeerHarness implements AutoCloseable {
    public static final int US = 0xC6120001;   // 198.18.0.1, the stack
    public static final int PEER = 0xC6120002; // 198.18.0.2, the scripted peer

    /** One packet the stack sent: its IP source/destination and the parsed segment (payload copied). */
    public record Out(int src, int dst, TcpSegment seg) {}

    /**
     * A manual clock (time moves only when the test says) that can also tick on its own, 1 ms per
     * reading, for the duration of one socket call with a timeout: with a frozen clock such a call
     * would wait forever for its deadline (see {@link #tryAccept}).
     */
    public static final class HarnessClock implements Clock {
        private volatile long now = 1_000_000_000L;
        private volatile boolean ticking;

        @Override
        public long nanoTime() {
            if (ticking) {
                now += 1_000_000L;
            }
            return now;
        }

        public void advanceMillis(long ms) {
            now += ms * 1_000_000L;
        }

        public void advance(java.time.Duration d) {
            now += d.toNanos();
        }
    }

    public final HarnessClock clock = new HarnessClock();
    public final Stack stack;
    public final PacketLink wire;
    private final ByteBuffer rx = ByteBuffer.allocate(65536);
    private final ByteBuffer tx = ByteBuffer.allocate(65536);
    private int ipId;
    /** Packets the stack sent that were not IPv4 TCP (ICMP …), counted. */
    public int otherPackets;

    public PeerHarness(TcpConfig config) {
        this(config, MemoryLink.DEFAULT_QUEUE_PACKETS);
    }

    public PeerHarness(TcpConfig config, int queuePackets) {
        this(config, queuePackets, io.usertcp.stack.StackLimits.DEFAULT);
    }

    /** A harness whose stack has {@code limits}. */
    public PeerHarness(TcpConfig config, int queuePackets, io.usertcp.stack.StackLimits limits) {
        MemoryLink.Pair pair = MemoryLink.pair("peer", 1500, queuePackets);
        stack = Stack.builder().clock(clock).tcpConfig(config).limits(limits).manual().link(pair.a(), inet(US), 24)
                .build();
        wire = pair.b();
    }

    public static InetAddress inet(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends {@code seg} from {@code src} to the stack (does not pump). */
    public void send(TcpSegment seg, int src) {
        int n = seg.length();
        Ipv4Header.emit(tx, 0, 0, ipId++, 64, Ipv4Header.PROTO_TCP, src, US, n);
        seg.emit(tx, 20, src, US);
        sendRaw(tx, 20 + n);
    }

    public void send(TcpSegment seg) {
        send(seg, PEER);
    }

    public void sendRaw(ByteBuffer b, int len) {
        try {
            wire.send(b.duplicate().position(0).limit(len));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends and pumps. */
    public void inject(TcpSegment seg) {
        send(seg);
        stack.pump();
    }

    public void pump() {
        stack.pump();
    }

    public void advanceMillis(long ms) {
        clock.advanceMillis(ms);
        stack.pump();
    }

    /**
     * Every packet the stack sent since the last call. Each must be a valid IPv4 packet (header
     * checksum) from us; TCP segments must carry a valid checksum and parse; anything else is counted
     * in {@link #otherPackets}. Throws AssertionError otherwise.
     */
    public List<Out> drain() {
        List<Out> out = new ArrayList<>();
        while (true) {
            int len;
            try {
                rx.clear();
                len = wire.receive(rx, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (len <= 0) {
                return out;
            }
            Ipv4Header ip;
            try {
                ip = Ipv4Header.parse(rx, 0, len);
            } catch (MalformedPacketException e) {
                throw new AssertionError("the stack sent an invalid IPv4 packet: " + e.reason());
            }
            if (ip.src() != US) {
                throw new AssertionError("the stack sent from " + Ipv4Header.addressToString(ip.src()));
            }
            if (ip.ttl() == 0) {
                throw new AssertionError("TTL 0 sent");
            }
            if (ip.protocol() != Ipv4Header.PROTO_TCP) {
                otherPackets++;
                continue;
            }
            TcpSegment s;
            try {
                s = TcpSegment.parse(rx, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
            } catch (MalformedPacketException e) {
                throw new AssertionError("the stack sent an invalid TCP segment: " + e.reason());
            }
            if (TcpSegment.hasReservedBits(rx, ip.payloadOffset())) {
                throw new AssertionError("reserved bits set in " + s);
            }
            out.add(new Out(ip.src(), ip.dst(), s.toBuilder().payload(s.payloadBytes()).build()));
        }
    }

    /** An established connection: the accepted socket and both sides' next sequence numbers. */
    public static final class Conn {
        public final TcpSocket socket;
        public final int localPort;
        public final int remotePort;
        /** The stack's ISN + 1 (first data byte the stack sends). */
        public final int stackIsn1;
        /** The peer's ISN + 1 (first data byte the peer sends). */
        public final int peerIsn1;
        /** The MSS the stack offered. */
        public final int stackMss;

        Conn(TcpSocket socket, int localPort, int remotePort, int stackIsn1, int peerIsn1, int stackMss) {
            this.socket = socket;
            this.localPort = localPort;
            this.remotePort = remotePort;
            this.stackIsn1 = stackIsn1;
            this.peerIsn1 = peerIsn1;
            this.stackMss = stackMss;
        }
    }

    /** A listening socket of the stack on {@code port}. */
    public TcpSocket listen(int port, int backlog) {
        try {
            TcpSocket l = stack.newSocket();
            l.bind(inet(US), port);
            l.listen(backlog);
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Passive open through {@code listener}: the peer sends SYN (from {@code peerPort}, ISN
     * {@code peerIsn}, MSS {@code peerMss}, window {@code window}), reads the SYN-ACK, acks it, and the
     * stack's socket is accepted.
     */
    public Conn open(TcpSocket listener, int peerPort, int peerIsn, int peerMss, int window) {
        int port = listener.localPort();
        drain();
        inject(TcpSegment.builder().ports(peerPort, port).seq(peerIsn).flags(TcpHeader.FLAG_SYN)
                .window(window).options(TcpOptions.NONE.withMss(peerMss)).build());
        TcpSegment synAck = null;
        for (Out o : drain()) {
            if (o.seg().has(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK) && o.seg().dstPort() == peerPort) {
                synAck = o.seg();
            }
        }
        if (synAck == null || synAck.ack() != peerIsn + 1) {
            throw new AssertionError("no SYN-ACK for the SYN from port " + peerPort + ": " + synAck);
        }
        inject(TcpSegment.builder().ports(peerPort, port).seq(peerIsn + 1).ack(synAck.seq() + 1)
                .flags(TcpHeader.FLAG_ACK).window(window).build());
        TcpSocket s = tryAccept(listener);
        if (s == null) {
            throw new AssertionError("nothing to accept after the handshake from port " + peerPort);
        }
        return new Conn(s, port, peerPort, synAck.seq() + 1, peerIsn + 1, synAck.options().mss());
    }

    /** Accepts a connection if one is ready, else null (without blocking: the clock ticks meanwhile). */
    public TcpSocket tryAccept(TcpSocket listener) {
        clock.ticking = true;
        try {
            return listener.accept(1);
        } catch (java.net.SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            clock.ticking = false;
        }
    }

    @Override
    public void close() {
        stack.close();
        try {
            wire.close();
        } catch (IOException e) {
            // closing a memory link does not fail
        }
    }
}
