package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.PacketLink;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.TcpHeader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 000 random and mutated packets into a live stack (C7.1–C7.3 at stack level): bit flips,
 * truncation, bad options, bad lengths, applied to real segments captured from a live connection,
 * half of them with checksums repaired so the damage reaches the TCP layer. Afterwards no exception
 * has escaped packet processing and a new connection works.
 */
@Timeout(120)
class RobustnessTest {

    static final int A = Ipv4Header.address(198, 18, 0, 2);
    static final int B = Ipv4Header.address(198, 18, 0, 1);
    static final int A_FUZZ = Ipv4Header.address(198, 18, 1, 2);
    static final int PACKETS = 200_000;
    static final long MS = 1_000_000L;

    /** Passes everything through and keeps a copy of the first {@code limit} packets sent. */
    static class CapturingLink implements PacketLink {
        final PacketLink inner;
        final List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        final int limit;

        CapturingLink(PacketLink inner, int limit) {
            this.inner = inner;
            this.limit = limit;
        }

        @Override public String name() { return inner.name(); }
        @Override public int mtu() { return inner.mtu(); }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            if (captured.size() < limit) {
                byte[] copy = new byte[packet.remaining()];
                packet.get(packet.position(), copy);
                captured.add(copy);
            }
            inner.send(packet);
        }

        @Override
        public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            return inner.receive(dst, timeoutNanos);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    @Test
    void twoHundredThousandBadPacketsThenANewConnectionWorks() throws Exception {
        List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        MemoryLink.Pair ab = MemoryLink.pair("ab", 1500, 4096);
        MemoryLink.Pair fuzz = MemoryLink.pair("fuzz", 2048, 8192);
        CapturingLink bLink = new CapturingLink(ab.b(), 3000);
        InetAddress addrA = Addresses.toInet(A);
        try (Stack a = Stack.builder().link(ab.a(), addrA, 24).link(fuzz.a(), Addresses.toInet(A_FUZZ), 24).build();
             Stack b = Stack.builder().link(bLink, Addresses.toInet(B), 24).build()) {
            TcpSocket listener = a.newSocket();
            listener.bind(null, 7000);
            listener.listen(16);

            // A live connection whose segments (B → A) seed the mutations.
            TcpSocket client = b.newSocket();
            client.connect(addrA, 7000, 5000 * MS);
            TcpSocket server = listener.accept(5000 * MS);
            exchange(client, server, 256 * 1024);
            List<byte[]> seeds = new ArrayList<>(bLink.captured);
            assertTrue(seeds.size() > 20, "captured " + seeds.size());

            SplittableRandom rnd = new SplittableRandom(0xF022);
            PacketLink in = fuzz.b();
            for (int i = 0; i < PACKETS; i++) {
                byte[] p = rnd.nextInt(4) == 0 ? randomPacket(rnd) : mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                while (fuzz.a().queued() > 4096) {
                    Thread.yield(); // let the RX thread drain; bounded by the test timeout
                }
                in.send(ByteBuffer.wrap(p));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fuzz.a().queued() > 0 && System.nanoTime() < end) {
                Thread.yield();
            }

            assertEquals(0, a.stats().internalErrors(), "exceptions caught in packet processing: " + a.stats());
            assertEquals(List.of(), uncaught, "uncaught exceptions");
            assertTrue(a.stats().packetsIn() >= PACKETS, a.stats()::toString);
            assertTrue(a.stats().dropped() > PACKETS / 2, "most bad packets must be counted as drops: " + a.stats());
            System.out.println("[usertcp figures] robustness: " + a.stats());

            // A new connection still works, both ways.
            TcpSocket c2 = b.newSocket();
            c2.connect(addrA, 7000, 5000 * MS);
            TcpSocket s2 = listener.accept(5000 * MS);
            exchange(c2, s2, 64 * 1024);
            assertEquals(0, a.stats().internalErrors());
            assertEquals(0, b.stats().internalErrors());
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
            fuzz.b().close();
        }
    }

