package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.PacketLink;
import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 7323 against the Linux kernel over a real TUN (C2.11): the kernel offers window scaling and
 * timestamps by default, so both are negotiated in both directions of opening; the options are
 * watched on the wire by a small tap around the TUN link, and the kernel's own view is read with
 * {@code ss -tin} (inside the tun-tests namespace). A 50 MiB transfer each way must arrive intact.
 */
@RequiresTun
@Timeout(240)
class FastTcpKernelInteropTest {
    static final InetAddress US = Addresses.toInet(0xC6120002);     // 198.18.0.2
    static final InetAddress KERNEL = Addresses.toInet(0xC6120001); // 198.18.0.1
    static final long MIB = 1024 * 1024;
    static final long BIG = 50 * MIB;
    static final long MS = 1_000_000L;

    private Stack stack;
    private Tap tap;

    /** Records the TCP options seen in each direction (parsing a copy; the packets pass unchanged). */
    static final class Tap implements PacketLink {
        final PacketLink inner;
        final ConcurrentLinkedQueue<String> syns = new ConcurrentLinkedQueue<>();
        final AtomicLong outData = new AtomicLong(), outDataWithTs = new AtomicLong();
        final AtomicLong inData = new AtomicLong(), inDataWithTs = new AtomicLong();
        final AtomicInteger maxOutWindowField = new AtomicInteger();
        final AtomicInteger maxOutSegment = new AtomicInteger();
        volatile int outSynWs = -2, inSynWs = -2;
        volatile boolean outSynTs, inSynTs, outSynSack, inSynSack;
        final AtomicLong outSackAcks = new AtomicLong(), inSackAcks = new AtomicLong();

        Tap(PacketLink inner) {
            this.inner = inner;
        }

        @Override public String name() { return inner.name(); }
        @Override public int mtu() { return inner.mtu(); }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            look(packet, packet.position(), packet.limit() - packet.position(), true);
            inner.send(packet);
        }

