package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.Ipv4Header;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TcpSocket} semantics over the built-in loopback, with real threads and the system clock. */
@Timeout(30)
class TcpSocketTest {

    private static final InetAddress LOCALHOST = Addresses.toInet(Addresses.LOOPBACK);
    private static final long MS = 1_000_000L;

    private Stack stack;
    private TcpSocket server;

    @BeforeEach
    void setUp() throws IOException {
        stack = Stack.builder().build();
        server = stack.newSocket();
        server.setReuseAddress(true);
        server.bind(LOCALHOST, 0);
        server.listen(50);
    }

    @AfterEach
    void tearDown() {
        stack.close();
        assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
    }

    /** A connected pair: [client, accepted]. */
    private TcpSocket[] pair() throws IOException {
        TcpSocket c = stack.newSocket();
        c.connect(LOCALHOST, server.localPort(), 5000 * MS);
        TcpSocket a = server.accept(5000 * MS);
        return new TcpSocket[] {c, a};
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String readString(TcpSocket s, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = s.read(b, got, n - got, 5000 * MS);
            if (r < 0) {
                break;
            }
            got += r;
        }
        return new String(b, 0, got, StandardCharsets.US_ASCII);
    }

    /** Waits until {@code t} is parked (WAITING or TIMED_WAITING), as OpenJDK's tests do. */
    private static void awaitParked(Thread t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > end) {
                throw new AssertionError("thread never blocked: " + t.getState());
            }
            Thread.sleep(1); // polling another thread's state; no latch can tell "parked"
        }
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------------------ basics

    @Test
    void loopbackEchoAndGracefulClose() throws IOException {
        TcpSocket[] p = pair();
        assertEquals(TcpState.ESTABLISHED, p[0].state());
        assertEquals(TcpState.ESTABLISHED, p[1].state());
        assertEquals(server.localPort(), p[0].remotePort());
        assertEquals(p[0].localPort(), p[1].remotePort());
        assertEquals(LOCALHOST, p[1].remoteAddress());
        assertTrue(p[0].localPort() >= PortTable.EPHEMERAL_LOW && p[0].localPort() <= PortTable.EPHEMERAL_HIGH);

        p[0].write(bytes("hello"), 0, 5);
        assertEquals("hello", readString(p[1], 5));
        p[1].write(bytes("world!"), 0, 6);
        assertEquals("world!", readString(p[0], 6));

        p[0].close();
        byte[] b = new byte[10];
        assertEquals(-1, p[1].read(b, 0, 10, 5000 * MS));
        assertEquals(-1, p[1].read(b, 0, 10, 5000 * MS), "EOF is sticky");
        assertEquals(TcpState.CLOSE_WAIT, p[1].state());
        p[1].close();
        assertEquals(-1, p[1].read(b, 0, 10, 0), "EOF stays even after close (NioSocketImpl legacy)");
        assertEquals(0, p[1].read(b, 0, 0, 0), "len 0 returns 0 even when closed");
    }

    @Test
    void largeTransferOverLoopback() throws Exception {
        TcpSocket[] p = pair();
        byte[] data = new byte[4 << 20];
        new java.util.Random(42).nextBytes(data);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] buf = new byte[65536];
                for (int n; (n = p[1].read(buf, 0, buf.length, 10_000 * MS)) > 0; ) {
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        p[0].write(data, 0, data.length);
        p[0].close();
        assertArrayEquals(data, received.get(20, TimeUnit.SECONDS));
    }

    @Test
    void connectionToOwnLinkAddressGoesThroughTheLoopback() throws IOException {
        MemoryLink.Pair link = MemoryLink.pair(1500);
        InetAddress own = Addresses.toInet(Ipv4Header.address(198, 18, 0, 2));
        try (Stack s = Stack.builder().link(link.a(), own, 24).build()) {
            assertEquals(own, s.primaryAddress());
            TcpSocket l = s.newSocket();
            l.bind(null, 0);
            l.listen(1);
            TcpSocket c = s.newSocket();
            c.connect(own, l.localPort(), 5000 * MS);
            TcpSocket a = l.accept(5000 * MS);
            assertEquals(own, a.localAddress());
            assertEquals(own, c.localAddress());
            c.write(bytes("x"), 0, 1);
            assertEquals("x", readString(a, 1));
            assertNull(Packets.receive(link.b(), 50), "nothing may leave through the link");
        } finally {
            link.b().close();
        }
    }

    @Test
    void connectToWildcardReachesThisStack() throws IOException {
        TcpSocket c = stack.newSocket();
        c.connect(Addresses.toInet(0), server.localPort(), 5000 * MS);
        TcpSocket a = server.accept(5000 * MS);
        assertEquals(c.localPort(), a.remotePort());
    }

    @Test
    void C1_6_connectToClosedPortIsRefused() throws IOException {
        TcpSocket c = stack.newSocket();
        ConnectException e = assertThrows(ConnectException.class, () -> c.connect(LOCALHOST, 9, 5000 * MS));
        assertEquals("Connection refused", e.getMessage());
        assertTrue(c.isClosed());
    }

    @Test
    void bindConflictsAndAlreadyBound() throws IOException {
        TcpSocket s = stack.newSocket();
        BindException e = assertThrows(BindException.class, () -> s.bind(LOCALHOST, server.localPort()));
        assertEquals("Address already in use", e.getMessage());
        TcpSocket w = stack.newSocket();
        assertThrows(BindException.class, () -> w.bind(null, server.localPort()), "wildcard overlaps");
        TcpSocket t = stack.newSocket();
        t.bind(null, 0);
        SocketException again = assertThrows(SocketException.class, () -> t.bind(null, 0));
        assertEquals("Already bound", again.getMessage());
        server.close();
        TcpSocket u = stack.newSocket();
        u.bind(LOCALHOST, server.localPort()); // free again after close
    }

    @Test
    void connectionResetWhileInTheAcceptQueueIsStillAccepted() throws IOException {
        TcpSocket c = stack.newSocket();
        c.connect(LOCALHOST, server.localPort(), 5000 * MS);
        c.setLinger(0);
        c.close(); // RST before the server accepts
        TcpSocket a = server.accept(5000 * MS);
        assertEquals(c.localPort(), a.remotePort());
        SocketException e = assertThrows(SocketException.class, () -> a.read(new byte[1], 0, 1, 1000 * MS));
        assertEquals("Connection reset", e.getMessage());
    }

    @Test
    void acceptTimesOut() {
        long t0 = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> server.accept(100 * MS));
        assertEquals("Accept timed out", e.getMessage());
        assertTrue(System.nanoTime() - t0 >= 95 * MS);
        assertTrue(server.isListening(), "still listening after the timeout");
    }

    // --------------------------------------------------------------------- timeouts and close

    @Test
    void readTimeoutKeepsTheSocketUsable() throws IOException {
        TcpSocket[] p = pair();
        byte[] b = new byte[4];
        long t0 = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> p[0].read(b, 0, 4, 100 * MS));
        assertEquals("Read timed out", e.getMessage());
        assertTrue(System.nanoTime() - t0 >= 95 * MS);
        // the cheap 1 ms probe used by HttpURLConnection, pgjdbc, OkHttp
        assertThrows(SocketTimeoutException.class, () -> p[0].read(b, 0, 4, MS));
        p[1].write(bytes("data"), 0, 4);
        assertEquals("data", readString(p[0], 4));
        assertEquals(TcpState.ESTABLISHED, p[0].state());
    }

    @Test
    void closeWakesABlockedRead() throws Exception {
        TcpSocket[] p = pair();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = start("reader", () -> {
            try {
                p[0].read(new byte[1], 0, 1, 0);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitParked(t);
        p[0].close();
        t.join(5000);
        assertFalse(t.isAlive());
        assertEquals(SocketException.class, thrown.get().getClass());
        assertEquals("Socket closed", thrown.get().getMessage());
        // default close sends FIN: the peer reads EOF
        assertEquals(-1, p[1].read(new byte[1], 0, 1, 5000 * MS));
    }

    @Test
    void closeWakesABlockedAccept() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = start("acceptor", () -> {
            try {
                server.accept(0);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitParked(t);
        server.close();
        t.join(5000);
        assertFalse(t.isAlive());
        assertEquals(SocketException.class, thrown.get().getClass());
        assertEquals("Socket closed", thrown.get().getMessage());
    }

    @Test
    void closeWakesABlockedConnect() throws Exception {
        MemoryLink.Pair link = MemoryLink.pair(1500); // nobody answers on the far end
        try (Stack s = Stack.builder().link(link.a(), Addresses.toInet(Ipv4Header.address(198, 18, 0, 2)), 24).build()) {
            TcpSocket c = s.newSocket();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = start("connector", () -> {
                try {
                    c.connect(Addresses.toInet(Ipv4Header.address(198, 18, 0, 1)), 80, 0);
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            awaitParked(t);
            c.close();
            t.join(5000);
            assertFalse(t.isAlive());
            assertEquals(SocketException.class, thrown.get().getClass());
            assertEquals("Socket closed", thrown.get().getMessage());
        } finally {
            link.b().close();
        }
    }

    @Test
    void closeWakesABlockedWrite() throws Exception {
        TcpSocket[] p = pair();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = start("writer", () -> {
            try {
                p[0].write(new byte[16 << 20], 0, 16 << 20); // far more than buffers and window hold
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitParked(t);
        p[0].close();
        t.join(5000);
        assertFalse(t.isAlive());
        assertEquals("Socket closed", thrown.get().getMessage());
    }

    @Test
    void operationsAfterCloseSaySocketClosed() throws IOException {
        TcpSocket[] p = pair();
        p[0].close();
        assertEquals("Socket closed", assertThrows(SocketException.class, () -> p[0].write(new byte[1], 0, 1)).getMessage());
        assertEquals("Socket closed", assertThrows(SocketException.class, () -> p[0].read(new byte[1], 0, 1, 0)).getMessage());
        assertEquals("Socket closed", assertThrows(SocketException.class, p[0]::available).getMessage());
        assertEquals(server.localPort(), p[0].remotePort(), "addresses survive close");
    }

    // ---------------------------------------------------------------------------- RST semantics

    @Test
    void stickyConnectionResetAfterQueuedDataIsDrained() throws IOException {
        TcpSocket[] p = pair();
        p[1].write(bytes("123456789"), 0, 9);
        // Let the data arrive before the RST: read it back through available().
        long end = System.nanoTime() + 5_000 * MS;
        while (p[0].available() < 9 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        p[1].setLinger(0);
        p[1].close(); // RST (C4.1)
        assertEquals("123456789", readString(p[0], 9), "data queued before the RST is delivered first");
        byte[] b = new byte[9];
        for (int i = 0; i < 2; i++) {
            SocketException e = assertThrows(SocketException.class, () -> p[0].read(b, 0, 9, 5000 * MS));
            assertEquals("Connection reset", e.getMessage(), "every time");
        }
        assertEquals(0, p[0].available());
        // the read took the error: writes get EPIPE (Linux reports a socket error once)
        assertEquals("Broken pipe", assertThrows(SocketException.class, () -> p[0].write(b, 0, 1)).getMessage());
    }

    @Test
    void resetTakenByAWriteThenBrokenPipeAndReadsSeeEof() throws Exception {
        TcpSocket[] p = pair();
        p[1].setLinger(0);
        p[1].close(); // RST
        long end = System.nanoTime() + 5_000 * MS;
        while (p[0].state() != TcpState.CLOSED && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        byte[] b = new byte[4];
        // ECONNRESET once ("Connection reset by peer", strerror), then EPIPE
        assertEquals("Connection reset by peer",
                assertThrows(SocketException.class, () -> p[0].write(b, 0, 1)).getMessage());
        assertEquals("Broken pipe", assertThrows(SocketException.class, () -> p[0].write(b, 0, 1)).getMessage());
        assertEquals("Broken pipe", assertThrows(SocketException.class, () -> p[0].write(b, 0, 1)).getMessage());
        assertEquals(-1, p[0].read(b, 0, 4, 1000 * MS), "the error was reported once: reads see EOF");
    }

    @Test
    void writeAfterPeerCloseFirstSucceedsThenBrokenPipe() throws IOException {
        TcpSocket[] p = pair();
        p[1].close();
        assertEquals(-1, p[0].read(new byte[1], 0, 1, 5000 * MS));
        p[0].write(bytes("a"), 0, 1); // the peer answers it with a RST
        long end = System.nanoTime() + 5_000 * MS;
        while (p[0].state() != TcpState.CLOSED && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 2; i++) {
            SocketException e = assertThrows(SocketException.class, () -> p[0].write(bytes("b"), 0, 1));
            assertEquals("Broken pipe", e.getMessage());
        }
        assertEquals(-1, p[0].read(new byte[1], 0, 1, 0), "still EOF");
    }

    @Test
    void shutdownOutputSendsFinAndTheOtherDirectionGoesOn() throws IOException {
        TcpSocket[] p = pair();
        p[0].write(bytes("req"), 0, 3);
        p[0].shutdownOutput();
        assertEquals("req", readString(p[1], 3));
        assertEquals(-1, p[1].read(new byte[1], 0, 1, 5000 * MS));
        p[1].write(bytes("response"), 0, 8);
        assertEquals("response", readString(p[0], 8));
        assertEquals("Broken pipe", assertThrows(SocketException.class, () -> p[0].write(bytes("x"), 0, 1)).getMessage());
    }

    @Test
    void shutdownInputWakesABlockedReaderWithEof() throws Exception {
        TcpSocket[] p = pair();
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread t = start("reader", () -> {
            try {
                r.complete(p[0].read(new byte[1], 0, 1, 0));
            } catch (Throwable e) {
                r.completeExceptionally(e);
            }
        });
        awaitParked(t);
        p[0].shutdownInput();
        assertEquals(-1, r.get(5, TimeUnit.SECONDS));
        assertEquals(0, p[0].available());
    }

    @Test
    void lingerZeroResetsThePeer() throws IOException {
        TcpSocket[] p = pair();
        p[0].setLinger(0);
        p[0].close();
        SocketException e = assertThrows(SocketException.class, () -> p[1].read(new byte[1], 0, 1, 5000 * MS));
        assertEquals("Connection reset", e.getMessage());
    }

    @Test
    void C3_10_lingerBlocksUntilTheTimeRunsOutThenResets() throws Exception {
        TcpSocket[] p = pair();
        // The peer never reads: its receive buffer (TcpConfig default) fills and the rest stays
        // unacknowledged in our send buffer.
        byte[] data = new byte[io.usertcp.tcp.TcpConfig.DEFAULT.receiveBufferSize() + 128 * 1024];
        p[0].write(data, 0, data.length);
        assertTrue(p[0].info().sendQueue() > 0, "data must still be unacknowledged");
        p[0].setLinger(1);
        long t0 = System.nanoTime();
        p[0].close();
        long ms = (System.nanoTime() - t0) / MS;
        assertTrue(ms >= 950, "close returned after " + ms + " ms, before the linger time; " + p[0].state() + " " + p[0].info());
        assertTrue(ms < 5000, "close blocked " + ms + " ms");
        assertEquals(TcpState.CLOSED, p[0].state(), "reset when the linger time ran out");
        byte[] b = new byte[512 * 1024];
        int got = 0;
        SocketException e = null;
        try {
            for (int n; (n = p[1].read(b, 0, b.length, 5000 * MS)) > 0; ) {
                got += n;
            }
        } catch (SocketException x) {
            e = x;
        }
        assertTrue(got > 0 && got < data.length, "got " + got);
        assertEquals("Connection reset", e == null ? null : e.getMessage());
    }

    @Test
    void lingerReturnsAtOnceWhenEverythingIsAcknowledged() throws IOException {
        TcpSocket[] p = pair();
        p[0].write(bytes("abc"), 0, 3);
        assertEquals("abc", readString(p[1], 3));
        p[0].setLinger(10);
        long t0 = System.nanoTime();
        p[0].close();
        assertTrue(System.nanoTime() - t0 < 2000 * MS);
        assertEquals(-1, p[1].read(new byte[1], 0, 1, 5000 * MS), "graceful FIN, no RST");
    }

    @Test
    void acceptedSocketInheritsListenerOptions() throws IOException {
        server.setNoDelay(true);
        server.setKeepAlive(true);
        server.setReceiveBufferSize(32768);
        TcpSocket[] p = pair();
        assertTrue(p[1].getNoDelay());
        assertTrue(p[1].getKeepAlive());
        assertEquals(32768, p[1].getReceiveBufferSize());
        assertFalse(p[0].getNoDelay());
    }

    // ------------------------------------------------------------------------------ interrupts

    @Test
    void platformThreadInterruptHasNoEffect() throws Exception {
        TcpSocket[] p = pair();
        CompletableFuture<String> result = new CompletableFuture<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        Thread t = start("reader", () -> {
            try {
                result.complete(readString(p[0], 2));
                flagAfter.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        awaitParked(t);
        t.interrupt();
        awaitParked(t); // parked again: still reading, and not spinning
        p[1].write(bytes("ok"), 0, 2);
        assertEquals("ok", result.get(5, TimeUnit.SECONDS));
        t.join(5000);
        assertTrue(flagAfter.get(), "the interrupt flag is preserved");
    }

    @Test
    void timedAcceptOnInterruptedPlatformThreadWaitsTheFullTimeout() throws Exception {
        CompletableFuture<Long> waited = new CompletableFuture<>();
        start("acceptor", () -> {
            Thread.currentThread().interrupt();
            long t0 = System.nanoTime();
            try {
                server.accept(200 * MS);
                waited.completeExceptionally(new AssertionError("accepted"));
            } catch (SocketTimeoutException e) {
                waited.complete(System.nanoTime() - t0);
            } catch (Throwable e) {
                waited.completeExceptionally(e);
            }
        });
        assertTrue(waited.get(5, TimeUnit.SECONDS) >= 195 * MS);
    }

    private static Thread startVirtual(Runnable r) throws Exception {
        assumeTrue(Blocking.virtualThreadsSupported(),
                "virtual threads need JDK 21+; this JVM is " + Runtime.version() + " (decided at run time)");
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Class<?> builderType = Class.forName("java.lang.Thread$Builder");
        return (Thread) builderType.getMethod("start", Runnable.class).invoke(builder, r);
    }

    @Test
    void virtualThreadInterruptEndsABlockedReadWithInterruptedIOException() throws Exception {
        TcpSocket[] p = pair();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        AtomicBoolean flag = new AtomicBoolean();
        Thread t = startVirtual(() -> {
            try {
                p[0].read(new byte[1], 0, 1, 0);
                thrown.complete(null);
            } catch (Throwable e) {
                flag.set(Thread.currentThread().isInterrupted());
                thrown.complete(e);
            }
        });
        assertTrue(Blocking.isVirtual(t));
        awaitParked(t);
        t.interrupt();
        Throwable e = thrown.get(5, TimeUnit.SECONDS);
        assertEquals(InterruptedIOException.class, e.getClass(), String.valueOf(e));
        assertTrue(flag.get(), "interrupt flag left set");
    }

    @Test
    void preInterruptedVirtualThreadReadsReadyData() throws Exception {
        TcpSocket[] p = pair();
        p[1].write(bytes("z"), 0, 1);
        long end = System.nanoTime() + 5_000 * MS;
        while (p[0].available() < 1 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        CompletableFuture<Integer> r = new CompletableFuture<>();
        startVirtual(() -> {
            Thread.currentThread().interrupt();
            try {
                int n = p[0].read(new byte[1], 0, 1, 0);
                r.complete(Thread.currentThread().isInterrupted() ? n : -99);
            } catch (Throwable e) {
                r.completeExceptionally(e);
            }
        });
        assertEquals(1, r.get(5, TimeUnit.SECONDS));
    }

    @Test
    void virtualThreadInterruptDuringConnectClosesTheSocket() throws Exception {
        MemoryLink.Pair link = MemoryLink.pair(1500);
        try (Stack s = Stack.builder().link(link.a(), Addresses.toInet(Ipv4Header.address(198, 18, 0, 2)), 24).build()) {
            TcpSocket c = s.newSocket();
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread t = startVirtual(() -> {
                try {
                    c.connect(Addresses.toInet(Ipv4Header.address(198, 18, 0, 1)), 80, 0);
                    thrown.complete(null);
                } catch (Throwable e) {
                    thrown.complete(e);
                }
            });
            awaitParked(t);
            t.interrupt();
            Throwable e = thrown.get(5, TimeUnit.SECONDS);
            assertEquals(SocketException.class, e.getClass(), String.valueOf(e));
            assertEquals("Closed by interrupt", e.getMessage());
            assertTrue(c.isClosed());
        } finally {
            link.b().close();
        }
    }

    @Test
    void stackCloseWakesEverything() throws Exception {
        TcpSocket[] p = pair();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = start("reader", () -> {
            try {
                p[0].read(new byte[1], 0, 1, 0);
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        awaitParked(t);
        stack.close();
        Throwable e = thrown.get(5, TimeUnit.SECONDS);
        assertEquals("Socket closed", e.getMessage());
    }

    @Test
    void stateListenerSeesEveryTransition() throws Exception {
        java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        stack.addStateListener((c, from, to, cause) -> seen.add(from + ">" + to));
        TcpSocket[] p = pair();
        assertTrue(seen.contains("CLOSED>SYN-SENT"), seen::toString);
        assertTrue(seen.contains("SYN-SENT>ESTABLISHED"), seen::toString);
        assertTrue(seen.contains("SYN-RECEIVED>ESTABLISHED"), seen::toString);
        assertEquals(2, stack.connections().size());
        p[0].close();
        p[1].close();
    }
}
