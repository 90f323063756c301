package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.hardening.PeerHarness.Out;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resource exhaustion by hostile peers (issue 8, CONFORMANCE C7.3, C7.4), packet-in on the manual
 * clock: peers that never read (advertise a zero window forever), and a peer that sends endless
 * out-of-order data and never fills the gap. Memory, measured as the queues in {@link TcpInfo}, stays
 * within the configured buffers; zero-window connections stay open (RFC 1122 §4.2.2.17) and are probed;
 * a well-behaved connection on the same stack keeps its throughput (same number of rounds as without
 * the hostile load); the out-of-order victim recovers once the gap is filled.
 */
@Timeout(300)
class ResourceExhaustionTest {
    static final int PORT = 80;
    static final int SND_BUF = 64 * 1024;
    static final int RCV_BUF = 64 * 1024;
    static final TcpConfig CONFIG = TcpConfig.DEFAULT.toBuilder().sendBufferSize(SND_BUF).receiveBufferSize(RCV_BUF)
            .maxOutOfOrderBytes(RCV_BUF).build();
    static final byte[] STREAM = new byte[4 << 20];

    static {
        new Random(3).nextBytes(STREAM);
    }

    /** Writes as much of STREAM[from..to) as fits without blocking; returns the new offset. */
    static int writeWhatFits(TcpSocket s, int from, int to) throws IOException {
        TcpInfo i = s.info();
        int n = Math.min(to - from, SND_BUF - i.sendQueue());
        if (n > 0) {
            s.write(STREAM, from, n);
            return from + n;
        }
        return from;
    }

    /**
     * Moves {@code bytes} from the stack's application to a well-behaved peer (which acks every segment
     * with a full window); returns the number of 10 ms rounds it took. Checks every byte.
     */
    static int goodTransfer(PeerHarness h, PeerHarness.Conn c, int bytes, List<Runnable> eachRound) throws IOException {
        int written = 0;
        int received = 0;
        for (int round = 1; round < 100_000; round++) {
            written = writeWhatFits(c.socket, written, bytes);
            h.pump();
            for (Out o : h.drain()) {
                TcpSegment s = o.seg();
                if (s.dstPort() != c.remotePort) {
                    continue;
                }
                int off = s.seq() - c.stackIsn1;
                if (s.payloadLength() > 0 && off == received) {
                    assertArrayEquals(Arrays.copyOfRange(STREAM, off, off + s.payloadLength()), s.payloadBytes());
                    received += s.payloadLength();
                }
                h.send(TcpSegment.builder().ports(c.remotePort, PORT).seq(c.peerIsn1).ack(c.stackIsn1 + received)
                        .flags(TcpHeader.FLAG_ACK).window(65535).build());
            }
            for (Runnable r : eachRound) {
                r.run();
            }
            if (received == bytes) {
                return round;
            }
            h.advanceMillis(10);
        }
        throw new AssertionError("good transfer did not finish: " + received + " of " + bytes);
    }

