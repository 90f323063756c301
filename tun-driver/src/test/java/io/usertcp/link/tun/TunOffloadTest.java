package io.usertcp.link.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.usertcp.link.GsoInfo;
import io.usertcp.link.LinkOffload;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TUN offload ({@code IFF_VNET_HDR} + {@code TUNSETOFFLOAD}) against the real kernel, in the
 * tun-tests namespace: detection and clean fallback, a TSO super-segment written for the kernel's
 * TCP, and the kernel's TSO super-segments read whole.
 */
@RequiresTun
class TunOffloadTest {

    static final int KERNEL = Ipv4.parse("198.18.0.1");
    static final int US = Ipv4.parse("198.18.0.2");
    static final long FIVE_SECONDS = TimeUnit.SECONDS.toNanos(5);

    static TunConfig.Builder config(String name) {
        return TunConfig.builder().name(name).kernelAddress("198.18.0.1/24").mtu(1500);
    }

    @Test
    void offloadOffByDefault() throws Exception {
        try (TunDevice tun = TunDevice.open(config("utcp-off0").build())) {
            assertEquals(LinkOffload.NONE, tun.offload());
            assertNull(tun.offloadUnavailableReason());
        }
    }

    @Test
    void autoTurnsOnChecksumAndTso() throws Exception {
        try (TunDevice tun = TunDevice.open(config("utcp-off1").offload(TunConfig.Offload.AUTO).build())) {
            LinkOffload o = tun.offload();
            assertTrue(o.checksum() && o.tso4() && o.tso6(), "offload in effect: " + o);
            assertEquals(65535, o.maxPacketSize());
            assertNull(tun.offloadUnavailableReason());
            // The kernel shows the TUN_F_* bits as interface features.
            assertTrue(tun.toString().contains("tso4"), tun.toString());
        }
    }

    @Test
    void refusedOffloadFallsBackToPlainPacketsAndSaysWhy() throws Exception {
        // An unknown TUN_F_ bit makes TUNSETOFFLOAD fail with EINVAL, as an old kernel refuses TSO6.
        TunConfig c = config("utcp-off2").offload(TunConfig.Offload.AUTO).extraOffloadFlags(0x4000_0000).build();
        try (TunDevice tun = TunDevice.open(c)) {
            assertFalse(tun.offload().enabled());
            String why = tun.offloadUnavailableReason();
            assertNotNull(why);
            assertTrue(why.contains("TUNSETOFFLOAD") && why.contains("EINVAL"), why);
            // The device works in plain mode: an echo round trip with MTU-sized buffers.
            byte[] payload = "plain after fallback".getBytes(StandardCharsets.US_ASCII);
            tun.send(TestPackets.icmpEchoRequest(US, KERNEL, 0x1234, 1, payload));
            ByteBuffer rx = ByteBuffer.allocateDirect(tun.mtu());
            GsoInfo gso = new GsoInfo().set(1, 1, 1, 1, 1, 1);
            int n = receiveIpv4(tun, rx, gso, TestPackets.PROTO_ICMP, 0);
            assertEquals(28 + payload.length, n);
            assertTrue(gso.isPlain(), "metadata cleared on a plain device: " + gso);
        }
        TunConfig required = c.toBuilder().name("utcp-off3").offload(TunConfig.Offload.REQUIRED).build();
        TunException e = assertThrows(TunException.class, () -> TunDevice.open(required));
        assertTrue(e.getMessage().contains("required") && e.getMessage().contains("TUNSETOFFLOAD"), e.getMessage());
    }

    @Test
    void plainSendAndHeapBuffersWorkWithOffloadOn() throws Exception {
        try (TunDevice tun = TunDevice.open(config("utcp-off4").offload(TunConfig.Offload.AUTO).build())) {
            byte[] payload = "echo through a vnet header".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer direct = TestPackets.icmpEchoRequest(US, KERNEL, 0x77, 3, payload);
            ByteBuffer heap = ByteBuffer.allocate(direct.remaining());
            heap.put(0, direct, 0, direct.remaining());
            tun.send(heap); // plain send: a zero virtio_net_hdr goes first
            assertThrows(IllegalArgumentException.class, () -> tun.receive(ByteBuffer.allocate(tun.mtu()), 0),
                    "an MTU-sized buffer could truncate a super-segment");
            ByteBuffer rx = ByteBuffer.allocate(65535);
            GsoInfo gso = new GsoInfo();
            int n = receiveIpv4(tun, rx, gso, TestPackets.PROTO_ICMP, 0);
            assertEquals(28 + payload.length, n);
            assertEquals(0, rx.get(20), "echo reply");
            byte[] got = new byte[payload.length];
            rx.get(28, got);
            assertArrayEquals(payload, got);
            assertFalse(gso.isGso());
        }
    }

