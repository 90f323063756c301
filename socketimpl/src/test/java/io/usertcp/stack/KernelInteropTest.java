package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.PacketLink;
import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interop with the Linux kernel's TCP over a real TUN device, inside the private network namespace
 * the tun-tests JVM runs in. The kernel side is plain JDK sockets (no factory is installed here):
 * kernel 198.18.0.1/24 on the TUN, usertcp 198.18.0.2.
 */
@RequiresTun
@Timeout(180)
class KernelInteropTest {

    static final InetAddress KERNEL = Addresses.toInet(0xC6120001); // 198.18.0.1
    static final InetAddress US = Addresses.toInet(0xC6120002);     // 198.18.0.2
    static final long MIB = 1024 * 1024;
    static final long BIG = 50 * MIB;
    static final long MS = 1_000_000L;

    private Stack stack;

    private Stack start(String dev, UnaryOperator<PacketLink> wrap, TcpConfig config) throws IOException {
        TunDevice tun = TunDevice.open(TunConfig.builder().name(dev).kernelAddress("198.18.0.1/24").mtu(1500).build());
        stack = Stack.builder().link(wrap.apply(tun), US, 24).tcpConfig(config).build();
        return stack;
    }

    private Stack start(String dev) throws IOException {
        return start(dev, UnaryOperator.identity(), TcpConfig.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        if (stack != null) {
            stack.close();
            assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
        }
    }

    static void report(String what, long bytes, long nanos) {
        String line = what + ": " + bytes / MIB + " MiB in " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms = "
                + Transfers.mbits(bytes, nanos);
        System.out.println("[usertcp figures] " + line);
    }

    /** Both directions at once over one connection: usertcp socket {@code u}, kernel socket {@code k}. */
    static void bothWays(TcpSocket u, Socket k, long bytes, String label) throws Exception {
        // A stall fails the read instead of hanging: the kernel read below is not interruptible.
        k.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(Transfers.READ_TIMEOUT_NANOS));
        InputStream kin = k.getInputStream();
        OutputStream kout = k.getOutputStream();
        long t0 = System.nanoTime();
        // Each side on its own thread (Transfers.async: never the common pool).
        CompletableFuture<String> kernelSent = Transfers.async("kernel-send", () -> {
            String h = Transfers.send(Transfers.sink(kout), bytes, 1);
            k.shutdownOutput();
            return h;
        });
        CompletableFuture<String> userSent = Transfers.async("usertcp-send", () -> {
            String h = Transfers.send(Transfers.sink(u), bytes, 2);
            u.shutdownOutput();
            return h;
        });
        CompletableFuture<String> userGot = Transfers.async("usertcp-receive", () -> Transfers.receive(Transfers.source(u), bytes));
        String kernelGot = Transfers.receive(Transfers.source(kin), bytes);
        assertEquals(userSent.get(120, TimeUnit.SECONDS), kernelGot, "usertcp → kernel SHA-256");
        assertEquals(kernelSent.get(120, TimeUnit.SECONDS), userGot.get(120, TimeUnit.SECONDS), "kernel → usertcp SHA-256");
        report(label + " (each direction)", bytes, System.nanoTime() - t0);
    }

    interface IoCall<T> {
        T call() throws Exception;
    }

