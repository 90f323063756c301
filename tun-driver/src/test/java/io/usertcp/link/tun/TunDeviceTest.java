package io.usertcp.link.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real TUN devices, inside the private network namespace the tun-tests JVM runs in. */
@RequiresTun
class TunDeviceTest {

    static final int KERNEL = Ipv4.parse("198.18.0.1");
    static final int US = Ipv4.parse("198.18.0.2");
    static final long FIVE_SECONDS = TimeUnit.SECONDS.toNanos(5);

    static String sys(String dev, String attr) throws Exception {
        return Files.readString(Path.of("/sys/class/net", dev, attr)).trim();
    }

    /** Receives until an IPv4 packet with the given protocol arrives (skipping e.g. IPv6 chatter), bounded. */
    static int receiveIpv4(TunDevice tun, ByteBuffer dst, int protocol) throws Exception {
        long deadline = System.nanoTime() + FIVE_SECONDS;
        for (int i = 0; i < 100; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            int n = tun.receive(dst, left);
            if (n >= 20 && (dst.get(0) >> 4) == 4 && dst.get(9) == protocol) {
                return n;
            }
        }
        return fail("no IPv4 packet with protocol " + protocol + " within 5 s on " + tun.name());
    }

    @Test
    void icmpEchoRoundTripWithTheKernel() throws Exception {
        try (TunDevice tun = TunDevice.open(TunConfig.builder().name("utcp-echo").kernelAddress("198.18.0.1/24").mtu(1500).build())) {
            assertEquals("utcp-echo", tun.name());
            assertTrue(tun.created());
            byte[] payload = "usertcp echo payload 0123456789".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer req = TestPackets.icmpEchoRequest(US, KERNEL, 0x5a5a, 7, payload);
            tun.send(req);
            assertEquals(0, req.position());

            ByteBuffer rx = ByteBuffer.allocateDirect(tun.mtu());
            int n = receiveIpv4(tun, rx, TestPackets.PROTO_ICMP);
            assertEquals(20 + 8 + payload.length, n);
            assertEquals(0, rx.position());
            assertEquals(n, rx.limit());
            // IPv4 header: version/IHL, total length, addresses, valid header checksum
            assertEquals(0x45, rx.get(0) & 0xFF);
            assertEquals(n, rx.getShort(2) & 0xFFFF);
            assertEquals(KERNEL, rx.getInt(12), "reply source");
            assertEquals(US, rx.getInt(16), "reply destination");
            assertEquals(0, TestPackets.checksum(rx, 0, 20), "IPv4 header checksum verifies");
            // ICMP echo reply: type 0 code 0, same identifier, sequence and data, valid checksum
            assertEquals(0, rx.get(20), "ICMP type echo reply");
            assertEquals(0, rx.get(21), "ICMP code");
            assertEquals(0x5a5a, rx.getShort(24) & 0xFFFF);
            assertEquals(7, rx.getShort(26) & 0xFFFF);
            byte[] got = new byte[payload.length];
            rx.get(28, got);
            assertArrayEquals(payload, got);
            assertEquals(0, TestPackets.checksum(rx, 20, n - 20), "ICMP checksum verifies");
            assertEquals(1, tun.txPackets());
            assertTrue(tun.rxPackets() >= 1);
        }
        assertFalse(Files.exists(Path.of("/sys/class/net/utcp-echo")), "a non-persistent TUN vanishes on close");
    }

    @Test
    void heapBuffersWorkToo() throws Exception {
        try (TunDevice tun = TunDevice.open("utcp-heap", "198.18.0.1/24", 1500)) {
            ByteBuffer direct = TestPackets.icmpEchoRequest(US, KERNEL, 1, 1, new byte[8]);
            ByteBuffer heap = ByteBuffer.allocate(100);
            heap.position(10); // not at offset 0: exercises the copying path
            heap.put(direct.duplicate());
            heap.flip().position(10);
            tun.send(heap);
            assertEquals(10, heap.position());
            ByteBuffer rx = ByteBuffer.allocate(1500);
            int n = receiveIpv4(tun, rx, TestPackets.PROTO_ICMP);
            assertEquals(36, n);
            assertEquals(0, rx.get(20));
        }
    }

