package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receive- and send-buffer autotuning (issue 7), packet in / packet out on virtual time. The peer is
 * played by the test as a window-limited sender over a path of {@link #RTT}: each round it sends
 * everything our last ACK's window allows, its segments echoing the TSval of that ACK (one round trip
 * old), and the application reads (or not) as the data arrives.
 */
class AutoTuningTest {
    static final Duration RTT = Duration.ofMillis(20);
    static final int PEER_WSCALE = 7;
    static final int PAYLOAD = 1448; // 1460 − 12 bytes of timestamps: full-sized

    /** The remote sender and the checks every ACK of ours must pass. */
    static final class Peer {
        final TcpHarness h;
        final int ourShift;
        int nextSeq = REMOTE + 1;        // relative to the peer's ISS
        int tsVal = 5000;
        TcpSegment lastAck;
        long maxEdge = Long.MIN_VALUE;   // right edge we advertised, relative (never moves left)
        boolean strict = true;           // false: with a full buffer, rounding may lose < 2^shift
        int roundedDown;                 // ACKs whose edge fell short of the furthest one, by < 2^shift
        final byte[] sink = new byte[64 * 1024];
        long bytesRead;
        final List<Long> windows = new ArrayList<>(); // our window at the end of each round

        Peer(TcpConfig config, boolean timestamps) {
            h = TcpHarness.closed(config);
            h.c.connect(h.now);
            h.localIss = h.c.info().sndUna();
            h.poll();
            TcpSegment syn = h.expect(seg().syn().seq(LOCAL).mss(config.mss()));
            TcpOptions o = TcpOptions.NONE.withWindowScale(PEER_WSCALE);
            if (timestamps) o = o.withTimestamps(tsVal++, syn.options().tsVal());
            h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).window(65535).mss(1460).options(o));
            lastAck = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).anyOptions());
            ourShift = h.c.receiveWindowScale();
            checkEdge(lastAck);
        }

        long edgeOf(TcpSegment ack) {
            return (ack.ack() - h.remoteIss) + ((long) ack.window() << ourShift);
        }

        void checkEdge(TcpSegment s) {
            long e = edgeOf(s);
            // RFC 9293 §3.8.6 SHLD-14: "A TCP receiver SHOULD NOT shrink the window, i.e., move the right
            // window edge to the left". Only the scaled field's rounding may, with the buffer full
            // (RFC 7323 §2.4), and by less than its granularity.
            if (e < maxEdge) {
                assertTrue(!strict && maxEdge - e < 1L << ourShift, "right edge moved left: " + maxEdge + " -> " + e);
                roundedDown++;
            }
            maxEdge = Math.max(maxEdge, e);
        }

        void collect() {
            for (TcpSegment s : h.drain()) {
                checkEdge(s);
                lastAck = s;
            }
        }

        /** One data segment of {@code len} bytes at the next sequence number, echoing {@code echo}. */
        void send(int len, Integer echo) {
            TcpOptions o = echo == null ? TcpOptions.NONE : TcpOptions.NONE.withTimestamps(tsVal++, echo);
            ByteBuffer p = ByteBuffer.wrap(new byte[len]);
            h.c.onSegment(new TcpSegment(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, h.remoteIss + nextSeq,
                    h.localIss + LOCAL + 1, TcpHeader.FLAG_ACK, 1000, 0, o, p), h.now);
            nextSeq += len;
        }

        void read() {
            int n;
            while ((n = h.c.read(sink, 0, sink.length, h.now)) > 0) bytesRead += n;
        }

        /**
         * One round trip: time moves on by the RTT, then the peer fills the window of our last ACK; the
         * application reads after every segment when {@code appReads}.
         */
        void round(boolean appReads, Random sizes) {
            h.advance(RTT);
            collect();
            Integer echo = lastAck.options().hasTimestamps() ? lastAck.options().tsVal() : null;
            long edge = edgeOf(lastAck);
            while (edge - nextSeq > 0) {
                int len = (int) Math.min(edge - nextSeq, sizes == null ? PAYLOAD : 1 + sizes.nextInt(PAYLOAD));
                send(len, echo);
                if (appReads) read();
                h.poll();
                collect();
            }
            windows.add(edgeOf(lastAck) - (lastAck.ack() - h.remoteIss));
        }

        /** The peer's view of the window ends where our ACK put it; we never drop what it may send. */
        void sendToFurthestEdge() {
            Integer echo = lastAck.options().hasTimestamps() ? lastAck.options().tsVal() : null;
            while (maxEdge - nextSeq > 0) {
                send((int) Math.min(maxEdge - nextSeq, PAYLOAD), echo);
                h.poll();
                collect();
            }
        }
    }

    static TcpConfig config() {
        return TcpConfig.DEFAULT;
    }

    // ------------------------------------------------------------------ receive autotuning

    @Test
    void windowGrowsAcrossRttsWhileTheAppReadsAndStopsAtTheCap() {
        Peer p = new Peer(config(), true);
        int initial = TcpConfig.DEFAULT.receiveBufferSize();
        int cap = TcpConfig.DEFAULT.maxReceiveBufferSize();
        assertEquals(7, p.ourShift, "the shift covers the 6 MiB cap");
        assertEquals(initial >> 7, p.lastAck.window(), "the first window is the initial buffer");
        for (int i = 0; i < 12; i++) p.round(true, null);
        assertEquals(cap, p.h.c.receiveBufferSize(), "grown to the cap: " + p.windows);
        assertTrue(p.h.c.receiverRttNanos() >= RTT.toNanos() && p.h.c.receiverRttNanos() < 2 * RTT.toNanos(),
                "receiver RTT from the echoed timestamps: " + p.h.c.receiverRttNanos());
        // The window at least doubled every two rounds (one RTT to measure the faster reading, one for
        // the larger window to reach the sender and be used) until it reached the cap, then stayed.
        int atCap = -1;
        for (int i = 1; i < p.windows.size(); i++) {
            if (atCap < 0 && p.windows.get(i) >= cap - 128) atCap = i;
            if (atCap < 0 && i >= 2) {
                assertTrue(p.windows.get(i) >= 2 * p.windows.get(i - 2), "round " + i + ": " + p.windows);
            }
        }
        assertTrue(atCap > 0 && atCap <= 6, "reaches the cap within a few RTTs: " + p.windows);
        for (int i = atCap; i < p.windows.size(); i++) {
            assertTrue(p.windows.get(i) <= cap + 128 && p.windows.get(i) >= cap - 128, "stays at the cap: " + p.windows);
        }
        assertTrue(p.h.c.bufferMemory() <= 8 << 20, "the ring holds the cap, rounded to a power of two");
    }

    @Test
    void nothingGrowsWhenTheAppDoesNotRead() {
        Peer p = new Peer(config(), true);
        p.strict = false;
        int initial = TcpConfig.DEFAULT.receiveBufferSize();
        for (int i = 0; i < 6; i++) p.round(false, null);
        p.sendToFurthestEdge();
        assertEquals(0, p.h.c.trimmedBytes(), "everything within the furthest edge ever advertised was taken");
        assertEquals(initial, p.h.c.receiveBufferSize());
        assertEquals(0, p.h.c.receiveBufferGrowths());
        assertEquals(0, p.lastAck.window(), "the buffer is full: zero window");
        assertEquals(initial, p.h.c.readable(), "exactly the buffer was taken");
        assertTrue(p.h.c.bufferMemory() <= initial, "no more memory than the initial buffer");
        // Reading now (one RTT later than the last measurement) grows nothing either: one buffer per
        // six RTTs is not faster than before.
        p.read();
        assertEquals(initial, p.h.c.receiveBufferSize());
    }

    @Test
    void slowReaderGrowsOnlyToWhatItReads() {
        // The application reads 32 KiB per RTT while the sender could go much faster: after the first
        // measurement (which compares with the peer's 10-segment initial window) nothing grows.
        Peer p = new Peer(config(), true);
        p.strict = false; // the buffer fills: rounding may lose less than 2^7 there
        byte[] b = new byte[32 * 1024];
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            p.round(false, null);
            p.h.c.read(b, 0, b.length, p.h.now);
            p.h.poll();
            p.collect();
            sizes.add(p.h.c.receiveBufferSize());
        }
        assertTrue(sizes.get(9) < 512 * 1024, "" + sizes);
        assertEquals(sizes.get(3), sizes.get(9), "no growth after the first RTTs: " + sizes);
    }

    @Test
    void withoutTimestampsTheTimeToReceiveAWindowIsTheRtt() {
        Peer p = new Peer(config(), false);
        assertFalse(p.h.c.timestampsEnabled());
        for (int i = 0; i < 12; i++) p.round(true, null);
        assertEquals(TcpConfig.DEFAULT.maxReceiveBufferSize(), p.h.c.receiveBufferSize(), "windows " + p.windows);
        assertEquals(RTT.toNanos(), p.h.c.receiverRttNanos());
    }

    @Test
    void explicitReceiveBufferStopsAutotuning() {
        Peer p = new Peer(config(), true);
        p.h.c.setReceiveBufferSize(256 * 1024);
        assertTrue(p.h.c.receiveBufferLocked());
        for (int i = 0; i < 8; i++) p.round(true, null);
        assertEquals(256 * 1024, p.h.c.receiveBufferSize());
        for (long w : p.windows) assertTrue(w <= 256 * 1024, "window within SO_RCVBUF: " + p.windows);
        assertEquals(256 * 1024, p.windows.get(p.windows.size() - 1));
    }

    @Test
    void shrinkingAGrownBufferNeverMovesTheRightEdgeLeft() {
        Peer p = new Peer(config(), true);
        for (int i = 0; i < 6; i++) p.round(true, null);
        assertTrue(p.h.c.receiveBufferSize() > 1 << 20);
        // SO_RCVBUF lowered mid-transfer: what was advertised stays (Peer checks every ACK); the window
        // closes as data arrives, then settles at the new size.
        p.h.c.setReceiveBufferSize(64 * 1024);
        p.strict = false; // ... beyond the now smaller buffer, rounding may lose less than 2^7
        for (int i = 0; i < 4; i++) p.round(true, null);
        assertEquals(64 * 1024, p.windows.get(p.windows.size() - 1));
    }

    @Test
    void rightEdgeNeverMovesLeftWithOddSizesAndReads() {
        // Segment sizes and reads that are not multiples of 2^shift: rounding the scaled window down
        // must not pull the edge back (RFC 7323 §2.3 loses the low bits).
        Random rnd = new Random(7);
        Peer p = new Peer(config(), true);
        p.strict = false; // the buffer fills: rounding may lose less than 2^7 there
        byte[] b = new byte[5000];
        for (int i = 0; i < 40; i++) {
            p.round(false, rnd);
            for (int k = rnd.nextInt(40); k > 0; k--) p.h.c.read(b, 0, 1 + rnd.nextInt(b.length), p.h.now);
            p.h.poll();
            p.collect();
        }
        p.sendToFurthestEdge();
        assertTrue(p.maxEdge > 0);
        // ... and the peer never had to be trimmed: everything it sent fitted the edges we advertised.
        assertEquals(0, p.h.c.trimmedBytes());
    }

    @Test
    void tinySegmentsCannotPushTheEdgeBeyondTheBuffer() {
        // A peer sending 1-byte segments while the application reads nothing: were the scaled window
        // always rounded up to keep the edge, each ACK would move it one byte further and the window
        // would never close (unbounded memory). It closes, at the buffer.
        TcpConfig small = TcpConfig.DEFAULT.toBuilder().receiveBufferSize(4096).build();
        Peer p = new Peer(small, true);
        p.strict = false;
        p.h.c.setNoDelay(true);
        Integer echo = p.lastAck.options().tsVal();
        for (int i = 0; i < 6000 && p.maxEdge - p.nextSeq > 0; i++) {
            p.send(1, echo);
            p.h.now += 1_000_000; // a millisecond apart: every segment is acknowledged (delayed ACK timer)
            p.h.advance(Duration.ofMillis(200));
            p.collect();
        }
        assertEquals(4096, p.h.c.readable(), "exactly the buffer");
        assertEquals(0, p.lastAck.window());
        assertTrue(p.h.c.bufferMemory() <= 4096, "" + p.h.c.bufferMemory());
    }

    @Test
    void withoutWindowScalingNothingGrowsPast64KiB() {
        TcpHarness h = TcpHarness.established(); // the SYN-ACK carried no window scale
        assertEquals(0, h.c.receiveWindowScale());
        byte[] b = new byte[70_000];
        int seq = REMOTE + 1;
        for (int round = 0; round < 10; round++) {
            h.advance(RTT);
            h.drain();
            for (int k = 0; k < 40; k++) {
                h.deliver(seg().ack(LOCAL + 1).seq(seq).len(PAYLOAD).payload(new byte[PAYLOAD]));
                seq += PAYLOAD;
                h.c.read(b, 0, b.length, h.now);
            }
        }
        assertEquals(TcpConfig.DEFAULT.receiveBufferSize(), h.c.receiveBufferSize(),
                "the 16-bit window cannot say more than 65535 anyway");
        assertEquals(0, h.c.receiveBufferGrowths());
        assertEquals(0, h.c.trimmedBytes());
    }

    @Test
    void windowScaleCoversTheConfiguredCap() {
        TcpConfig big = TcpConfig.DEFAULT.toBuilder().maxReceiveBufferSize(24 << 20).build();
        var h = TcpHarness.closed(big);
        h.c.connect(h.now);
        h.poll();
        assertEquals(9, h.drain().get(0).options().windowScale(), "65535 << 9 covers 24 MiB, << 8 does not");
        var d = TcpHarness.closed(TcpConfig.DEFAULT);
        d.c.connect(d.now);
        d.poll();
        assertEquals(7, d.drain().get(0).options().windowScale(), "the default cap, 6 MiB, needs 7 as Linux offers");
    }

    // ------------------------------------------------------------------ memory

    @Test
    void idleConnectionsAllocateNoBuffers() {
        TcpHarness h = TcpHarness.established();
        assertEquals(0, h.c.bufferMemory());
        Peer p = new Peer(config(), true);
        p.h.advance(Duration.ofSeconds(10));
        assertEquals(0, p.h.c.bufferMemory(), "established, scaled, timestamps: still nothing allocated");
        assertEquals(0, p.h.c.receiverRttNanos(), "no tuner before data");
    }

    // ------------------------------------------------------------------ send autotuning

    /**
     * {@code rounds} round trips of a bulk writer: the application writes as much as the connection
     * takes, and a round trip later the peer acknowledges every second segment sent (as a delayed-ACK
     * receiver does), which clocks out the next flight.
     */
    static void pump(FastTcpTest.Ts t, int rounds, List<Integer> sizes) {
        pump(t, rounds, sizes, 65535);
    }

    static void pump(FastTcpTest.Ts t, int rounds, List<Integer> sizes, int windowField) {
        TcpHarness h = t.h;
        byte[] chunk = new byte[1 << 20];
        List<TcpSegment> flight = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            while (h.c.write(chunk, 0, chunk.length, h.now) > 0) { }
            sizes.add(h.c.sendBufferSize());
            h.poll();
            flight.addAll(h.drain());
            h.now += RTT.toNanos();
            List<TcpSegment> next = new ArrayList<>();
            for (int i = 1; i < flight.size(); i += 2) {
                TcpSegment s = flight.get(i);
                int end = s.seq() - h.localIss + s.payloadLength();
                h.deliver(seg().ack(end).seq(REMOTE + 1).window(windowField).options(t.ts(2000 + r)));
                while (h.c.write(chunk, 0, chunk.length, h.now) > 0) { }
                h.poll();
                next.addAll(h.drain());
            }
            flight = next;
        }
    }

    @Test
    void sendBufferGrowsWithTheCongestionWindowUpToTheCap() {
        var t = new FastTcpTest.Ts(TcpConfig.DEFAULT, PEER_WSCALE, FastTcpTest.PEER_TS);
        List<Integer> sizes = new ArrayList<>();
        pump(t, 14, sizes);
        int cap = TcpConfig.DEFAULT.maxSendBufferSize();
        int cwnd = t.h.c.congestionControl().cwnd();
        assertTrue(sizes.get(0) >= TcpConfig.DEFAULT.sendBufferSize(), "" + sizes);
        for (int i = 1; i < sizes.size(); i++) {
            assertTrue(sizes.get(i) >= sizes.get(i - 1), "never shrinks: " + sizes);
            assertTrue(sizes.get(i) <= cap, "within the cap: " + sizes);
        }
        assertTrue(sizes.get(sizes.size() - 1) >= Math.min(cap, 2 * cwnd) - 10 * 1460
                        || sizes.get(sizes.size() - 1) == cap,
                "about twice cwnd " + cwnd + ": " + sizes);
        assertTrue(sizes.get(sizes.size() - 1) > 1 << 20, "grew well past the initial 256 KiB: " + sizes);
    }

    @Test
    void sendBufferFollowsTheReceiversWindowWhenThatIsSmaller() {
        // The peer's window field 512 << 7 = 64 KiB: however large cwnd is, no more than that can be in
        // flight, so the buffer (initially 64 KiB here) grows to twice that and no further.
        TcpConfig cfg = TcpConfig.DEFAULT.toBuilder().sendBufferSize(64 * 1024).build();
        var t = new FastTcpTest.Ts(cfg, PEER_WSCALE, FastTcpTest.PEER_TS);
        List<Integer> sizes = new ArrayList<>();
        pump(t, 14, sizes, 512);
        int cwnd = t.h.c.congestionControl().cwnd();
        assertTrue(cwnd > 96 * 1024, "cwnd large enough that 2 x cwnd would exceed 192 KiB: " + cwnd);
        assertEquals(2 * 64 * 1024, sizes.get(sizes.size() - 1), "" + sizes);
    }

    @Test
    void explicitSendBufferIsRespected() {
        var t = new FastTcpTest.Ts(TcpConfig.DEFAULT, PEER_WSCALE, FastTcpTest.PEER_TS);
        t.h.c.setSendBufferSize(100_000);
        assertTrue(t.h.c.sendBufferLocked());
        List<Integer> sizes = new ArrayList<>();
        pump(t, 8, sizes);
        for (int s : sizes) assertEquals(100_000, s);
        assertTrue(t.h.c.sendQueue() <= 100_000);
    }

    @Test
    void shrinkingTheSendBufferNeverDropsQueuedData() {
        var t = new FastTcpTest.Ts(TcpConfig.DEFAULT, PEER_WSCALE, FastTcpTest.PEER_TS);
        TcpHarness h = t.h;
        byte[] data = new byte[200_000];
        int n = h.c.write(data, 0, data.length, h.now);
        assertEquals(200_000, n);
        h.c.setSendBufferSize(50_000);
        assertEquals(200_000, h.c.sendQueue(), "queued data stays");
        assertEquals(0, h.c.writableSpace(), "no room until the queue drains below the new size");
        h.poll();
        List<TcpSegment> out = h.drain();
        assertFalse(out.isEmpty());
        int top = 0;
        for (TcpSegment s : out) top = Math.max(top, s.seq() - h.localIss + s.payloadLength());
        h.deliver(seg().ack(top).seq(REMOTE + 1).window(65535).options(t.ts(3000)));
        assertEquals(Math.max(0, 50_000 - h.c.sendQueue()), h.c.writableSpace());
    }
}