    static <T> T call(IoCall<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void kernelClientToUsertcpServer50MiBEachWay() throws Exception {
        Stack s = start("utcp-srv");
        TcpSocket listener = s.newSocket();
        listener.bind(US, 5001);
        listener.listen(5);
        try (Socket k = new Socket()) {
            k.connect(new InetSocketAddress(US, 5001), 5000);
            TcpSocket u = listener.accept(5000 * MS);
            assertEquals(KERNEL, u.remoteAddress());
            bothWays(u, k, BIG, "kernel client -> usertcp server");
            u.close();
        }
    }

    @Test
    void usertcpClientToKernelServer50MiBEachWay() throws Exception {
        Stack s = start("utcp-cli");
        try (ServerSocket ks = new ServerSocket()) {
            ks.bind(new InetSocketAddress(KERNEL, 0));
            TcpSocket u = s.newSocket();
            u.connect(KERNEL, ks.getLocalPort(), 5000 * MS);
            try (Socket k = ks.accept()) {
                assertEquals(US, k.getInetAddress());
                assertEquals(u.localPort(), k.getPort());
                bothWays(u, k, BIG, "usertcp client -> kernel server");
            }
            u.close();
        }
    }

    @Test
    void activeCloseByUsertcpPassiveByKernel() throws Exception {
        Stack s = start("utcp-ac");
        try (ServerSocket ks = new ServerSocket()) {
            ks.bind(new InetSocketAddress(KERNEL, 0));
            TcpSocket u = s.newSocket();
            u.connect(KERNEL, ks.getLocalPort(), 5000 * MS);
            try (Socket k = ks.accept()) {
                k.setSoTimeout(5000);
                u.write(new byte[] {1, 2, 3}, 0, 3);
                u.close(); // FIN → FIN-WAIT-1 → FIN-WAIT-2
                InputStream in = k.getInputStream();
                assertEquals(1, in.read());
                assertEquals(2, in.read());
                assertEquals(3, in.read());
                assertEquals(-1, in.read(), "kernel reads EOF after usertcp's FIN");
                k.close(); // kernel FIN → usertcp TIME-WAIT
                awaitState(u, TcpState.TIME_WAIT);
            }
        }
    }

    @Test
    void activeCloseByKernelPassiveByUsertcp() throws Exception {
        Stack s = start("utcp-pc");
        TcpSocket listener = s.newSocket();
        listener.bind(null, 5002);
        listener.listen(5);
        Socket k = new Socket();
        k.connect(new InetSocketAddress(US, 5002), 5000);
        TcpSocket u = listener.accept(5000 * MS);
        k.getOutputStream().write(new byte[] {9});
        k.close(); // kernel FIN
        byte[] b = new byte[2];
        assertEquals(1, u.read(b, 0, 2, 5000 * MS));
        assertEquals(-1, u.read(b, 0, 2, 5000 * MS));
        assertEquals(TcpState.CLOSE_WAIT, u.state());
        u.close(); // LAST-ACK → CLOSED on the kernel's ACK
        awaitState(u, TcpState.CLOSED);
    }

    @Test
    void C6_3_kernelPingGetsAnEchoReply() throws Exception {
        Stack s = start("utcp-ping");
        // As root in the namespace the JDK pings with ICMP (a raw or ping socket); the counter tells
        // it was ICMP and not its TCP-port-7 fallback (which a RST would also make "reachable").
        assertTrue(US.isReachable(5000), "198.18.0.2 not reachable");
        assertTrue(s.stats().icmpEchoReplies() >= 1, () -> "no ICMP echo answered: " + s.stats());
    }

    @Test
    void kernelConnectToClosedPortIsRefusedByRst() throws Exception {
        Stack s = start("utcp-rst");
        try (Socket k = new Socket()) {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> k.connect(new InetSocketAddress(US, 5999), 5000));
            assertTrue(e.getMessage().startsWith("Connection refused"), e.getMessage());
        }
        assertTrue(s.stats().rstSent() >= 1);
    }

    @Test
    void impairedTunStillEndsWithEqualChecksums() throws Exception {
        // 2% loss, 10% reordering, 5 ms delay, in both directions, around usertcp's TUN link.
        Stack s = start("utcp-imp", tun -> ImpairedLink.builder(tun).seed(7).loss(0.02).reorder(0.10)
                .delay(Duration.ofMillis(5)).direction(ImpairedLink.Direction.BOTH).build(), fastRetransmitConfig());
        TcpSocket listener = s.newSocket();
        listener.bind(US, 5003);
        listener.listen(5);
        try (Socket k = new Socket()) {
            k.connect(new InetSocketAddress(US, 5003), 10_000);
            TcpSocket u = listener.accept(10_000 * MS);
            bothWays(u, k, 10 * MIB, "impaired TUN (2% loss, 10% reorder, 5 ms), kernel client -> usertcp server");
            u.close();
        }
    }

    /** Waits (on a latch fed by the stack's state listener) until {@code u}'s connection is in {@code want}. */
    void awaitState(TcpSocket u, TcpState want) throws InterruptedException {
        CountDownLatch reached = new CountDownLatch(1);
        int lp = u.localPort();
        int rp = u.remotePort();
        stack.addStateListener((c, from, to, cause) -> {
            if (to == want && c.key().localPort() == lp && c.key().remotePort() == rp) {
                reached.countDown();
            }
        });
        if (u.state() != want) {
            assertTrue(reached.await(10, TimeUnit.SECONDS), () -> "state " + u.state() + ", want " + want);
        }
    }

    static TcpConfig fastRetransmitConfig() {
        return TcpConfig.DEFAULT.toBuilder().rtoMin(Duration.ofMillis(200)).build();
    }
}
