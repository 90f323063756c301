package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.PacketLink;
import io.usertcp.stack.Stack;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each option's effect on the wire: two usertcp stacks joined by an in-memory link (no device),
 * the client's link wrapped in a {@code CaptureLink} that records every segment with its IP TOS.
 * The server stack delays its ACKs by 500 ms, so that Nagle's algorithm has something to wait for.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OptionEffectsTest {

    static final InetAddress CLIENT = address("198.18.0.2");
    static final InetAddress SERVER = address("198.18.0.1");

    Stack clientStack;
    Stack serverStack;
    final Capture capture = new Capture();
    UserTcpSocketFactory sockets;
    ServerSocket listener;

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void start() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(1500);
        PacketLink tapped = new CaptureLink(pair.a(), capture);
        clientStack = Stack.builder().link(tapped, CLIENT, 24).build();
        serverStack = Stack.builder().tcpConfig(TcpConfig.forMtu(1500).toBuilder().delayedAck(Duration.ofMillis(500)).build())
                .link(pair.b(), SERVER, 24).build();
        sockets = new UserTcpSocketFactory(clientStack);
        listener = new UserTcpServerSocketFactory(serverStack).createServerSocket(8000, 50, SERVER);
    }

    @AfterEach
    void stop() throws IOException {
        listener.close();
        clientStack.close();
        serverStack.close();
    }

    /** Records what crosses the client's link: direction, TOS and the segment's summary. */
    record Seen(boolean out, int tos, int flags, int seq, int ack, int len, int window) {
        boolean data() {
            return len > 0;
        }

        boolean rst() {
            return (flags & io.usertcp.wire.TcpHeader.FLAG_RST) != 0;
        }

        boolean fin() {
            return (flags & io.usertcp.wire.TcpHeader.FLAG_FIN) != 0;
        }

        boolean syn() {
            return (flags & io.usertcp.wire.TcpHeader.FLAG_SYN) != 0;
        }
    }

    static final class Capture {
        final ReentrantLock lock = new ReentrantLock();
        final Condition added = lock.newCondition();
        // Copy-on-write: the test thread reads (stream, toString) while the engine thread appends.
        final List<Seen> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        void add(Seen s) {
            lock.lock();
            try {
                seen.add(s);
                added.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits (at most 5 s) until some recorded segment matches, and returns the list then. */
        List<Seen> await(String what, Predicate<Seen> p) throws InterruptedException {
            long nanos = TimeUnit.SECONDS.toNanos(5);
            lock.lock();
            try {
                while (seen.stream().noneMatch(p)) {
                    if (nanos <= 0) {
                        fail("never saw " + what + " in " + seen);
                    }
                    nanos = added.awaitNanos(nanos);
                }
                return new ArrayList<>(seen);
            } finally {
                lock.unlock();
            }
        }
    }

    /** A link decorator that records the TOS byte and the TCP header of every packet. */
    static final class CaptureLink implements PacketLink {
        final PacketLink inner;
        final Capture capture;

        CaptureLink(PacketLink inner, Capture capture) {
            this.inner = inner;
            this.capture = capture;
        }

        @Override public String name() { return inner.name(); }
        @Override public int mtu() { return inner.mtu(); }
        @Override public void close() throws IOException { inner.close(); }

        @Override
        public void send(ByteBuffer p) throws IOException {
            record(true, p, p.position(), p.remaining());
            inner.send(p);
        }

        @Override
        public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            int n = inner.receive(dst, timeoutNanos);
            if (n > 0) {
                record(false, dst, 0, n);
            }
            return n;
        }

        private void record(boolean out, ByteBuffer b, int off, int len) {
            try {
                Ipv4Header ip = Ipv4Header.parse(b, off, len);
                if (ip.protocol() == Ipv4Header.PROTO_TCP) {
                    TcpSegment s = TcpSegment.parse(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
                    capture.add(new Seen(out, ip.tos(), s.flags(), s.seq(), s.ack(), s.payloadLength(), s.window()));
                }
            } catch (Exception e) {
                throw new AssertionError("unparsable packet on the link", e);
            }
        }
    }

    Socket connect(Socket s) throws IOException {
        s.connect(new InetSocketAddress(SERVER, 8000), 5000);
        return s;
    }

    @Test
    void ipTosMarksThePackets() throws Exception {
        try (Socket s = sockets.createSocket()) {
            s.setTrafficClass(0x28);
            connect(s);
            try (Socket peer = listener.accept()) {
                s.getOutputStream().write(1);
                assertEquals(1, peer.getInputStream().read());
                List<Seen> seen = capture.await("the data segment", x -> x.out && x.data());
                for (Seen x : seen) {
                    if (x.out) {
                        assertEquals(0x28, x.tos, "TOS of " + x);
                    }
                }
            }
        }
    }

    @Test
    void receiveBufferShapesTheAdvertisedWindow() throws Exception {
        try (Socket s = sockets.createSocket()) {
            s.setReceiveBufferSize(4000);
            connect(s);
            listener.accept().close();
            Seen syn = capture.await("our SYN", x -> x.out && x.syn()).stream().filter(x -> x.out && x.syn())
                    .findFirst().orElseThrow();
            assertTrue(syn.window > 0 && syn.window <= 4000, "SYN window " + syn.window);
        }
    }

    @Test
    void nagleHoldsASmallSegmentUntilTheAckAndNoDelayDoesNot() throws Exception {
        // Nagle (TCP_NODELAY off): the second small write waits for the ACK of the first.
        try (Socket s = connect(sockets.createSocket()); Socket peer = listener.accept()) {
            OutputStream out = s.getOutputStream();
            out.write('a');
            out.write('b');
            InputStream in = peer.getInputStream();
            assertEquals('a', in.read());
            assertEquals('b', in.read());
            List<Seen> seen = capture.await("two data segments",
                    x -> x.out && x.data() && capture.seen.stream().filter(y -> y.out && y.data()).count() >= 2);
            int first = indexOfData(seen, 0);
            int second = indexOfData(seen, 1);
            Seen firstData = seen.get(first);
            boolean ackBetween = seen.subList(first, second).stream()
                    .anyMatch(x -> !x.out && x.ack == firstData.seq + firstData.len);
            assertTrue(ackBetween, "with Nagle the second segment waits for the ACK: " + seen);
        }
        capture.seen.clear();
        // TCP_NODELAY on: both go at once, long before the peer's (500 ms delayed) ACK.
        try (Socket s = sockets.createSocket()) {
            s.setTcpNoDelay(true);
            connect(s);
            try (Socket peer = listener.accept()) {
                OutputStream out = s.getOutputStream();
                out.write('c');
                out.write('d');
                InputStream in = peer.getInputStream();
                assertEquals('c', in.read());
                assertEquals('d', in.read());
                List<Seen> seen = capture.await("two data segments",
                        x -> x.out && x.data() && capture.seen.stream().filter(y -> y.out && y.data()).count() >= 2);
                int first = indexOfData(seen, 0);
                int second = indexOfData(seen, 1);
                Seen firstData = seen.get(first);
                boolean ackBetween = seen.subList(first, second).stream()
                        .anyMatch(x -> !x.out && x.ack == firstData.seq + firstData.len);
                assertTrue(!ackBetween, "with TCP_NODELAY the second segment does not wait: " + seen);
            }
        }
    }

    /** Index of the nth outgoing data segment carrying new data (a retransmission, such as a tail loss
     *  probe while the peer delays its ACK 500 ms, repeats an earlier sequence number and is skipped). */
    static int indexOfData(List<Seen> seen, int nth) {
        int n = 0;
        java.util.Set<Integer> seqs = new java.util.HashSet<>();
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).out && seen.get(i).data() && seqs.add(seen.get(i).seq) && n++ == nth) {
                return i;
            }
        }
        throw new AssertionError("no data segment #" + nth + " in " + seen);
    }

    @Test
    void keepAliveProbesAnIdleConnection() throws Exception {
        try (Socket s = sockets.createSocket()) {
            s.setKeepAlive(true);
            s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
            s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
            s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
            connect(s);
            try (Socket peer = listener.accept()) {
                assertTrue(peer.isConnected());
                Seen ack = capture.await("the handshake's ACK", x -> x.out && !x.syn()).stream()
                        .filter(x -> x.out && !x.syn()).findFirst().orElseThrow();
                // RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: a keep-alive is a segment with SEG.SEQ = SND.NXT-1
                capture.await("a keep-alive probe (seq = SND.NXT - 1)", x -> x.out && !x.syn() && x.seq == ack.seq - 1);
                assertTrue(s.isConnected() && !s.isClosed());
            }
        }
    }

    @Test
    void lingerZeroResetsAndDefaultCloseSendsFin() throws Exception {
        Socket s = connect(sockets.createSocket());
        Socket peer = listener.accept();
        s.close();
        capture.await("a FIN", x -> x.out && x.fin());
        assertTrue(capture.seen.stream().noneMatch(x -> x.out && x.rst()), capture.seen.toString());
        peer.close();
        capture.seen.clear();

        s = connect(sockets.createSocket());
        peer = listener.accept();
        s.setSoLinger(true, 0);
        s.close();
        capture.await("a RST", x -> x.out && x.rst());
        assertTrue(capture.seen.stream().noneMatch(x -> x.out && x.fin()), capture.seen.toString());
        peer.close();
    }
}