    @Test
    void udpFromUserspaceReachesAKernelSocket() throws Exception {
        try (TunDevice tun = TunDevice.open("utcp-udp", "198.18.0.1/24", 1500);
             DatagramSocket sock = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 0))) {
            sock.setSoTimeout(5000);
            byte[] payload = "hello kernel".getBytes(StandardCharsets.US_ASCII);
            tun.send(TestPackets.udp(US, 40000, KERNEL, sock.getLocalPort(), payload));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            sock.receive(p);
            assertEquals("hello kernel", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            assertEquals(new InetSocketAddress(InetAddress.getByName("198.18.0.2"), 40000), p.getSocketAddress());
        }
    }

    @Test
    void ioctlsConfigureMtuAddressQueueAndLinkUp() throws Exception {
        TunConfig c = TunConfig.builder().name("utcp-cfg").kernelAddress("198.18.3.1/28").mtu(9000).txQueueLength(2000).build();
        try (TunDevice tun = TunDevice.open(c)) {
            assertEquals(9000, tun.mtu());
            assertEquals("9000", sys("utcp-cfg", "mtu"));
            assertEquals("2000", sys("utcp-cfg", "tx_queue_len"));
            int flags = Integer.decode(sys("utcp-cfg", "flags"));
            assertEquals(1, flags & 1, "IFF_UP");
            // The address is local: a socket can bind to it.
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("198.18.3.1"), 0))) {
                assertTrue(s.getLocalPort() > 0);
            }
            // The netmask gave the kernel a /28 route through the device (/proc/net/route is little-endian hex).
            List<String> routes = Files.readAllLines(Path.of("/proc/net/route"));
            assertTrue(routes.stream().anyMatch(l -> {
                String[] f = l.trim().split("\\s+");
                return f[0].equals("utcp-cfg") && f[1].equals("000312C6") && f[7].equals("F0FFFFFF");
            }), "route 198.18.3.0/28 dev utcp-cfg in " + routes);
        }
    }

    @Test
    void kernelChosenName() throws Exception {
        try (TunDevice a = TunDevice.open(TunConfig.builder().build());
             TunDevice b = TunDevice.open(TunConfig.builder().name("utk%d").build())) {
            assertTrue(a.name().startsWith("tun"), a.name());
            assertTrue(b.name().matches("utk[0-9]+"), b.name());
            assertTrue(Files.exists(Path.of("/sys/class/net", a.name())));
            assertEquals(1500, a.mtu());
        }
    }

    @Test
    void receiveTimesOutWithZero() throws Exception {
        try (TunDevice tun = TunDevice.open(TunConfig.builder().name("utcp-idle").up(false).build())) {
            ByteBuffer rx = ByteBuffer.allocateDirect(tun.mtu());
            assertEquals(0, tun.receive(rx, 0));
            assertEquals(0, tun.receive(rx, TimeUnit.MILLISECONDS.toNanos(20)));
        }
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        TunDevice tun = TunDevice.open(TunConfig.builder().name("utcp-close").up(false).build());
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        Thread rx = new Thread(() -> {
            try {
                tun.receive(ByteBuffer.allocateDirect(tun.mtu()), Long.MAX_VALUE);
                result.complete(null);
            } catch (Throwable t) {
                result.complete(t);
            }
        }, "tun-blocked-receiver");
        rx.start();
        // Wait (bounded) until the receiver is parked inside poll(2), so close() has to wake it.
        long deadline = System.nanoTime() + FIVE_SECONDS;
        while (Arrays.stream(rx.getStackTrace()).noneMatch(f -> f.getMethodName().equals("poll"))) {
            assertTrue(System.nanoTime() < deadline, "receiver never reached poll");
            Thread.onSpinWait();
        }
        tun.close();
        Throwable t = result.get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedChannelException.class, t);
        rx.join(5000);
        assertFalse(rx.isAlive());
        assertThrows(ClosedChannelException.class, () -> tun.send(TestPackets.udp(US, 1, KERNEL, 2, new byte[1])));
        assertThrows(ClosedChannelException.class, () -> tun.receive(ByteBuffer.allocateDirect(1500), 0));
        tun.close(); // idempotent
        assertFalse(Files.exists(Path.of("/sys/class/net/utcp-close")));
    }

    @Test
    void secondOpenOfTheSameDeviceIsBusy() throws Exception {
        try (TunDevice first = TunDevice.open(TunConfig.builder().name("utcp-busy").build())) {
            TunException e = assertThrows(TunException.class, () -> TunDevice.open(TunConfig.builder().name("utcp-busy").build()));
            assertEquals(TunException.Reason.BUSY, e.reason());
            assertTrue(e.getMessage().contains("utcp-busy is busy"), e.getMessage());
            assertTrue(first.isOpen());
        }
    }

    @Test
    void createModeRefusesAnExistingDeviceAndAttachModeAMissingOne() throws Exception {
        try (TunDevice first = TunDevice.open(TunConfig.builder().name("utcp-ex").build())) {
            TunException e = assertThrows(TunException.class,
                    () -> TunDevice.open(TunConfig.builder().name("utcp-ex").create().build()));
            assertEquals(TunException.Reason.EXISTS, e.reason());
            assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        }
        TunException e = assertThrows(TunException.class, () -> TunDevice.open(TunConfig.builder().name("utcp-none").attach().build()));
        assertEquals(TunException.Reason.NO_SUCH_INTERFACE, e.reason());
        assertTrue(e.getMessage().contains("ip tuntap add dev utcp-none mode tun user " + System.getProperty("user.name")), e.getMessage());
    }

    @Test
    void missingCloneDeviceSaysModprobeAndMknod() {
        TunException e = assertThrows(TunException.class,
                () -> TunDevice.open(TunConfig.builder().name("utcp-nodev").devicePath("/dev/net/no-such-tun").build()));
        assertEquals(TunException.Reason.NO_DEVICE_NODE, e.reason());
        assertTrue(e.getMessage().contains("/dev/net/no-such-tun"), e.getMessage());
        assertTrue(e.getMessage().contains("modprobe tun"), e.getMessage());
        assertTrue(e.getMessage().contains("mknod /dev/net/tun c 10 200"), e.getMessage());
        assertFalse(Files.exists(Path.of("/sys/class/net/utcp-nodev")));
    }
}