        @Override
        public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            int n = inner.receive(dst, timeoutNanos);
            if (n > 0) look(dst, 0, n, false);
            return n;
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }

        private void look(ByteBuffer b, int off, int len, boolean out) {
            if (len < 40 || (b.get(off) >> 4) != 4 || b.get(off + 9) != 6) return;
            int ihl = (b.get(off) & 0x0F) * 4;
            TcpSegment s;
            try {
                s = TcpSegment.parse(b, off + ihl, len - ihl, b.getInt(off + 12), b.getInt(off + 16));
            } catch (Exception e) {
                return;
            }
            if (s.syn()) {
                syns.add((out ? "OUT " : "IN  ") + s);
                if (out) {
                    outSynWs = s.options().windowScale();
                    outSynTs = s.options().hasTimestamps();
                    outSynSack = s.options().sackPermitted();
                } else {
                    inSynWs = s.options().windowScale();
                    inSynTs = s.options().hasTimestamps();
                    inSynSack = s.options().sackPermitted();
                }
                return;
            }
            if (s.options().sackBlockCount() > 0) (out ? outSackAcks : inSackAcks).incrementAndGet();
            if (s.payloadLength() == 0) {
                if (out) maxOutWindowField.accumulateAndGet(s.window(), Math::max);
                return;
            }
            if (out) {
                outData.incrementAndGet();
                if (s.options().hasTimestamps()) outDataWithTs.incrementAndGet();
                maxOutSegment.accumulateAndGet(s.payloadLength() + s.options().length(), Math::max);
            } else {
                inData.incrementAndGet();
                if (s.options().hasTimestamps()) inDataWithTs.incrementAndGet();
            }
        }
    }

    private Stack start(String dev, TcpConfig config) throws IOException {
        return start(dev, config, UnaryOperator.identity());
    }

    /** The tap sits between the stack and {@code wrap(tun)}: it sees what the stack sends and gets. */
    private Stack start(String dev, TcpConfig config, UnaryOperator<PacketLink> wrap) throws IOException {
        TunDevice tun = TunDevice.open(TunConfig.builder().name(dev).kernelAddress("198.18.0.1/24").mtu(1500).build());
        tap = new Tap(wrap.apply(tun));
        stack = Stack.builder().link(tap, US, 24).tcpConfig(config).build();
        return stack;
    }

    @AfterEach
    void tearDown() {
        if (stack != null) {
            stack.close();
            assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
        }
    }

    /** The kernel's view of its TCP sockets to 198.18.0.2 ({@code ss -tin}), or "" when ss is missing. */
    static String kernelView() {
        try {
            Process p = new ProcessBuilder("ss", "-tin", "dst", "198.18.0.2").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return s.replaceAll("\\s+", " ").trim();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private void assertNegotiated(String label) {
        // Both SYNs carried window scale and timestamps: RFC 7323 is on for this connection.
        assertTrue(tap.outSynWs >= 0 && tap.inSynWs >= 0, () -> "window scale in both SYNs: " + tap.syns);
        assertTrue(tap.outSynTs && tap.inSynTs, () -> "timestamps in both SYNs: " + tap.syns);
        assertTrue(tap.outSynSack && tap.inSynSack, () -> "SACK-permitted in both SYNs: " + tap.syns);
        // Every data segment both ways carried TSopt, and ours fit the MSS with it (C2.17).
        assertEquals(tap.outData.get(), tap.outDataWithTs.get(), "TSopt on every data segment we sent");
        assertEquals(tap.inData.get(), tap.inDataWithTs.get(), "TSopt on every data segment the kernel sent");
        assertTrue(tap.maxOutSegment.get() <= 1460, "payload + options ≤ 1460: " + tap.maxOutSegment.get());
        System.out.println("[usertcp figures] " + label + ": SYNs " + tap.syns + "; data segments out/in "
                + tap.outData + "/" + tap.inData + ", largest window field we sent " + tap.maxOutWindowField
                + " (x2^" + Math.max(0, tap.outSynWs) + ")");
    }

    static void oneWay(InputStream in, OutputStream out, long bytes, String label) throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<String> sent = Transfers.async("send", () -> { // not the common pool (Transfers.async)
            String h = Transfers.send(Transfers.sink(out), bytes, 5);
            out.close();
            return h;
        });
        String got = Transfers.receive(Transfers.source(in), bytes);
        assertEquals(sent.get(120, TimeUnit.SECONDS), got, label + " SHA-256");
        long ns = System.nanoTime() - t0;
        System.out.println("[usertcp figures] " + label + ": " + bytes / MIB + " MiB in "
                + TimeUnit.NANOSECONDS.toMillis(ns) + " ms = " + Transfers.mbits(bytes, ns));
    }

    @Test
    void C2_11_kernelClientNegotiatesWindowScaleAndTimestamps50MiBEachWay() throws Exception {
        Stack s = start("utcp-fast1", TcpConfig.DEFAULT);
        TcpSocket listener = s.newSocket();
        listener.bind(US, 5101);
        listener.listen(5);
        try (Socket k = new Socket()) {
            k.connect(new InetSocketAddress(US, 5101), 5000);
            TcpSocket u = listener.accept(5000 * MS);
            assertNotNull(u);
            String view = kernelView();
            KernelInteropTest.bothWays(u, k, BIG, "RFC 7323 on: kernel client -> usertcp server");
            assertNegotiated("kernel client -> usertcp server");
            System.out.println("[usertcp figures] kernel view (ss -tin): " + view);
            // ss prints "wscale:<snd>,<rcv>": the kernel scales what it sends by our 7. (This kernel's
            // tcp_info does not report "ts"; the tap above saw TSopt on every kernel segment.)
            if (!view.isEmpty()) assertTrue(view.contains("wscale:7,"), "kernel applies our WS 7: " + view);
            u.close();
        }
    }

    @Test
    void C2_11_usertcpClientNegotiatesWindowScaleAndTimestamps50MiBEachWay() throws Exception {
        Stack s = start("utcp-fast2", TcpConfig.DEFAULT);
        try (ServerSocket ks = new ServerSocket()) {
            ks.bind(new InetSocketAddress(KERNEL, 0));
            TcpSocket u = s.newSocket();
            u.connect(KERNEL, ks.getLocalPort(), 5000 * MS);
            try (Socket k = ks.accept()) {
                String view = kernelView();
                KernelInteropTest.bothWays(u, k, BIG, "RFC 7323 on: usertcp client -> kernel server");
                assertNegotiated("usertcp client -> kernel server");
                System.out.println("[usertcp figures] kernel view (ss -tin): " + view);
                if (!view.isEmpty()) assertTrue(view.contains("wscale:7,"), "kernel applies our WS 7: " + view);
            }
            u.close();
        }
    }

    /**
     * The same kernel → usertcp bulk transfer with RFC 7323 off and the old 256 KiB buffer, then on
     * (figures only: no timed assertion). Each must arrive intact.
     */
    @Test
    void bulkKernelToUsertcpWithAndWithoutRfc7323() throws Exception {
        TcpConfig old = TcpConfig.DEFAULT.toBuilder().windowScaling(false).timestamps(false)
                .receiveBufferSize(256 * 1024).maxOutOfOrderBytes(256 * 1024).build();
        for (TcpConfig cfg : new TcpConfig[] {old, TcpConfig.DEFAULT}) {
            boolean on = cfg.windowScaling();
            Stack s = start(on ? "utcp-fast4" : "utcp-fast3", cfg);
            TcpSocket listener = s.newSocket();
            listener.bind(US, 5103);
            listener.listen(5);
            try (Socket k = new Socket()) {
                k.connect(new InetSocketAddress(US, 5103), 5000);
                TcpSocket u = listener.accept(5000 * MS);
                InputStream uin = new InputStream() {
                    @Override public int read() throws IOException {
                        byte[] b = new byte[1];
                        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
                    }
                    @Override public int read(byte[] b, int off, int len) throws IOException {
                        return u.read(b, off, len, 60_000 * MS);
                    }
                };
                oneWay(uin, k.getOutputStream(), BIG, "kernel -> usertcp, RFC 7323 " + (on ? "on, 1 MiB rcvbuf"
                        : "off, 256 KiB rcvbuf"));
                if (on) {
                    assertTrue(tap.maxOutWindowField.get() << tap.outSynWs > 65535,
                            "a window beyond 64 KiB was advertised: field " + tap.maxOutWindowField);
                } else {
                    assertEquals(-1, tap.outSynWs);
                }
                u.close();
            }
            stack.close();
            assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
            stack = null;
        }
    }

    /**
     * Kernel → usertcp through 2% loss, 5% reordering and 5 ms delay both ways, with SACK off and then
     * on (same seed): with SACK our ACKs carry blocks the kernel's RFC 6675 recovery uses. Figures
     * only; each run must arrive intact, and with SACK on our ACKs must have carried blocks.
     */
    @Test
    void C2_12_impairedKernelToUsertcpWithAndWithoutSack() throws Exception {
        TcpConfig base = TcpConfig.DEFAULT.toBuilder().rtoMin(Duration.ofMillis(200)).build();
        for (boolean sack : new boolean[] {false, true}) {
            TcpConfig cfg = base.toBuilder().sackPermitted(sack).build();
            Stack s = start(sack ? "utcp-fast6" : "utcp-fast5", cfg, tun -> ImpairedLink.builder(tun).seed(11)
                    .loss(0.02).reorder(0.05).delay(Duration.ofMillis(5)).direction(ImpairedLink.Direction.BOTH).build());
            TcpSocket listener = s.newSocket();
            listener.bind(US, 5104);
            listener.listen(5);
            try (Socket k = new Socket()) {
                k.connect(new InetSocketAddress(US, 5104), 10_000);
                TcpSocket u = listener.accept(10_000 * MS);
                InputStream uin = new InputStream() {
                    @Override public int read() throws IOException {
                        byte[] b = new byte[1];
                        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
                    }
                    @Override public int read(byte[] b, int off, int len) throws IOException {
                        return u.read(b, off, len, 60_000 * MS);
                    }
                };
                oneWay(uin, k.getOutputStream(), 5 * MIB, "impaired (2% loss, 5% reorder, 5 ms) kernel -> usertcp, SACK "
                        + (sack ? "on" : "off"));
                System.out.println("[usertcp figures] SACK " + (sack ? "on" : "off") + ": our ACKs with SACK blocks "
                        + tap.outSackAcks + ", SYNs " + tap.syns);
                if (sack) assertTrue(tap.outSackAcks.get() > 0, "no SACK blocks sent under loss");
                else assertEquals(0, tap.outSackAcks.get());
                u.close();
            }
            stack.close();
            assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
            stack = null;
        }
    }
}