    @Test
    void rxThreadSurvivesLinkReceiveErrors() throws Exception {
        MemoryLink.Pair pair = MemoryLink.pair(1500);
        java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(3);
        PacketLink flaky = new CapturingLink(pair.a(), 0) {
            @Override
            public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new IOException("injected receive failure");
                }
                return super.receive(dst, timeoutNanos);
            }
        };
        try (Stack s = Stack.builder().link(flaky, Addresses.toInet(A), 24).build()) {
            pair.b().send(ByteBuffer.wrap(Packets.ip(Ipv4Header.PROTO_ICMP, B, A,
                    Packets.icmp(io.usertcp.wire.IcmpHeader.TYPE_ECHO_REQUEST, 0, 1, new byte[8]))));
            byte[] reply = Packets.receive(pair.b(), 5000);
            assertTrue(reply != null, "no echo reply after the link recovered");
            assertEquals(3, s.stats().linkReceiveErrors());
            assertEquals(0, s.stats().internalErrors());
        } finally {
            pair.b().close();
        }
    }

    static void exchange(TcpSocket x, TcpSocket y, int bytes) throws Exception {
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                byte[] buf = new byte[bytes];
                int n = 0;
                while (n < bytes) {
                    int r = y.read(buf, n, bytes - n, 10_000 * MS);
                    if (r < 0) {
                        throw new IOException("EOF after " + n);
                    }
                    n += r;
                }
                return java.util.HexFormat.of().formatHex(Transfers.sha256().digest(buf));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] data = new byte[bytes];
        new SplittableRandom(bytes).nextBytes(data);
        x.write(data, 0, bytes);
        assertEquals(java.util.HexFormat.of().formatHex(Transfers.sha256().digest(data)), got.get(20, TimeUnit.SECONDS));
    }

    static byte[] randomPacket(SplittableRandom rnd) {
        byte[] p = new byte[rnd.nextInt(0, 1501)];
        rnd.nextBytes(p);
        if (p.length >= 20 && rnd.nextBoolean()) {
            // plausible IPv4 header so it gets past the first checks now and then
            ByteBuffer b = ByteBuffer.wrap(p);
            b.put(0, (byte) 0x45);
            b.putShort(2, (short) p.length);
            b.put(9, (byte) (rnd.nextBoolean() ? Ipv4Header.PROTO_TCP : Ipv4Header.PROTO_ICMP));
            b.putShort(6, (short) 0x4000);
            b.putInt(16, rnd.nextBoolean() ? A : A_FUZZ);
            Ipv4Header.wrap(b, 0).fillChecksum();
        }
        return p;
    }

    static byte[] mutate(byte[] seed, SplittableRandom rnd) {
        byte[] p = seed.clone();
        ByteBuffer b = ByteBuffer.wrap(p);
        int ihl = 20;
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            switch (rnd.nextInt(6)) {
                case 0 -> { // bit flips
                    int flips = 1 + rnd.nextInt(4);
                    for (int k = 0; k < flips && p.length > 0; k++) {
                        int i = rnd.nextInt(p.length);
                        p[i] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> { // truncation
                    if (p.length > 1) {
                        p = java.util.Arrays.copyOf(p, rnd.nextInt(p.length));
                        b = ByteBuffer.wrap(p);
                    }
                }
                case 2 -> { // bad TCP options: random kinds and lengths in a 40-byte option area
                    if (p.length >= ihl + 20) {
                        int optLen = 4 * rnd.nextInt(1, 11);
                        byte[] q = new byte[p.length + optLen];
                        System.arraycopy(p, 0, q, 0, ihl + 20);
                        System.arraycopy(p, ihl + 20, q, ihl + 20 + optLen, p.length - ihl - 20);
                        for (int k = 0; k < optLen; k++) {
                            int r = rnd.nextInt(10);
                            q[ihl + 20 + k] = (byte) (r < 3 ? rnd.nextInt(0, 9) : r < 6 ? rnd.nextInt(0, 3) : rnd.nextInt(256));
                        }
                        p = q;
                        b = ByteBuffer.wrap(p);
                        int off = (b.get(ihl + 12) & 0xF0) >>> 2;
                        b.put(ihl + 12, (byte) (((Math.min(60, off + optLen)) >>> 2) << 4));
                        b.putShort(2, (short) p.length);
                    }
                }
                case 3 -> { // bad IP lengths
                    if (p.length >= 20) {
                        if (rnd.nextBoolean()) {
                            b.putShort(2, (short) rnd.nextInt(0, 70000));
                        } else {
                            b.put(0, (byte) (0x40 | rnd.nextInt(16)));
                        }
                    }
                }
                case 4 -> { // bad TCP data offset / flags / urgent pointer
                    if (p.length >= ihl + 20) {
                        switch (rnd.nextInt(3)) {
                            case 0 -> b.put(ihl + 12, (byte) (rnd.nextInt(16) << 4 | rnd.nextInt(16)));
                            case 1 -> b.put(ihl + 13, (byte) rnd.nextInt(256));
                            default -> b.putShort(ihl + 18, (short) rnd.nextInt(65536));
                        }
                    }
                }
                default -> { // sequence/ack games on an otherwise valid segment
                    if (p.length >= ihl + 20) {
                        b.putInt(ihl + 4 + 4 * rnd.nextInt(2), rnd.nextInt());
                    }
                }
            }
        }
        // Half the time, repair the checksums so the damage reaches the TCP layer.
        if (rnd.nextBoolean() && p.length >= 20 && (p[0] & 0xF0) == 0x40) {
            int hl = (p[0] & 0x0F) * 4;
            int total = Short.toUnsignedInt(b.getShort(2));
            if (hl >= 20 && hl <= p.length) {
                Ipv4Header.wrap(b, 0).fillChecksum();
                int tcpLen = Math.min(total, p.length) - hl;
                if (tcpLen >= 20 && p[9] == Ipv4Header.PROTO_TCP) {
                    TcpHeader.wrap(b, hl).fillChecksum(b.getInt(12), b.getInt(16), tcpLen);
                }
            }
        }
        return p;
    }
}