    @Test
    void zeroWindowPeersForeverStayBoundedAndOthersKeepTheirThroughput() throws IOException {
        int baseline;
        try (PeerHarness h = new PeerHarness(CONFIG, 65_536)) {
            TcpSocket l = h.listen(PORT, 512);
            PeerHarness.Conn good = h.open(l, 30_000, 5, 1460, 65535);
            baseline = goodTransfer(h, good, 1 << 20, List.of());
        }
        try (PeerHarness h = new PeerHarness(CONFIG, 65_536)) {
            TcpSocket l = h.listen(PORT, 512);
            List<PeerHarness.Conn> hostile = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                PeerHarness.Conn c = h.open(l, 40_000 + i, 1000 * i, 1460, 4096);
                writeWhatFits(c.socket, 0, SND_BUF); // fill its send buffer
                hostile.add(c);
            }
            int[] probes = {0};
            int[] dataProbes = {0};
            List<String> firstTimes = new ArrayList<>();
            long[] maxQueued = {0};
            Runnable hostilePeers = () -> {
                long queued = 0;
                for (PeerHarness.Conn c : hostile) {
                    TcpInfo i = c.socket.info();
                    assertTrue(i.sendQueue() <= SND_BUF, "send queue beyond its buffer: " + i);
                    queued += i.sendQueue() + i.receiveQueue();
                }
                maxQueued[0] = Math.max(maxQueued[0], queued);
            };
            PeerHarness.Conn good = h.open(l, 30_000, 5, 1460, 65535);
            // The hostile peers acknowledge what they got (the first window) with a zero window, then
            // answer every probe the same way: they never read.
            h.pump();
            int[] got = new int[hostile.size()];
            for (Out o : h.drain()) {
                int k = o.seg().dstPort() - 40_000;
                if (k >= 0 && k < got.length) {
                    got[k] = Math.max(got[k], o.seg().seq() - hostile.get(k).stackIsn1 + o.seg().payloadLength());
                }
            }
            for (int k = 0; k < got.length; k++) {
                PeerHarness.Conn c = hostile.get(k);
                h.send(TcpSegment.builder().ports(c.remotePort, PORT).seq(c.peerIsn1).ack(c.stackIsn1 + got[k])
                        .flags(TcpHeader.FLAG_ACK).window(0).build());
            }
            h.pump();
            int rounds = goodTransfer(h, good, 1 << 20, List.of(hostilePeers));
            // Ten simulated minutes of zero windows, answering every probe.
            for (int minute = 0; minute < 10; minute++) {
                for (int s = 0; s < 60; s++) {
                    h.advanceMillis(1000);
                    for (Out o : h.drain()) {
                        TcpSegment seg = o.seg();
                        if (seg.dstPort() >= 40_000 && seg.dstPort() < 40_200) {
                            PeerHarness.Conn c = hostile.get(seg.dstPort() - 40_000);
                            int k = seg.dstPort() - 40_000;
                            int off = seg.seq() - c.stackIsn1;
                            assertTrue(off + seg.payloadLength() <= got[k] + 1, "sent into a zero window beyond a 1-byte probe: " + seg);
                            probes[0]++; // a window probe: 1 byte of new data, or (as Linux) SND.UNA - 1 without data
                            if (seg.payloadLength() > 0) {
                                dataProbes[0]++;
                            }
                            if (c == hostile.get(0)) {
                                firstTimes.add((h.clock.nanoTime() / 1_000_000_000L) + "s:" + seg.seq() % 100000 + "/" + seg.payloadLength());
                            }
                            h.send(TcpSegment.builder().ports(c.remotePort, PORT).seq(c.peerIsn1).ack(c.stackIsn1 + got[k])
                                    .flags(TcpHeader.FLAG_ACK).window(0).build());
                        }
                    }
                    hostilePeers.run();
                }
            }
            for (PeerHarness.Conn c : hostile) {
                assertEquals(TcpState.ESTABLISHED, c.socket.state(), "a zero-window peer that answers probes keeps its connection");
            }
            assertTrue(probes[0] >= 200, "zero-window probes were sent: " + probes[0]);
            // RFC 1122 §4.2.2.17: the interval between probes increases exponentially (to RTO max):
            // over 600 s that is about 10 per connection, not one per second.
            assertTrue(probes[0] <= 200 * 20, "probes back off: " + probes[0] + " in 10 min for 200 connections");
            assertTrue(rounds <= baseline * 11 / 10 + 2, "good connection took " + rounds + " rounds, alone " + baseline);
            assertEquals(0, h.stack.stats().internalErrors());
            String figure = String.format("zero-window peers: 200 connections x 10 simulated min, max queued %d B "
                    + "(cap 200 x %d B), %d segments to them (%d with data), answered; a good 1 MiB transfer took %d rounds (alone %d); first: %s",
                    maxQueued[0], SND_BUF, probes[0], dataProbes[0], rounds, baseline, firstTimes.subList(0, Math.min(12, firstTimes.size())));
            System.out.println(figure);
            Reliability.record(figure);
        }
    }

    @Test
    void endlessOutOfOrderDataStaysAtItsCapAndTheConnectionRecovers() throws IOException {
        try (PeerHarness h = new PeerHarness(CONFIG, 65_536)) {
            PeerHarness.Conn c = h.open(h.listen(PORT, 8), 40_000, 77, 1460, 65535);
            Random rnd = new Random(74);
            int maxQueue = 0;
            int segments = 0;
            // 50,000 segments (48 MB) that never include the first 1000 bytes: small disjoint ranges
            // in the window, and ranges far beyond it.
            for (int i = 0; i < 50_000; i++) {
                int off;
                int len;
                if (rnd.nextBoolean()) {
                    off = 1000 + 2 * rnd.nextInt(RCV_BUF / 2); // every other byte: many ranges
                    len = 1;
                } else {
                    off = 1000 + rnd.nextInt(STREAM.length - 3000);
                    len = 1 + rnd.nextInt(1460);
                }
                h.send(TcpSegment.builder().ports(c.remotePort, PORT).seq(c.peerIsn1 + off).ack(c.stackIsn1)
                        .flags(TcpHeader.FLAG_ACK).window(65535).payload(Arrays.copyOfRange(STREAM, off, off + len)).build());
                segments++;
                if (i % 500 == 499) {
                    h.pump();
                    h.drain();
                    TcpInfo info = c.socket.info();
                    assertEquals(0, info.receiveQueue(), "nothing is readable while the gap is open");
                    assertTrue(info.rcvWnd() <= RCV_BUF, "window beyond the buffer: " + info);
                    assertEquals(0, c.socket.available());
                    maxQueue = Math.max(maxQueue, info.receiveQueue());
                }
            }
            assertEquals(TcpState.ESTABLISHED, c.socket.state());
            // Fill the gap, then send the rest in order: the application gets exactly the stream.
            int read = 0;
            int sent = 0;
            byte[] buf = new byte[65536];
            for (int round = 0; round < 100_000 && read < (1 << 20); round++) {
                if (sent < (1 << 20) && sent - read < RCV_BUF - 1460) {
                    h.send(TcpSegment.builder().ports(c.remotePort, PORT).seq(c.peerIsn1 + sent).ack(c.stackIsn1)
                            .flags(TcpHeader.FLAG_ACK).window(65535).payload(Arrays.copyOfRange(STREAM, sent, sent + 1460)).build());
                    sent += 1460;
                }
                h.pump();
                h.drain();
                int avail = c.socket.available();
                assertTrue(avail <= RCV_BUF, "more readable than the receive buffer: " + avail);
                if (avail > 0) {
                    int n = c.socket.read(buf, 0, Math.min(avail, buf.length), 1);
                    assertArrayEquals(Arrays.copyOfRange(STREAM, read, read + n), Arrays.copyOf(buf, n), "bytes read at " + read);
                    read += n;
                    sent = Math.max(sent, read); // the held out-of-order data may have moved RCV.NXT ahead
                    sent = Math.max(sent, c.socket.info().rcvNxt() - c.peerIsn1);
                }
            }
            assertTrue(read >= 1 << 20, "the connection recovered: " + read + " bytes read");
            assertEquals(0, h.stack.stats().internalErrors());
            String figure = String.format("out-of-order flood: %d segments never filling the gap, receive queue max %d B, "
                    + "window <= %d B; afterwards 1 MiB read in order; drops %s", segments, maxQueue, RCV_BUF, h.stack.stats().drops());
            System.out.println(figure);
            Reliability.record(figure);
        }
    }
}
