package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.MSS;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.bytes;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFORMANCE.md C2: data transfer (C2.11, C2.12 are a later issue). */
class DataTransferTest {

    static TcpConfig noDelay() {
        return TcpHarness.testConfig().toBuilder().noDelay(true).build();
    }

    /** NewReno selected explicitly: C2.4, C2.18 and C2.19 assert RFC 5681/6582 numbers (CUBIC's are in CubicTest). */
    static TcpConfig noDelayReno() {
        return noDelay().withCongestionControl("reno");
    }

    static String repeat(char ch, int n) {
        return String.valueOf(ch).repeat(n);
    }

    // =========================================================================================
    // ESTABLISHED: numbering, reassembly, acceptability
    // =========================================================================================

    @Test
    void C2_1_sequenceNumbersCountBytes() {
        var h = TcpHarness.established();
        h.write("hello");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("hello"));
        h.write("world!");
        h.expectNothing();                                  // Nagle: "hello" is unacknowledged
        h.deliver(seg().ack(LOCAL + 6).seq(REMOTE + 1));    // ack = next byte expected
        h.expect(seg().ack().psh().seq(LOCAL + 6).ack(REMOTE + 1).payload("world!"));
        // A pure ACK consumes no sequence number: the next data from the peer still starts at +1.
        h.deliver(seg().ack(LOCAL + 12).seq(REMOTE + 1));
        h.expectNothing();
        h.deliver(seg().ack(LOCAL + 12).seq(REMOTE + 1).payload("abc"));
        h.advance(Duration.ofMillis(200));
        h.expect(seg().ack().seq(LOCAL + 12).ack(REMOTE + 4));
        assertEquals("abc", h.read(10));
    }

    @Test
    void C2_2_outOfOrderHeldAndDeliveredInOrder() {
        var h = TcpHarness.established();
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('a', 100)));
        h.expectNothing();                                   // delayed
        // Bytes 100–199 lost: later segments are held and the ACK asks for 100 each time, at once.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 201).payload(repeat('c', 100)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 101));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 301).payload(repeat('d', 100)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 101));
        assertEquals(100, h.c.readable());
        assertEquals(200, h.c.outOfOrderBytes());
        // The gap fills: one ACK for everything, immediately.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 101).payload(repeat('b', 100)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 401));
        assertEquals(repeat('a', 100) + repeat('b', 100) + repeat('c', 100) + repeat('d', 100), h.read(1000));
        assertEquals(0, h.c.outOfOrderBytes());
    }

    @Test
    void C2_3_retransmissionTimeoutRfc6298() {
        var cfg = TcpHarness.testConfig().toBuilder().rtoMin(Duration.ofMillis(200)).rtoMax(Duration.ofSeconds(5))
                .noDelay(true).build();
        var h = TcpHarness.synSent(cfg);
        h.advance(Duration.ofMillis(100));                 // the SYN's round trip: first sample R = 100 ms
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).mss(MSS));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        // RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4·RTTVAR) = 300 ms.
        assertEquals(Duration.ofMillis(100).toNanos(), h.c.info().srttNanos());
        assertEquals(Duration.ofMillis(50).toNanos(), h.c.info().rttvarNanos());
        assertEquals(Duration.ofMillis(300).toNanos(), h.c.info().rtoNanos());
        h.write("x");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));
        h.advance(Duration.ofMillis(299));
        h.expectNothing();
        h.advance(Duration.ofMillis(1));
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));   // retransmission
        h.advance(Duration.ofMillis(599));
        h.expectNothing();
        h.advance(Duration.ofMillis(1));                                            // backoff doubled: 600 ms
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));
        h.advance(Duration.ofMillis(1200));
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));
        h.advance(Duration.ofMillis(2400));
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));
        h.advance(Duration.ofMillis(4800));
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("x"));
        assertEquals(Duration.ofSeconds(5), h.untilNextDeadline());                 // clamped to rtoMax
        long srttBefore = h.c.info().srttNanos();
        h.advance(Duration.ofMillis(300));
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));
        // Karn: the ACK of a retransmitted segment gives no sample.
        assertEquals(srttBefore, h.c.info().srttNanos());
        assertEquals(Duration.ofMillis(300).toNanos(), h.c.info().rtoNanos());     // backoff ended by the ACK
        // Second sample 200 ms: RTTVAR = 3/4·50 + 1/4·100 = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5.
        h.write("z");
        h.expect(seg().ack().psh().seq(LOCAL + 2).ack(REMOTE + 1).payload("z"));
        h.advance(Duration.ofMillis(200));
        h.deliver(seg().ack(LOCAL + 3).seq(REMOTE + 1));
        assertEquals(112_500_000L, h.c.info().srttNanos());
        assertEquals(62_500_000L, h.c.info().rttvarNanos());
        assertEquals(362_500_000L, h.c.info().rtoNanos());
    }

    @Test
    void C2_4_fastRetransmitAndNewRenoRecovery() {
        // A peer without SACK: NewReno (RFC 6582) loss recovery with PRR (RFC 6937) sizing the window;
        // each duplicate ACK counts as one MSS delivered.
        var cfg = noDelayReno().toBuilder().initialWindowSegments(10).build();
        var h = TcpHarness.established(cfg);
        h.write(bytes(10 * MSS, 3));
        List<TcpSegment> sent = h.drain();
        assertEquals(10, sent.size());
        // Segment 1 is lost; the peer acks each later one with ack = 1 (duplicates).
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));
        h.expectNothing();                                   // limited transmit: no new data queued
        assertEquals(8 * MSS, h.c.pipe());                   // 10 in flight − 2 delivered (RFC 6937 §3)
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));     // third duplicate: fast retransmit
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(MSS));
        TcpInfo i = h.c.info();
        assertEquals(5 * MSS, i.ssthresh());                 // FlightSize/2 = 10·MSS/2
        // PRR: pipe = 10 − 3 delivered − 1 lost = 6 > ssthresh, sndcnt = CEIL(1·5/10) = 1 segment (the
        // retransmission): cwnd = pipe + sndcnt = 7 MSS, no ssthresh + 3·MSS inflation.
        assertEquals(7 * MSS, i.cwnd());
        assertEquals(7 * MSS, h.c.pipe());                   // the retransmission is in flight
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));     // a fourth: CEIL(2·5/10) − 1 = 0 to send
        h.expectNothing();
        assertEquals(6 * MSS, h.c.info().cwnd());
        // A partial ACK (segment 6 was lost too): NewReno retransmits it at once (RFC 6582 §3.2 step 3);
        // it delivers 5 − 4 (already counted) = 1 MSS, pipe = 5 − 1 lost = 4 ≤ ssthresh: PRR-SSRB sends
        // min(ssthresh − pipe, …) = 1 MSS.
        h.deliver(seg().ack(LOCAL + 1 + 5 * MSS).seq(REMOTE + 1));
        h.expect(seg().ack().seq(LOCAL + 1 + 5 * MSS).ack(REMOTE + 1).len(MSS));
        assertEquals(5 * MSS, h.c.info().cwnd());
        // Full ACK: recovery ends, RFC 6937 §3 "cwnd = ssthresh".
        h.deliver(seg().ack(LOCAL + 1 + 10 * MSS).seq(REMOTE + 1));
        h.expectNothing();
        assertEquals(5 * MSS, h.c.info().cwnd());
        assertEquals(2, h.c.retransmittedSegments());
        assertEquals(1, h.c.recoveryEpisodes());
        assertEquals(0, h.c.timeouts());
    }

    @Test
    void C2_5_flowControlPersistAndReopen() {
        var h = TcpHarness.established(noDelay(), TcpHarness.DEFAULT_REMOTE_ISS, MSS, 1000);
        h.write(bytes(3000, 5));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(1000));   // never beyond the window
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 1).window(0));
        h.expectNothing();
        // Persist timer: zero-window probes with one new byte, backing off.
        h.advance(Duration.ofMillis(999));
        h.expectNothing();
        h.advance(Duration.ofMillis(1));
        h.expect(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 1).len(1));
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 1).window(0));
        h.advance(Duration.ofMillis(1999));
        h.expectNothing();
        h.advance(Duration.ofMillis(1));
        h.expect(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 1).len(1));
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 1).window(0));
        assertEquals(TcpState.ESTABLISHED, h.state());
        // The window reopens: data resumes.
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 1).window(4000));
        h.expectNext(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 1).len(MSS));
        h.expectNext(seg().ack().psh().seq(LOCAL + 1001 + MSS).ack(REMOTE + 1).len(2000 - MSS));
        h.expectNothing();
        h.deliver(seg().ack(LOCAL + 3001).seq(REMOTE + 1).window(4000));
        assertEquals(0, h.c.sendQueue());
    }

    @Test
    void C2_5_senderSwsAvoidance() {
        // A peer window of 100 bytes after 60000 were seen: sending 100 bytes would be silly (< MSS,
        // < half the largest window, not all the queued data). Only the persist override sends it.
        var h = TcpHarness.established(noDelay(), TcpHarness.DEFAULT_REMOTE_ISS, MSS, 60000);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).window(100));
        h.write(bytes(500, 1));
        h.expectNothing();
        h.advance(Duration.ofSeconds(1));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(100));
    }

    @Test
    void C2_5_receiverSwsAvoidance() {
        // Receive buffer 4000: after the window closed, reading a few bytes must not open it (the
        // increase is below min(RCV.BUFF/2, MSS)); reading enough opens it fully.
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(4000).build();
        var h = TcpHarness.established(cfg);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('q', 1000)));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1001).payload(repeat('q', 1000)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2001).window(2000));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2001).payload(repeat('q', 2000)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 4001).window(0));
        h.read(100);
        h.expectNothing();                                   // no window update for 100 bytes
        h.write("x");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 4001).window(0).payload("x")); // still 0 advertised
        h.read(4000);
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 4001).window(4000));
    }

    @Test
    void C2_6_nagleCoalescesUnlessNoDelay() {
        var h = TcpHarness.established();
        h.write("a");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("a"));  // nothing in flight: goes
        h.write("b");
        h.write("c");
        h.expectNothing();                                  // held while "a" is unacknowledged
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));
        h.expect(seg().ack().psh().seq(LOCAL + 2).ack(REMOTE + 1).payload("bc"));

        var n = TcpHarness.established(noDelay());
        n.write("a");
        n.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("a"));
        n.write("b");
        n.expect(seg().ack().psh().seq(LOCAL + 2).ack(REMOTE + 1).payload("b"));
        n.c.setNoDelay(false);
        n.write("c");
        n.expectNothing();
    }

    @Test
    void C2_7_delayedAck() {
        var h = TcpHarness.established();
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('x', MSS)));
        h.expectNothing();
        // Every second full-sized segment is acked at once.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + MSS).payload(repeat('x', MSS)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1 + 2 * MSS));
        // A lone segment: acked when the 200 ms delayed-ACK timer runs out, not before.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + 2 * MSS).payload("tail"));
        h.advance(Duration.ofMillis(199));
        h.expectNothing();
        h.advance(Duration.ofMillis(1));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 5 + 2 * MSS));
        // Configured beyond 500 ms: clamped to 500 ms (MUST-40).
        var cfg = TcpHarness.testConfig().toBuilder().delayedAck(Duration.ofSeconds(2)).build();
        assertEquals(Duration.ofMillis(500), cfg.delayedAck());
        var k = TcpHarness.established(cfg);
        k.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("z"));
        k.advance(Duration.ofMillis(499));
        k.expectNothing();
        k.advance(Duration.ofMillis(1));
        k.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2));
        // Data we send carries the ACK: no separate one.
        k.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).payload("q"));
        k.write("r");
        k.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 3).payload("r"));
        k.advance(Duration.ofSeconds(1));
        k.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 3).payload("r"));  // only the RTO retransmission
    }

    @Test
    void C2_7_ackAtOnceWhenWindowCannotTakeAnotherFullSegment() {
        // MSS 40000 against a 65535 window: after one full segment the peer cannot send another, so
        // the ACK must not wait for the delayed-ACK timer (nor for the application to read).
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().mss(40000).build());
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('j', 40000)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 40001).window(65535)); // and the window reopens
    }

    @Test
    void C2_8_pshOnLastSegmentOfWrite() {
        var h = TcpHarness.established(noDelay());
        h.write(bytes(3000, 9));
        h.expectNext(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(MSS));
        h.expectNext(seg().ack().seq(LOCAL + 1 + MSS).ack(REMOTE + 1).len(MSS));
        h.expectNext(seg().ack().psh().seq(LOCAL + 1 + 2 * MSS).ack(REMOTE + 1).len(3000 - 2 * MSS));
        h.expectNothing();
    }

    @Test
    void C2_9_acceptabilityFourCasesAndDuplicates() {
        var h = TcpHarness.established();
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("abc"));
        h.expectNothing();
        // Duplicate (len > 0, entirely old): ACK at once, not delivered twice.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("abc"));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 4));
        assertEquals("abc", h.read(10));
        assertEquals("", h.read(10));
        // Overlapping the left edge: only the new part is taken.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).payload("bcdef"));
        assertEquals("def", h.read(10));
        h.advance(Duration.ofMillis(200));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 7));
        // len = 0, window > 0: beyond the window → ACK (rate limited), dropped; RST out of window: silence.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 7 + 70000));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 7));
        h.deliver(seg().rst().seq(REMOTE + 7 + 70000));
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.state());

        // Zero receive window: len > 0 not acceptable (ACK), len = 0 only at RCV.NXT.
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(1000).build();
        var z = TcpHarness.established(cfg);
        z.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('w', 1000)));
        z.advance(Duration.ofMillis(200));
        z.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1001).window(0));
        z.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1001).payload("more"));   // at RCV.NXT: ACK, text dropped
        z.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1001).window(0));
        z.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1001));                   // pure ACK at RCV.NXT: fine
        z.expectNothing();
        z.advance(Duration.ofSeconds(1));
        z.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1005));                   // pure ACK elsewhere: ACK back
        z.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1001).window(0));
        assertEquals(1000, z.c.readable());
    }

    @Test
    void C2_10_urgentDataSendAndReceive() {
        var h = TcpHarness.established(noDelay());
        h.write("ab");
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).payload("ab"));
        h.c.sendUrgent('X', h.now);
        h.poll();
        // URG set, urgent pointer = the octet after the urgent byte (RFC 6093, as BSD/Linux).
        h.expect(seg().ack().psh().urg(1).seq(LOCAL + 3).ack(REMOTE + 1).payload("X"));

        for (boolean inline : new boolean[] {false, true}) {
            var r = TcpHarness.established(TcpHarness.testConfig().toBuilder().oobInline(inline).build());
            r.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("ab"));
            r.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 3).urg(1).payload("X"));
            r.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 4).payload("cd"));
            assertEquals(inline ? "abXcd" : "abcd", r.read(100), "oobInline=" + inline);
        }
    }

    @Test
    void C2_13_trimBeyondRightEdgeEdgeNeverLeftAndShrinkSurvived() {
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(1000).build();
        var h = TcpHarness.established(cfg);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('t', 1500)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1001).window(0));  // 1000 taken, 500 cut
        assertEquals(500, h.c.trimmedBytes());
        assertEquals(1000, h.c.readable());
        // The right edge (ack + window) never moves left, even when the buffer is made smaller.
        h.read(1000);
        TcpSegment upd = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1001).window(1000));
        h.c.setReceiveBufferSize(100);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1001).payload(repeat('u', 10)));
        h.advance(Duration.ofMillis(200));
        TcpSegment after = h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1011).window(990));
        assertTrue(after.ack() + after.window() - (upd.ack() + upd.window()) >= 0);

        // MUST-34: the peer shrinks its window below what we already sent; we stop, and carry on later.
        var s = TcpHarness.established(noDelay().toBuilder().initialWindowSegments(10).build());
        s.write(bytes(5 * MSS, 2));
        assertEquals(5, s.drain().size());
        s.deliver(seg().ack(LOCAL + 1 + MSS).seq(REMOTE + 1).window(100)); // right edge < SND.NXT
        s.expectNothing();
        s.write(bytes(100, 3));
        s.expectNothing();
        assertEquals(TcpState.ESTABLISHED, s.state());
        s.deliver(seg().ack(LOCAL + 1 + 5 * MSS).seq(REMOTE + 1).window(65535));
        s.expect(seg().ack().psh().seq(LOCAL + 1 + 5 * MSS).ack(REMOTE + 1).len(100));
    }

    @Test
    void C2_14_windowUpdateWhenApplicationReads() {
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(3000).build();
        var h = TcpHarness.established(cfg);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('r', 1500)));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1501).payload(repeat('r', 1500)));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 3001).window(0));
        assertEquals(3000, h.read(3000).length());
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 3001).window(3000));   // at once
    }

    @Test
    void C2_15_finAcceptedWithZeroWindow() {
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(1000).build();
        var h = TcpHarness.established(cfg);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(repeat('f', 1000)));
        h.advance(Duration.ofMillis(200));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1001).window(0));
        h.deliver(seg().ack(LOCAL + 1).fin().seq(REMOTE + 1001));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1002).window(0));
        assertEquals(TcpState.CLOSE_WAIT, h.state());
        assertEquals(1000, h.read(5000).length());
        assertEquals(null, h.read(10));                                       // then EOF
    }

    @Test
    void C2_16_sequenceNumbersWrap() {
        int localIss = 0xFFFF_FF00;
        int remoteIss = 0xFFFF_FFF0;
        var h = TcpHarness.established(noDelay(), localIss, remoteIss, MSS, 65535);
        h.write(bytes(1000, 4));                       // crosses 2^32 at byte 256
        TcpSegment s = h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).len(1000));
        assertEquals(0xFFFF_FF01, s.seq());
        h.advance(Duration.ofSeconds(1));               // retransmission across the wrap
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).len(1000));
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 1).payload(bytes(100, 5)));
        // Incoming data crossing the wrap (remote 0xFFFFFFF1 + 100).
        h.advance(Duration.ofMillis(200));
        TcpSegment a = h.expect(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 101));
        assertEquals(remoteIss + 101, a.ack());
        assertEquals(0, h.c.sendQueue());
        byte[] got = new byte[100];
        assertEquals(100, h.c.read(got, 0, 100, h.now));
        assertArrayEquals(bytes(100, 5), got);
        // Out-of-order across the wrap.
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 201).payload("later"));
        h.expect(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 101));
        h.deliver(seg().ack(LOCAL + 1001).seq(REMOTE + 101).payload(repeat('m', 100)));
        h.expect(seg().ack().seq(LOCAL + 1001).ack(REMOTE + 206));
    }

    @Test
    void C2_17_segmentsFitEffectiveMssWithOptions() {
        var h = TcpHarness.established(noDelay(), TcpHarness.DEFAULT_REMOTE_ISS, 1000, 65535);
        h.write(bytes(2000, 6));
        for (TcpSegment s : h.drain()) {
            // Data segments carry no options in this version (no timestamps yet); the payload plus
            // options never exceed the effective send MSS (MUST-16).
            assertTrue(s.options().length() + s.payloadLength() <= h.c.sendMss(), h.describe(s));
        }
        assertEquals(1000, h.c.sendMss());
    }

    @Test
    void C2_18_onlyPureDuplicateAcksAndLimitedTransmit() {
        var h = TcpHarness.established(noDelayReno());   // IW = 3 segments (RFC 5681: 4380 bytes)
        h.write(bytes(8 * MSS, 7));
        assertEquals(3, h.drain().size());
        // Not duplicates: carries data; different window.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("d"));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).window(60000));
        h.drain();
        // Two pure duplicates: limited transmit sends one new segment each (RFC 3042).
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).window(60000));
        h.expect(seg().ack().seq(LOCAL + 1 + 3 * MSS).ack(REMOTE + 2).len(MSS));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).window(60000));
        h.expect(seg().ack().seq(LOCAL + 1 + 4 * MSS).ack(REMOTE + 2).len(MSS));
        assertEquals(0, h.c.retransmittedSegments());
        // The third pure duplicate: fast retransmit.
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 2).window(60000));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2).len(MSS));
        assertEquals(1, h.c.retransmittedSegments());
    }

    @Test
    void C2_19_slowStartCongestionAvoidanceRestartAfterIdle() {
        var h = TcpHarness.established(noDelayReno());
        int iw = h.c.info().cwnd();
        assertEquals(3 * MSS, iw);
        h.write(bytes(3 * MSS, 1));
        h.drain();
        // Slow start: about one MSS per ACK.
        h.deliver(seg().ack(LOCAL + 1 + MSS).seq(REMOTE + 1));
        assertEquals(4 * MSS, h.c.info().cwnd());
        h.deliver(seg().ack(LOCAL + 1 + 2 * MSS).seq(REMOTE + 1));
        assertEquals(5 * MSS, h.c.info().cwnd());
        h.deliver(seg().ack(LOCAL + 1 + 3 * MSS).seq(REMOTE + 1));
        assertEquals(6 * MSS, h.c.info().cwnd());
        h.drain();
        // Restart after idle (RFC 5681 §4.1): idle longer than the RTO → cwnd back to min(IW, cwnd).
        h.advance(Duration.ofSeconds(5));
        h.write(bytes(10, 1));
        assertEquals(iw, h.c.info().cwnd());
        // Congestion avoidance: about one MSS per RTT (per cwnd bytes acked).
        var cc = new NewReno(MSS, 0);
        cc.onRto(20 * MSS, true, 0);                 // ssthresh = 10 MSS, cwnd = 1 MSS
        for (int i = 0; i < 9; i++) cc.onAck(MSS, MSS, 0);
        assertEquals(10 * MSS, cc.cwnd());           // slow start up to ssthresh
        for (int i = 0; i < 10; i++) cc.onAck(MSS, 10 * MSS, 0);
        assertEquals(11 * MSS, cc.cwnd());           // one cwnd's worth of ACKs → +1 MSS
    }

    @Test
    void C2_20_ackForUnsentDataAndMissingAckFlag() {
        var h = TcpHarness.established();
        h.deliver(seg().ack(LOCAL + 500).seq(REMOTE + 1).payload("bad"));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));    // ACK, segment dropped
        assertEquals(0, h.c.readable());
        h.advance(Duration.ofSeconds(1));
        // A segment without ACK in a synchronized state is dropped silently.
        h.deliver(seg().seq(REMOTE + 1).payload("noack"));
        h.expectNothing();
        assertEquals(0, h.c.readable());
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload("good"));
        assertEquals("good", h.read(10));
    }
}
