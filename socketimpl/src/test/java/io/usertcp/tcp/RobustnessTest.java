package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;

import static io.usertcp.tcp.TcpHarness.LOCAL;
import static io.usertcp.tcp.TcpHarness.REMOTE;
import static io.usertcp.tcp.TcpHarness.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFORMANCE.md C7.3, C7.4 (the reassembly queue and the other per-connection bounds), and ICMP. */
class RobustnessTest {

    @Test
    void C7_3_memoryBoundedUnderAnyInput() {
        int rcvbuf = 64 * 1024;
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(rcvbuf).sendBufferSize(32 * 1024)
                .maxReassemblyRanges(16).build();
        var h = TcpHarness.established(cfg);
        var rnd = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            int off = 2 + rnd.nextInt(200_000) - 50_000;         // before, inside and far beyond the window
            byte[] p = new byte[1 + rnd.nextInt(1400)];
            rnd.nextBytes(p);
            var s = seg().ack(LOCAL + 1).seq(REMOTE + off).payload(p);
            if (rnd.nextInt(10) == 0) s.fin();
            h.deliver(s);
            h.drain();
        }
        // A FIN that happened to land in order is legitimate; nothing else may end the connection.
        assertTrue(h.state() == TcpState.ESTABLISHED || h.state() == TcpState.CLOSE_WAIT, h.state().toString());
        assertTrue(h.c.bufferMemory() <= 2L * 65536, "memory " + h.c.bufferMemory());
        assertTrue(h.c.outOfOrderBytes() <= rcvbuf);
        assertTrue(h.c.readable() <= rcvbuf);
        // The send buffer refuses beyond its size.
        byte[] big = new byte[100_000];
        assertEquals(32 * 1024, h.c.write(big, 0, big.length, h.now));
        assertEquals(0, h.c.write(big, 0, big.length, h.now));
        // SYN queue: a SYN flood keeps at most the backlog; beyond it SYNs are dropped (cookies off) or
        // answered with stateless SYN cookies (the default).
        for (SynCookieMode mode : new SynCookieMode[] {SynCookieMode.OFF, SynCookieMode.ON_OVERFLOW}) {
            var listener = new TcpListener(cfg.withSynCookies(mode), 80, 16, TcpEventListener.NONE,
                    new IsnGenerator(1, 2), () -> 1);
            for (int i = 0; i < 10_000; i++) {
                var key = new ConnectionKey(1, 80, rnd.nextInt(), rnd.nextInt(65536));
                listener.onSegment(new TcpSegment(key.remotePort(), 80, rnd.nextInt(), 0, TcpHeader.FLAG_SYN, 1000, 0,
                        TcpOptions.NONE, ByteBuffer.allocate(0)), key, 0, (k, s) -> { });
            }
            assertEquals(16, listener.synQueueSize());
            assertEquals(mode == SynCookieMode.OFF ? 10_000 - 16 : 0, listener.droppedSyns());
            assertEquals(mode == SynCookieMode.OFF ? 0 : 10_000 - 16, listener.cookiesSent());
        }
    }

    @Test
    void C7_4_outOfOrderFloodThenGapFillRecovers() {
        int rcvbuf = 32 * 1024;
        var cfg = TcpHarness.testConfig().toBuilder().receiveBufferSize(rcvbuf).build();
        var h = TcpHarness.established(cfg);
        byte[] stream = TcpHarness.bytes(rcvbuf, 3);
        // Flood: everything after the first 1000 bytes, many times over, plus garbage far beyond.
        for (int round = 0; round < 50; round++) {
            for (int off = 1000; off < rcvbuf; off += 1000) {
                int n = Math.min(1000, rcvbuf - off);
                byte[] p = new byte[n];
                System.arraycopy(stream, off, p, 0, n);
                h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + off).payload(p));
            }
            h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + rcvbuf + 5000 * round).payload(new byte[1000]));
        }
        var acks = h.drain();
        for (var a : acks) assertEquals(h.remoteIss + 1, a.ack(), "ACK = gap start throughout: " + h.describe(a));
        assertTrue(h.c.bufferMemory() <= 2L * rcvbuf, "memory " + h.c.bufferMemory());
        assertEquals(rcvbuf - 1000, h.c.outOfOrderBytes());
        assertTrue(h.c.trimmedBytes() >= 50_000);
        // The gap fills: everything is delivered, in order, and the connection goes on.
        byte[] first = new byte[1000];
        System.arraycopy(stream, 0, first, 0, 1000);
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1).payload(first));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1 + rcvbuf).window(0));
        byte[] got = new byte[rcvbuf];
        assertEquals(rcvbuf, h.c.read(got, 0, rcvbuf, h.now));
        assertArrayEquals(stream, got);
        h.poll();
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1 + rcvbuf).window(rcvbuf));
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1 + rcvbuf).payload("after"));
        assertEquals("after", h.read(10));
    }

    // =========================================================================================
    // ICMP errors at the engine (the stack's C6.4/C6.5 tests go through IP)
    // =========================================================================================

    @Test
    void icmpUnreachableFailsConnectButIsSoftWhenEstablished() {
        var h = TcpHarness.synSent();
        h.c.onIcmpError(IcmpErrorKind.HOST_UNREACHABLE, 0, h.now);
        assertEquals(TcpState.CLOSED, h.state());
        assertEquals(ConnectionError.UNREACHABLE, h.c.error());
        h.expectNothing();
        var p = TcpHarness.synSent();
        p.c.onIcmpError(IcmpErrorKind.PORT_UNREACHABLE, 0, p.now);
        assertEquals(ConnectionError.REFUSED, p.c.error());

        var e = TcpHarness.established(TcpHarness.testConfig().toBuilder().dataRetries(1).noDelay(true).build());
        e.c.onIcmpError(IcmpErrorKind.HOST_UNREACHABLE, 0, e.now);
        assertEquals(TcpState.ESTABLISHED, e.state());                       // RFC 1122 §4.2.3.9: soft
        assertEquals(ConnectionError.UNREACHABLE, e.c.softError());
        e.write("x");
        e.drain();
        e.advance(Duration.ofSeconds(3));                                    // retries run out
        assertEquals(TcpState.CLOSED, e.state());
        assertEquals(ConnectionError.UNREACHABLE, e.c.error());              // the soft error is reported
    }

    @Test
    void icmpFragmentationNeededLowersMssAndResends() {
        var h = TcpHarness.established(TcpHarness.testConfig().toBuilder().noDelay(true).build());
        h.write(TcpHarness.bytes(1460, 1));
        h.expect(seg().ack().psh().seq(LOCAL + 1).ack(REMOTE + 1).len(1460));
        h.c.onIcmpError(IcmpErrorKind.FRAGMENTATION_NEEDED, 1000, h.now);
        assertEquals(960, h.c.sendMss());
        h.poll();
        h.expectNext(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1).len(960));
        h.expectNext(seg().ack().psh().seq(LOCAL + 961).ack(REMOTE + 1).len(500));
        h.expectNothing();
    }
}
