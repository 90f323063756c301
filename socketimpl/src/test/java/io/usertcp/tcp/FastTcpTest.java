package io.usertcp.tcp;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 7323 window scaling, timestamps and PAWS (CONFORMANCE C1.11, C2.11, C2.17), packet in / packet out
 * through {@link TcpHarness}. The peer's timestamps are small numbers chosen by the test; ours come
 * from the connection's millisecond clock and are read off the segments it sends.
 */
class FastTcpTest {
    static final int PEER_TS = 1000;

    /** Active open where both SYNs carry window scale and timestamps. */
    static final class Ts {
        final TcpHarness h;
        final TcpSegment ourSyn;
        final TcpSegment ourAck;

        Ts(TcpConfig config, int peerWscale, int peerTs) {
            this(config, peerWscale, peerTs, false);
        }

        Ts(TcpConfig config, int peerWscale, int peerTs, boolean peerSack) {
            this(config, peerWscale, peerTs, peerSack, TcpHarness.DEFAULT_REMOTE_ISS);
        }

        Ts(TcpConfig config, int peerWscale, int peerTs, boolean peerSack, int remoteIss) {
            h = TcpHarness.closed(config);
            h.remoteIss = remoteIss;
            h.c.connect(h.now);
            h.localIss = h.c.info().sndUna();
            h.poll();
            ourSyn = h.expect(seg().syn().seq(LOCAL).mss(config.mss()));
            TcpOptions o = TcpOptions.NONE.withTimestamps(peerTs, ourSyn.options().tsVal());
            if (peerWscale >= 0) o = o.withWindowScale(peerWscale);
            if (peerSack) o = o.withSackPermitted(true);
            h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).window(65535).mss(1460).options(o));
            ourAck = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).anyOptions());
            assertEquals(TcpState.ESTABLISHED, h.state());
        }

        /** Peer segment options: TSval {@code val}, echoing our TSval of now. */
        TcpOptions ts(int val) {
            // Our TSval clock ticks in ms from the value on the ACK we sent at START.
            int ours = ourAck.options().tsVal() + (int) ((h.now - TcpHarness.START) / TimestampState.NANOS_PER_TICK);
            return TcpOptions.NONE.withTimestamps(val, ours);
        }
    }

    static TcpConfig noDelay() {
        return TcpConfig.DEFAULT.toBuilder().noDelay(true).build();
    }

    // ------------------------------------------------------------------ C1.11

    @Test
    void C1_11_synAckOmitsOptionsTheSynLacked() {
        var listener = new TcpListener(TcpConfig.DEFAULT, 80, 8, TcpEventListener.NONE, new IsnGenerator(1, 2),
                new AtomicLong()::getAndIncrement);
        var key = new ConnectionKey(1, 80, 2, 5000);
        var child = listener.onSegment(new TcpSegment(5000, 80, 7, 0, TcpHeader.FLAG_SYN, 65535, 0,
                TcpOptions.NONE.withMss(1460), ByteBuffer.allocate(0)), key, 0, (k, s) -> { });
        List<TcpSegment> out = new ArrayList<>();
        child.poll(0, (from, s) -> out.add(s));
        TcpSegment synAck = out.get(0);
        assertEquals(1460, synAck.options().mss());
        assertEquals(-1, synAck.options().windowScale(), "no WS unless the SYN offered it");
        assertFalse(synAck.options().hasTimestamps(), "no TS unless the SYN offered it");
        assertFalse(synAck.options().sackPermitted());
        assertEquals(65535, synAck.window());
        assertEquals(0, child.receiveWindowScale());
    }

    @Test
    void C1_11_listenerNegotiatesAndScalesOnlyAfterTheSyn() {
        // Receive buffer 4 MiB: the SYN-ACK's window field still says 65535 (never scaled, RFC 7323
        // §2.2); the ACKs after it carry the buffer shifted right by our scale.
        TcpConfig cfg = TcpConfig.DEFAULT.toBuilder().receiveBufferSize(4 << 20).build();
        var listener = new TcpListener(cfg, 80, 8, TcpEventListener.NONE, new IsnGenerator(1, 2),
                new AtomicLong()::getAndIncrement);
        var key = new ConnectionKey(1, 80, 2, 5000);
        var offered = TcpOptions.NONE.withMss(1460).withWindowScale(3).withTimestamps(555, 0);
        var child = listener.onSegment(new TcpSegment(5000, 80, 7, 0, TcpHeader.FLAG_SYN, 65535, 0, offered,
                ByteBuffer.allocate(0)), key, 0, (k, s) -> { });
        List<TcpSegment> out = new ArrayList<>();
        child.poll(0, (from, s) -> out.add(s));
        TcpSegment synAck = out.remove(0);
        assertEquals(7, synAck.options().windowScale(), "shift covering 6 MiB, as Linux");
        assertEquals(555, synAck.options().tsEcr(), "the SYN-ACK echoes the SYN's TSval");
        assertEquals(65535, synAck.window());
        // The ACK completing the handshake: its window field is scaled by the peer's shift 3.
        child.onSegment(new TcpSegment(5000, 80, 8, synAck.seq() + 1, TcpHeader.FLAG_ACK, 100, 0,
                TcpOptions.NONE.withTimestamps(556, synAck.options().tsVal()), ByteBuffer.allocate(0)), 0);
        assertEquals(TcpState.ESTABLISHED, child.state());
        assertEquals(800, child.info().sndWnd(), "100 << 3");
        assertEquals(3, child.sendWindowScale());
        assertEquals(7, child.receiveWindowScale());
        // Data in: the ACK for it advertises (4 MiB - 1) >> 7 and echoes TSval 557.
        child.onSegment(new TcpSegment(5000, 80, 8, synAck.seq() + 1, TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH,
                100, 0, TcpOptions.NONE.withTimestamps(557, synAck.options().tsVal()),
                ByteBuffer.wrap(TcpHarness.bytes(3000, 1))), 0);
        child.poll(0, (from, s) -> out.add(s));
        assertEquals(1, out.size(), "out-of-MSS-size data is acked at once (2 full segments' worth)");
        TcpSegment ack = out.get(0);
        assertEquals(((4 << 20) - 3000) >> 7, ack.window());
        assertEquals(557, ack.options().tsEcr());
    }

    // ------------------------------------------------------------------ C2.11 negotiation

    @Test
    void C2_11_activeOpenOffersWindowScaleAndTimestamps() {
        var h = TcpHarness.closed();
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        h.poll();
        TcpSegment syn = h.expect(seg().syn().seq(LOCAL).mss(1460));
        assertEquals(7, syn.options().windowScale());
        assertTrue(syn.options().hasTimestamps());
        assertEquals(0, syn.options().tsEcr(), "RFC 7323 §3.2: TSecr is 0 in a SYN");
        assertEquals(65535, syn.window(), "the window of a SYN is never scaled");
        assertTrue(syn.options().sackPermitted(), "RFC 2018 SACK-permitted offered");
    }

    @Test
    void C2_11_bothWaysScaledAndPayloadShortenedByTimestamps() {
        var t = new Ts(noDelay(), 2, PEER_TS);
        var h = t.h;
        assertEquals(2, h.c.sendWindowScale());
        assertEquals(7, h.c.receiveWindowScale());
        assertTrue(h.c.timestampsEnabled());
        // Our ACK: the initial receive buffer >> 7; echoes the SYN-ACK's TSval.
        assertEquals(TcpConfig.DEFAULT.receiveBufferSize() >> 7, t.ourAck.window());
        assertEquals(PEER_TS, t.ourAck.options().tsEcr());
        // The peer's window field 1000 means 4000 bytes (<< 2): two full segments of 1448 go out — C2.17:
        // 1448 + 12 bytes of timestamps = the 1460 MSS — and the 1104 left of the window wait (sender
        // SWS avoidance against the 65535 the SYN-ACK offered). Unscaled, 1000 bytes would send nothing.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).window(1000).options(t.ts(PEER_TS + 1)));
        h.expectNothing();
        assertEquals(4000, h.c.info().sndWnd());
        h.write(TcpHarness.bytes(10_000, 3));
        List<TcpSegment> sent = h.drain();
        int total = 0;
        for (TcpSegment s : sent) {
            assertTrue(s.options().hasTimestamps(), "TSopt on every segment once negotiated");
            assertTrue(s.payloadLength() + s.options().length() <= 1460, "C2.17 " + s);
            assertEquals(PEER_TS + 1, s.options().tsEcr());
            total += s.payloadLength();
        }
        assertEquals(1448, sent.get(0).payloadLength());
        assertEquals(2 * 1448, total);
    }

    @Test
    void C2_11_notNegotiatedWhenThePeerLacksThem() {
        var h = TcpHarness.established(noDelay()); // the SYN-ACK carries only MSS
        assertEquals(0, h.c.sendWindowScale());
        assertEquals(0, h.c.receiveWindowScale());
        assertFalse(h.c.timestampsEnabled());
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).window(3000));
        h.write(TcpHarness.bytes(5000, 1));
        // Unscaled 3000-byte window, full 1460-byte segments, no options at all.
        h.expectNext(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(1460).window(65535));
        h.expectNext(seg().ack().seq(LOCAL + 1461).ack(REMOTE + 1).len(1460).window(65535));
        h.expectNothing();
    }

    @Test
    void C2_11_notNegotiatedWhenWeDisableThem() {
        TcpConfig off = TcpConfig.DEFAULT.toBuilder().windowScaling(false).timestamps(false).build();
        var h = TcpHarness.closed(off);
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        h.poll();
        TcpSegment syn = h.expect(seg().syn().seq(LOCAL).mss(1460));
        assertEquals(-1, syn.options().windowScale());
        assertFalse(syn.options().hasTimestamps());
        // A SYN-ACK carrying them anyway (a broken peer) negotiates nothing.
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460)
                .options(TcpOptions.NONE.withWindowScale(5).withTimestamps(9, 9)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).window(65535));
        assertEquals(0, h.c.sendWindowScale());
        assertFalse(h.c.timestampsEnabled());
    }

    @Test
    void C2_11_windowScaleWithoutTimestampsAndViceVersa() {
        // Peer offers TS but no WS: TS on, no scaling.
        var t = new Ts(TcpConfig.DEFAULT, -1, PEER_TS);
        assertTrue(t.h.c.timestampsEnabled());
        assertEquals(0, t.h.c.receiveWindowScale());
        assertEquals(65535, t.ourAck.window(), "without scaling the window is capped at 65535");
        // Peer offers WS but no TS.
        var h = TcpHarness.closed();
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        h.poll();
        h.expect(seg().syn().seq(LOCAL).mss(1460));
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460).options(TcpOptions.NONE.withWindowScale(0)));
        TcpSegment ack = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpConfig.DEFAULT.receiveBufferSize() >> 7, ack.window());
        assertFalse(h.c.timestampsEnabled());
    }

    // ------------------------------------------------------------------ C2.11 PAWS and TS.Recent

    @Test
    void C2_11_pawsDropsOldSegmentAndAcks() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS);
        var h = t.h;
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("abc").options(t.ts(PEER_TS + 1)));
        h.expectNothing(); // delayed ACK
        // An old duplicate from a previous wrap of the sequence space: TSval below TS.Recent.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 4).payload("XYZ").options(t.ts(PEER_TS - 5)));
        TcpSegment ack = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 4).anyOptions());
        assertEquals(PEER_TS + 1, ack.options().tsEcr(), "TS.Recent was not moved back");
        assertEquals(1, h.c.drops(DropReason.TCP_PAWS));
        assertEquals(1, h.c.pawsDrops());
        assertEquals("abc", h.read(100));
        // The same bytes with a current timestamp are taken.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 4).payload("def").options(t.ts(PEER_TS + 2)));
        assertEquals("def", h.read(100));
        // A RST is never dropped by PAWS (RFC 7323 §5.3 R1: "if the RST bit is not set").
        h.deliver(seg().rst().ack(LOCAL + 1).seq(REMOTE + 7).options(t.ts(PEER_TS - 100)));
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.RESET, h.c.error());
    }

    @Test
    void C2_11_pawsComparesTimestampsAcrossTheWrap() {
        int nearWrap = 0xFFFF_FF00;
        var t = new Ts(TcpConfig.DEFAULT, 0, nearWrap);
        var h = t.h;
        // 0x10 is 0x110 ticks after 0xFFFFFF00: newer, accepted.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("a").options(t.ts(0x10)));
        assertEquals("a", h.read(10));
        h.drain();
        // 0xFFFFFF80 is before 0x10 now: rejected.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).payload("b").options(t.ts(0xFFFF_FF80)));
        assertEquals(1, h.c.drops(DropReason.TCP_PAWS));
        assertEquals("", h.read(10));
    }

    @Test
    void C2_11_tsRecentOnlyFromSegmentsAtOrBeforeLastAckSent() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS);
        var h = t.h;
        // Out of order (beyond Last.ACK.sent = REMOTE+1): its TSval must not become TS.Recent.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 101).payload("later").options(t.ts(PEER_TS + 50)));
        TcpSegment dup = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).anyOptions());
        assertEquals(PEER_TS, dup.options().tsEcr(), "RFC 7323 §4.3: the echo stays at the in-order TSval");
        // Filling the hole: the segment at Last.ACK.sent is recorded.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(new String(new char[100]).replace('\0', 'x'))
                .options(t.ts(PEER_TS + 60)));
        TcpSegment ack = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 106).anyOptions());
        assertEquals(PEER_TS + 60, ack.options().tsEcr());
    }

    // ------------------------------------------------------------------ C2.11 RTT measurement

    @Test
    void C2_11_rttMeasuredFromTimestampEchoEvenForARetransmission() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS);
        var h = t.h;
        // The SYN-ACK echoed our SYN at once: a 0 ms sample, SRTT 0.
        assertEquals(0, h.c.info().srttNanos());
        h.write("hello");
        TcpSegment first = h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("hello").anyOptions());
        h.advance(Duration.ofSeconds(1)); // RTO: retransmitted
        TcpSegment again = h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("hello").anyOptions());
        assertEquals(1000, again.options().tsVal() - first.options().tsVal(), "TSval ticks in milliseconds");
        h.advance(Duration.ofMillis(30));
        // The ACK echoes the retransmission: a 30 ms sample Karn's rule would have refused without TS.
        h.deliver(seg().ack(LOCAL + 6).seq(REMOTE + 1)
                .options(TcpOptions.NONE.withTimestamps(PEER_TS + 1, again.options().tsVal())));
        h.expectNothing();
        // RFC 6298 §2.3 after samples 0 then 30 ms: SRTT = 30/8 ms, RTTVAR = 30/4 ms.
        assertEquals(3_750_000L, h.c.info().srttNanos());
        assertEquals(7_500_000L, h.c.info().rttvarNanos());
    }

    @Test
    void C2_11_duplicateAckGivesNoRttSample() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS);
        var h = t.h;
        h.write("hello");
        TcpSegment first = h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("hello").anyOptions());
        h.advance(Duration.ofMillis(200));
        // A window update acknowledging nothing new, echoing the data segment: no sample (RFC 7323 §4.2).
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).window(60000)
                .options(TcpOptions.NONE.withTimestamps(PEER_TS + 1, first.options().tsVal())));
        assertEquals(0, h.c.info().srttNanos());
    }

    // ------------------------------------------------------------------ C2.12 SACK, receiver side

    /** The SACK blocks of {@code s} as data offsets from the peer's first byte (REMOTE + 1). */
    static long[] blocks(TcpHarness h, TcpSegment s) {
        int[] b = s.options().sackBlocks();
        long[] r = new long[b.length];
        for (int i = 0; i < b.length; i++) r[i] = io.usertcp.wire.Seq.diff(b[i], h.remoteIss + 1);
        return r;
    }

    TcpSegment oooAck(TcpHarness h, Ts t, int off, int len) {
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + off).payload(TcpHarness.bytes(len, off)).options(t.ts(PEER_TS)));
        return h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).anyOptions());
    }

    @Test
    void C2_12_receiverReportsBlocksMostRecentFirst() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS, true);
        var h = t.h;
        assertTrue(h.c.sackEnabled());
        assertArrayEquals(new long[] {1000, 1100}, blocks(h, oooAck(h, t, 1000, 100)));
        assertArrayEquals(new long[] {2000, 2100, 1000, 1100}, blocks(h, oooAck(h, t, 2000, 100)));
        assertArrayEquals(new long[] {3000, 3100, 2000, 2100, 1000, 1100}, blocks(h, oooAck(h, t, 3000, 100)));
        // RFC 2018 §4: the block holding the segment that triggered the ACK comes first (here grown).
        assertArrayEquals(new long[] {1000, 1200, 3000, 3100, 2000, 2100}, blocks(h, oooAck(h, t, 1100, 100)));
        // With timestamps only 3 blocks fit (40 option bytes): the least recent one is left out.
        TcpSegment four = oooAck(h, t, 4000, 100);
        assertArrayEquals(new long[] {4000, 4100, 1000, 1200, 3000, 3100}, blocks(h, four));
        assertTrue(four.options().length() <= 40);
        // Filling the first hole acknowledges up to 1200; the others are still reported.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(TcpHarness.bytes(1000, 0)).options(t.ts(PEER_TS)));
        TcpSegment ack = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1201).anyOptions());
        assertArrayEquals(new long[] {4000, 4100, 3000, 3100, 2000, 2100}, blocks(h, ack));
    }

    @Test
    void C2_16_sackBlocksAcrossTheSequenceWrap() {
        // The peer's first data byte is 2^32 − 1500: blocks at +1000 and +2500 straddle and pass the wrap.
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS, true, -1501);
        var h = t.h;
        TcpSegment a = oooAck(h, t, 1000, 1000);
        assertArrayEquals(new int[] {-500, 500}, a.options().sackBlocks(), "wire values wrap");
        assertArrayEquals(new long[] {2500, 2600, 1000, 2000}, blocks(h, oooAck(h, t, 2500, 100)));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(TcpHarness.bytes(1000, 0)).options(t.ts(PEER_TS)));
        TcpSegment ack = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2001).anyOptions());
        assertEquals(500, ack.ack());
        assertArrayEquals(new long[] {2500, 2600}, blocks(h, ack));
    }

    @Test
    void C2_12_fourBlocksWithoutTimestamps() {
        TcpConfig noTs = TcpConfig.DEFAULT.toBuilder().timestamps(false).build();
        var h = TcpHarness.closed(noTs);
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        h.poll();
        TcpSegment syn = h.expect(seg().syn().seq(LOCAL).mss(1460));
        assertTrue(syn.options().sackPermitted());
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(1460).options(TcpOptions.NONE.withSackPermitted(true)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        TcpSegment last = null;
        for (int i = 1; i <= 5; i++) {
            h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + 1000 * i).payload(TcpHarness.bytes(10, i)));
            last = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).anyOptions());
        }
        assertArrayEquals(new long[] {5000, 5010, 4000, 4010, 3000, 3010, 2000, 2010}, blocks(h, last));
    }

    @Test
    void C2_12_dsackReportsADuplicateOnce() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS, true);
        var h = t.h;
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("abcdef").options(t.ts(PEER_TS)));
        h.expectNothing(); // delayed
        // The same segment again (a spurious retransmission): RFC 2883 D-SACK block below the ACK.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("abcdef").options(t.ts(PEER_TS)));
        TcpSegment ack = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 7).anyOptions());
        assertArrayEquals(new long[] {0, 6}, blocks(h, ack));
        assertEquals(1, h.c.dsacksSent());
        // A partly duplicate segment: only the repeated part is D-SACKed, the new part is taken.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 5).payload("efgh").options(t.ts(PEER_TS)));
        h.advance(Duration.ofMillis(200));
        TcpSegment ack2 = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 9).anyOptions());
        assertArrayEquals(new long[] {4, 6}, blocks(h, ack2));
        // Reported once: the next ACK carries no SACK option.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 9).payload(TcpHarness.bytes(3000, 1)).options(t.ts(PEER_TS)));
        TcpSegment ack3 = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 3009).anyOptions());
        assertEquals(0, ack3.options().sackBlockCount());
        assertEquals("abcdefgh", h.read(8));
    }

    @Test
    void C2_12_noBlocksWhenThePeerDidNotPermitSack() {
        var t = new Ts(TcpConfig.DEFAULT, 0, PEER_TS, false);
        var h = t.h;
        assertFalse(h.c.sackEnabled());
        assertEquals(0, oooAck(h, t, 1000, 100).options().sackBlockCount());
    }

    @Test
    void C2_17_sackBlocksShortenTheDataWeSend() {
        var t = new Ts(noDelay(), 0, PEER_TS, true);
        var h = t.h;
        oooAck(h, t, 1000, 100);
        h.write(TcpHarness.bytes(3000, 9));
        TcpSegment first = h.drain().get(0);
        assertEquals(1, first.options().sackBlockCount());
        // 1460 − 12 (timestamps) − 12 (SACK with one block) = 1436.
        assertEquals(1436, first.payloadLength());
        assertEquals(1460, first.payloadLength() + first.options().length());
    }

    // ------------------------------------------------------------------ C2.12 SACK, sender side

    @Test
    void C2_12_senderRetransmitsOnlyTheHoles() {
        // 10 segments of 1448 in flight; the peer lost segments 2 and 5 (1-based) and SACKs the rest.
        // RFC 6675 loss detection alone (IsLost with DupThresh): RACK off.
        TcpConfig cfg = noDelay().toBuilder().initialWindowSegments(10).rack(false).congestionControl("reno").build();
        var t = new Ts(cfg, 0, PEER_TS, true);
        var h = t.h;
        int seg = 1448;
        h.write(TcpHarness.bytes(10 * seg, 4));
        List<TcpSegment> first = h.drain();
        assertEquals(10, first.size());
        int hole1 = 1 + seg, hole2 = 1 + 4 * seg;               // relative seqs of segments 2 and 5
        int end = 1 + 10 * seg;
        h.deliver(seg().ack(LOCAL + hole1).seq(REMOTE + 1).options(t.ts(PEER_TS))); // segment 1 arrived
        h.expectNothing();
        // Duplicate ACKs (ack = segment 2) as segments 3, 4, 6, 7, 8 arrive.
        int[][] sacked = {{hole1 + seg, hole1 + 2 * seg}, {hole1 + seg, hole2}, {hole2 + seg, hole2 + 2 * seg},
                {hole2 + seg, hole2 + 3 * seg}, {hole2 + seg, hole2 + 4 * seg}};
        List<List<TcpSegment>> sent = new ArrayList<>();
        for (int i = 0; i < sacked.length; i++) {
            int[] b = i < 2 ? new int[] {h.localIss + sacked[i][0], h.localIss + sacked[i][1]}
                    : new int[] {h.localIss + sacked[i][0], h.localIss + sacked[i][1], h.localIss + hole1 + seg, h.localIss + hole2};
            h.deliver(seg().ack(LOCAL + hole1).seq(REMOTE + 1).options(t.ts(PEER_TS).withSackBlocks(b)));
            List<TcpSegment> d = h.drain();
            d.removeIf(x -> x.payloadLength() == 0);
            sent.add(d);
        }
        assertTrue(sent.get(0).isEmpty() && sent.get(1).isEmpty());
        // Third duplicate ACK: fast retransmit of segment 2 only (not the SACKed segment 3).
        assertEquals(1, sent.get(2).size(), h.describeAll(sent.get(2)));
        assertEquals(h.localIss + hole1, sent.get(2).get(0).seq());
        assertEquals(seg, sent.get(2).get(0).payloadLength());
        // Fourth: only 2 segments SACKed above segment 5 — maybe just reordered (RFC 6675 IsLost): nothing.
        assertTrue(sent.get(3).isEmpty(), h.describeAll(sent.get(3)));
        // Fifth: 3 segments SACKed above it: segment 5 is the next hole — never SACKed segments 3, 4, 6–8.
        assertEquals(1, sent.get(4).size(), h.describeAll(sent.get(4)));
        assertEquals(h.localIss + hole2, sent.get(4).get(0).seq());
        assertEquals(seg, sent.get(4).get(0).payloadLength());
        assertEquals(2, h.c.sackRetransmits());
        // Segments 8–10 SACKed too: no hole is left below the highest SACKed byte, nothing more is resent.
        h.deliver(seg().ack(LOCAL + hole1).seq(REMOTE + 1).options(t.ts(PEER_TS).withSackBlocks(
                h.localIss + hole2 + seg, h.localIss + end, h.localIss + hole1 + seg, h.localIss + hole2)));
        for (TcpSegment s : h.drain()) assertTrue(s.payloadLength() == 0, "no data retransmitted: " + h.describe(s));
        // The retransmission of segment 2 arrives: a partial ACK up to hole 2, which was already resent.
        h.deliver(seg().ack(LOCAL + hole2).seq(REMOTE + 1).options(t.ts(PEER_TS).withSackBlocks(
                h.localIss + hole2 + seg, h.localIss + end)));
        for (TcpSegment s : h.drain()) assertTrue(s.seq() != h.localIss + hole2, "hole 2 not sent twice");
        h.deliver(seg().ack(LOCAL + end).seq(REMOTE + 1).options(t.ts(PEER_TS)));
        assertEquals(0, h.c.sendQueue());
        assertEquals(2, h.c.retransmittedSegments());
    }
}