    /**
     * A hand-made TCP handshake with a kernel listener, then one TSO super-segment (10+ segments'
     * worth, TCP checksum left to the kernel) that the kernel's socket reads whole, then the
     * kernel's own reply burst read from the TUN as super-segments with gso_size = MSS.
     */
    @Test
    void tsoWriteReachesAKernelSocketAndKernelTsoIsReadWhole() throws Exception {
        try (TunDevice tun = TunDevice.open(config("utcp-off5").offload(TunConfig.Offload.AUTO).build());
             ServerSocket server = new ServerSocket()) {
            assertTrue(tun.offload().tso4());
            server.bind(new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 0));
            int port = server.getLocalPort();
            CompletableFuture<Socket> accepted = new CompletableFuture<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.complete(server.accept());
                } catch (Exception e) {
                    accepted.completeExceptionally(e);
                }
            }, "acceptor");
            acceptor.start();

            int ourPort = 40001;
            int iss = 1_000_000;
            tun.send(TestPackets.tcp(US, ourPort, KERNEL, port, iss, 0, TestPackets.TCP_SYN, 65535,
                    TestPackets.mssOption(1460), new byte[0], false));
            ByteBuffer rx = ByteBuffer.allocateDirect(65535);
            GsoInfo gso = new GsoInfo();
            receiveTcp(tun, rx, gso, ourPort, TestPackets.TCP_SYN | TestPackets.TCP_ACK);
            int kernelIss = rx.getInt(24);
            int window = rx.getShort(34) & 0xFFFF; // not scaled in a SYN-ACK (RFC 7323 §2.2)
            assertEquals(iss + 1, rx.getInt(28), "SYN-ACK acknowledges our SYN");
            tun.send(TestPackets.tcp(US, ourPort, KERNEL, port, iss + 1, kernelIss + 1, TestPackets.TCP_ACK, 65535,
                    new byte[0], new byte[0], false));
            Socket s = accepted.get(5, TimeUnit.SECONDS);
            s.setSoTimeout(5000);

            // One super-segment: as much as the kernel's window takes (at least two MSS), cut by
            // the kernel's GSO into 1460-byte segments; the checksum holds the pseudo-header sum.
            int len = Math.min(window, 60_000);
            assertTrue(len > 2 * 1460, "kernel window " + window);
            byte[] data = new byte[len];
            for (int i = 0; i < len; i++) {
                data[i] = (byte) (i * 31 + 7);
            }
            ByteBuffer sup = TestPackets.tcp(US, ourPort, KERNEL, port, iss + 1, kernelIss + 1,
                    TestPackets.TCP_ACK | TestPackets.TCP_PSH, 65535, new byte[0], data, true);
            assertTrue(sup.remaining() > tun.mtu());
            tun.send(sup, new GsoInfo().tcp4(20, 20, 1460, len));
            assertEquals(1, tun.txGsoPackets());
            byte[] got = new byte[len];
            InputStream in = s.getInputStream();
            int have = 0;
            while (have < len) {
                int n = in.read(got, have, len - have);
                assertTrue(n > 0, "kernel socket read " + n + " after " + have + " bytes");
                have += n;
            }
            assertArrayEquals(data, got, "the kernel's socket reads the super-segment's bytes");

            // The kernel answers with TSO: its burst arrives as super-segments (gso_size = its MSS),
            // TCP checksum not filled in (NEEDS_CSUM). Our ACK above advertised 65535 bytes.
            OutputStream out = s.getOutputStream();
            out.write(new byte[60_000]);
            out.flush();
            int largest = 0;
            GsoInfo largestGso = new GsoInfo();
            long deadline = System.nanoTime() + FIVE_SECONDS;
            int kernelData = 0;
            while (kernelData < 14_600 && System.nanoTime() < deadline) {
                int n = tun.receive(rx, gso, deadline - System.nanoTime());
                if (n < 40 || (rx.get(0) >> 4) != 4 || rx.get(9) != TestPackets.PROTO_TCP
                        || (rx.getShort(22) & 0xFFFF) != ourPort) {
                    continue;
                }
                int payload = n - 20 - ((rx.get(32) & 0xF0) >>> 2);
                kernelData += payload;
                assertTrue(gso.checksumTrusted(), "kernel TCP packets carry NEEDS_CSUM or DATA_VALID: " + gso);
                if (n > largest) {
                    largest = n;
                    largestGso.copyFrom(gso);
                }
            }
            assertTrue(largest > tun.mtu(), "a super-segment longer than the MTU arrived; largest " + largest);
            assertEquals(GsoInfo.GSO_TCPV4, largestGso.gsoType() & ~GsoInfo.GSO_ECN, largestGso.toString());
            assertEquals(1460, largestGso.gsoSize(), largestGso.toString());
            assertEquals(40, largestGso.hdrLen(), largestGso.toString());
            assertTrue(tun.rxGsoPackets() >= 1);
            s.close();
            acceptor.join(5000);
        }
    }

    /** Receives until an IPv4 packet with the protocol (and, for TCP, destination port) arrives, bounded. */
    static int receiveIpv4(TunDevice tun, ByteBuffer dst, GsoInfo gso, int protocol, int dstPort) throws Exception {
        long deadline = System.nanoTime() + FIVE_SECONDS;
        for (int i = 0; i < 100; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            int n = tun.receive(dst, gso, left);
            if (n >= 20 && (dst.get(0) >> 4) == 4 && dst.get(9) == protocol
                    && (dstPort == 0 || (dst.getShort(22) & 0xFFFF) == dstPort)) {
                return n;
            }
        }
        return fail("no IPv4 packet with protocol " + protocol + " within 5 s on " + tun.name());
    }

    static int receiveTcp(TunDevice tun, ByteBuffer dst, GsoInfo gso, int dstPort, int flags) throws Exception {
        int n = receiveIpv4(tun, dst, gso, TestPackets.PROTO_TCP, dstPort);
        assertEquals(flags, dst.get(33) & 0x3F, "TCP flags");
        return n;
    }
}
