package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CUBIC (RFC 9438, the default) sending to the Linux kernel over a real TUN: a clean transfer and one
 * through 1% loss with 5 ms delay each way; NewReno the same way for comparison (figures only, no
 * timed assertion). Every byte must arrive (SHA-256), and the lossy run must have gone through
 * congestion events (ssthresh set).
 */
@RequiresTun
@Timeout(240)
class CubicKernelInteropTest {
    static final InetAddress US = Addresses.toInet(0xC6120002);     // 198.18.0.2
    static final InetAddress KERNEL = Addresses.toInet(0xC6120001); // 198.18.0.1
    static final long MIB = 1024 * 1024;
    static final long MS = 1_000_000L;

    private Stack stack;

    @AfterEach
    void tearDown() {
        if (stack != null) {
            stack.close();
            assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
            stack = null;
        }
    }

    /** usertcp → kernel, {@code bytes} bytes; returns our connection's info at the end. */
    private TcpInfo send(String dev, TcpConfig cfg, boolean impaired, long bytes, String label) throws Exception {
        TunDevice tun = TunDevice.open(TunConfig.builder().name(dev).kernelAddress("198.18.0.1/24").mtu(1500).build());
        var link = impaired ? ImpairedLink.builder(tun).seed(7).loss(0.01).delay(Duration.ofMillis(5))
                .direction(ImpairedLink.Direction.BOTH).build() : tun;
        stack = Stack.builder().link(link, US, 24).tcpConfig(cfg).build();
        try (ServerSocket ks = new ServerSocket()) {
            ks.bind(new InetSocketAddress(KERNEL, 0));
            TcpSocket u = stack.newSocket();
            u.connect(KERNEL, ks.getLocalPort(), 10_000 * MS);
            try (Socket k = ks.accept()) {
                k.setSoTimeout(60_000);
                long t0 = System.nanoTime();
                CompletableFuture<String> sent = Transfers.async("usertcp-send", () -> {
                    String h = Transfers.send(Transfers.sink(u), bytes, 3);
                    u.shutdownOutput();
                    return h;
                });
                String got = Transfers.receive(Transfers.source(k.getInputStream()), bytes);
                assertEquals(sent.get(120, TimeUnit.SECONDS), got, label + " SHA-256");
                long ns = System.nanoTime() - t0;
                TcpInfo info = u.info();
                System.out.println("[usertcp figures] " + label + ": " + bytes / MIB + " MiB in "
                        + TimeUnit.NANOSECONDS.toMillis(ns) + " ms = " + Transfers.mbits(bytes, ns)
                        + "; cwnd " + info.cwnd() + " ssthresh " + info.ssthresh() + " retransmits " + info.retransmits());
                u.close();
                return info;
            }
        }
    }

    @Test
    void cubicToKernelCleanAndThroughLoss() throws Exception {
        TcpInfo clean = send("utcp-cubic1", TcpConfig.linuxLike(), false, 64 * MIB, "cubic usertcp -> kernel");
        assertEquals("cubic", clean.congestionControl());
        stack.close();
        stack = null;
        TcpInfo lossy = send("utcp-cubic2", TcpConfig.linuxLike(), true, 8 * MIB,
                "cubic usertcp -> kernel, 1% loss, 5 ms each way");
        assertEquals("cubic", lossy.congestionControl());
        assertTrue(lossy.retransmits() > 0, "losses were repaired");
        assertTrue(lossy.ssthresh() < Integer.MAX_VALUE, "a congestion event set ssthresh: " + lossy);
    }

    @Test
    void renoToKernelThroughLossForComparison() throws Exception {
        TcpInfo lossy = send("utcp-cubic3", TcpConfig.linuxLike().withCongestionControl("reno"), true, 8 * MIB,
                "reno usertcp -> kernel, 1% loss, 5 ms each way");
        assertEquals("reno", lossy.congestionControl());
        assertTrue(lossy.retransmits() > 0, "losses were repaired");
    }

    @Test
    void pacedCubicToKernel() throws Exception {
        TcpInfo paced = send("utcp-cubic4", TcpConfig.linuxLike().withPacing(true), true, 8 * MIB,
                "paced cubic usertcp -> kernel, 1% loss, 5 ms each way");
        assertEquals("cubic", paced.congestionControl());
    }
}
