package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.LinkDownException;
import io.usertcp.link.MemoryLink;
import io.usertcp.link.PacketLink;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Link errors without a TUN: two threaded stacks over a {@link MemoryLink} pair, one side's link
 * wrapped in a {@link FaultyLink} that throws on command. Checks the RX thread's bounded retries
 * (no spin, then the link declared dead) and the send-side {@link LinkDownException} handling.
 */
@Timeout(60)
class LinkErrorTest {

    static final InetAddress A = KernelSide.address(198, 18, 7, 1);
    static final InetAddress B = KernelSide.address(198, 18, 7, 2);
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Throws what the test asks for, else passes through. */
    static final class FaultyLink implements PacketLink {
        final PacketLink inner;
        volatile boolean receiveFails;
        final AtomicInteger receiveFailuresLeft = new AtomicInteger();
        volatile boolean down;

        FaultyLink(PacketLink inner) {
            this.inner = inner;
        }

        @Override public String name() { return "faulty"; }
        @Override public int mtu() { return inner.mtu(); }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            if (down) {
                throw new LinkDownException("faulty", false, "injected: link down");
            }
            inner.send(packet);
        }

        @Override
        public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            if (receiveFails || receiveFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("injected receive error");
            }
            return inner.receive(dst, Math.min(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(20)));
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    private Stack a;
    private Stack b;
    private FaultyLink faulty;

    private void start() {
        MemoryLink.Pair p = MemoryLink.pair(1500);
        faulty = new FaultyLink(p.a());
        a = Stack.builder().link(faulty, A, 24).build();
        b = Stack.builder().link(p.b(), B, 24).build();
    }

    @AfterEach
    void tearDown() {
        if (a != null) {
            a.close();
            assertEquals(0, a.stats().internalErrors());
        }
        if (b != null) {
            b.close();
        }
    }

    /** A connected pair: [0] on A, [1] its peer on B. */
    private TcpSocket[] connect(TcpSocket listener) throws IOException {
        TcpSocket c = a.newSocket();
        c.connect(B, listener.localPort(), 5 * SECOND);
        return new TcpSocket[] {c, listener.accept(5 * SECOND)};
    }

    private TcpSocket listen() throws IOException {
        TcpSocket l = b.newSocket();
        l.bind(B, 0);
        l.listen(4);
        return l;
    }

    private static void echoOnce(TcpSocket[] pair) throws IOException {
        pair[0].write(new byte[] {1, 2, 3}, 0, 3);
        byte[] got = new byte[3];
        int n = 0;
        while (n < 3) {
            int r = pair[1].read(got, n, 3 - n, 5 * SECOND);
            assertTrue(r > 0);
            n += r;
        }
        assertArrayEquals(new byte[] {1, 2, 3}, got);
    }

    @Test
    void endlessReceiveErrorsEndInALinkDeclaredDeadNotASpin() throws Exception {
        start();
        TcpSocket l = listen();
        TcpSocket[] pair = connect(l);
        CompletableFuture<Outcome> read = Outcome.watch("blocked-read", () -> {
            byte[] buf = new byte[100];
            while (pair[0].read(buf, 0, buf.length, 0) >= 0) {
                // the peer sends nothing
            }
        });
        long t0 = System.nanoTime();
        faulty.receiveFails = true;
        Outcome o = Outcome.await(read, 30, "read on a link whose receive keeps failing");
        assertEquals(SocketException.class.getName() + ": Network is down", o.what());
        long millis = o.millisAfter(t0);
        // 12 errors with a back-off doubling from 1 ms to 500 ms: about 1.5 s, never a spin.
        Outcome.assertWithin(millis, 10_000, "declaring the link dead");
        assertTrue(millis >= 500, "declared dead after " + millis + " ms: the back-off did not wait");
        assertEquals(12, a.stats().linkReceiveErrors(), "receive errors before the link is declared dead");
        assertEquals(1, a.stats().linkFailures());
        assertTrue(a.connections().isEmpty(), "table drained: " + a.connections());
        // Sends on the dead link fail new connections at once with the same message.
        TcpSocket late = a.newSocket();
        SocketException e = assertThrows(SocketException.class, () -> late.connect(B, l.localPort(), 5 * SECOND));
        assertEquals("Network is down", e.getMessage());
        Reliability.record("RX errors without end (injected IOException on every receive): link declared dead after "
                + a.stats().linkReceiveErrors() + " errors and " + millis + " ms (back-off 1 ms doubling to 500 ms); "
                + "blocked read got \"Network is down\"");
    }

    @Test
    void aFewReceiveErrorsAreRetriedAndTheConnectionLives() throws Exception {
        start();
        TcpSocket[] pair = connect(listen());
        faulty.receiveFailuresLeft.set(5);
        long deadline = System.nanoTime() + 10 * SECOND;
        while (faulty.receiveFailuresLeft.get() > 0) {
            assertTrue(System.nanoTime() < deadline, "the RX thread stopped receiving");
            Thread.sleep(5); // waiting for another thread's retries: no event to wait on
        }
        TcpSocket[] back = {pair[1], pair[0]};
        echoOnce(back); // B → A crosses A's receive path
        assertEquals(5, a.stats().linkReceiveErrors());
        assertEquals(0, a.stats().linkFailures());
        assertEquals(0, a.stats().connectionsFailedByLink());
    }

    @Test
    void aSendRefusedAsDownFailsTheConnectionsAndTheLinkComesBack() throws Exception {
        start();
        TcpSocket l = listen();
        TcpSocket[] p1 = connect(l);
        TcpSocket[] p2 = connect(l);
        CompletableFuture<Outcome> read = Outcome.watch("blocked-read", () -> {
            byte[] buf = new byte[100];
            while (p1[0].read(buf, 0, buf.length, 0) >= 0) {
                // nothing comes
            }
        });
        faulty.down = true;
        SocketException w = assertThrows(SocketException.class, () -> {
            byte[] big = new byte[1 << 20];
            p1[0].write(big, 0, big.length); // the first segment is refused: the connection fails
        });
        assertEquals("Network is down", w.getMessage());
        assertEquals(SocketException.class.getName() + ": Network is down",
                Outcome.await(read, 10, "blocked read when the link went down").what());
        // The other connection over the same link failed too, though it sent nothing.
        SocketException r = assertThrows(SocketException.class, () -> p2[0].read(new byte[1], 0, 1, SECOND));
        assertEquals("Network is down", r.getMessage());
        assertEquals(1, a.stats().linkFailures(), "one failure for the whole link");
        assertEquals(2, a.stats().connectionsFailedByLink());
        // Later writes: Linux reports the socket error once, then EPIPE.
        SocketException again = assertThrows(SocketException.class, () -> p1[0].write(new byte[1], 0, 1));
        assertEquals("Broken pipe", again.getMessage());

        faulty.down = false;
        echoOnce(connect(l));
        assertFalse(a.connections().isEmpty());
    }
}
