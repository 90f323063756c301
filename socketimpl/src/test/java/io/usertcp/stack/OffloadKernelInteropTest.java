package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.PcapTap;
import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.wire.DropReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * usertcp ↔ the Linux kernel over a TUN with checksum and segmentation offload (IFF_VNET_HDR,
 * TSO), and over a TUN at MTU 65000 (MSS 64960 end to end). Transfers both ways must arrive
 * intact; the device's counters show that super-segments really went both ways.
 */
@RequiresTun
@Timeout(240)
class OffloadKernelInteropTest {
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
        }
    }

    private TcpSocket connect(ServerSocket ks) throws Exception {
        ks.bind(new InetSocketAddress(KERNEL, 0));
        TcpSocket u = stack.newSocket();
        u.connect(KERNEL, ks.getLocalPort(), 5000 * MS);
        return u;
    }

    @Test
    void tsoBothWaysThroughAPcapTap(@TempDir Path dir) throws Exception {
        TunDevice tun = TunDevice.open(TunConfig.builder().name("utcp-tso1").kernelAddress("198.18.0.1/24").mtu(1500)
                .offload(TunConfig.Offload.AUTO).build());
        assertTrue(tun.offload().tso4(), () -> "offload on: " + tun.offload());
        PcapTap pcap = PcapTap.open(tun, dir.resolve("tso.pcap"));
        assertEquals(tun.offload(), pcap.offload(), "the tap forwards the capability");
        stack = Stack.builder().link(pcap, US, 24).build();
        try (ServerSocket ks = new ServerSocket()) {
            TcpSocket u = connect(ks);
            try (Socket k = ks.accept()) {
                TcpInfo info = stack.connections().get(0);
                assertEquals(1460, info.sndMss(), () -> "the MSS stays the MTU's: " + info);
                KernelInteropTest.bothWays(u, k, 32 * MIB, "TUN offload (TSO + checksum), MTU 1500");
                System.out.println("[usertcp figures] offload MTU 1500: " + stack.connections() + "; " + stack.stats());
            }
            u.close();
        }
        System.out.println("[usertcp figures] offload MTU 1500: super-segments sent " + tun.txGsoPackets() + " of "
                + tun.txPackets() + " packets, received " + tun.rxGsoPackets() + " of " + tun.rxPackets());
        assertTrue(tun.txGsoPackets() > 0, "usertcp sent TSO super-segments the kernel cut");
        assertTrue(tun.rxGsoPackets() > 0, "the kernel's TSO super-segments were read whole");
        assertEquals(0, stack.stats().dropped(DropReason.BAD_TCP_CHECKSUM), "partial checksums were not verified");
        pcap.flush();
        assertTrue(Files.size(dir.resolve("tso.pcap")) > 64 * MIB, "both directions recorded whole");
    }

    @Test
    void mtu65000UsesMss64960EndToEnd() throws Exception {
        TunDevice tun = TunDevice.open(TunConfig.builder().name("utcp-jumbo").kernelAddress("198.18.0.1/24").mtu(65000)
                .build());
        stack = Stack.builder().link(tun, US, 24).build();
        try (ServerSocket ks = new ServerSocket()) {
            TcpSocket u = connect(ks);
            try (Socket k = ks.accept()) {
                TcpInfo info = stack.connections().get(0);
                // SYN advertised 64960 and the kernel did too (its route has MTU 65000).
                assertEquals(64960, info.sndMss(), info.toString());
                KernelInteropTest.bothWays(u, k, 64 * MIB, "MTU 65000, no offload");
            }
            u.close();
        }
        long avg = tun.txBytes() / Math.max(1, tun.txPackets());
        System.out.println("[usertcp figures] MTU 65000: " + tun.txPackets() + " packets out (average " + avg
                + " bytes), " + tun.rxPackets() + " in (average " + tun.rxBytes() / Math.max(1, tun.rxPackets()) + ")");
        assertTrue(tun.rxBytes() / Math.max(1, tun.rxPackets()) > 16_000, "the kernel sent large segments");
    }
}
