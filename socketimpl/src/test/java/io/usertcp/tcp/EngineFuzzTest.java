package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random segments, timers and application calls against connections in every state: nothing may
 * throw, memory stays within the configured buffers, and sequence bookkeeping stays consistent.
 */
class EngineFuzzTest {

    @ParameterizedTest
    @ValueSource(strings = {"synSent", "synReceived", "established", "finWait1", "finWait2", "closeWait",
            "lastAck", "timeWait"})
    void randomInputNeverThrows(String fixture) {
        Supplier<TcpHarness> f = switch (fixture) {
            case "synSent" -> TcpHarness::synSent;
            case "synReceived" -> TcpHarness::synReceived;
            case "established" -> TcpHarness::established;
            case "finWait1" -> TcpHarness::finWait1;
            case "finWait2" -> TcpHarness::finWait2;
            case "closeWait" -> TcpHarness::closeWait;
            case "lastAck" -> TcpHarness::lastAck;
            default -> TcpHarness::timeWait;
        };
        var rnd = new Random(fixture.hashCode());
        for (int run = 0; run < 40; run++) {
            TcpHarness h = f.get();
            h.c.setReceiveBufferSize(1 + rnd.nextInt(20_000));
            for (int i = 0; i < 500 && h.state() != TcpState.CLOSED; i++) {
                int flags = rnd.nextInt(64) & ~(rnd.nextBoolean() ? TcpHeader.FLAG_SYN : 0);
                if (rnd.nextInt(3) > 0) flags |= TcpHeader.FLAG_ACK;
                int seq = h.remoteIss + (rnd.nextBoolean() ? rnd.nextInt(4000) - 100 : rnd.nextInt());
                int ack = h.localIss + (rnd.nextBoolean() ? rnd.nextInt(4000) - 100 : rnd.nextInt());
                byte[] p = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(3000) : 0];
                TcpOptions o = rnd.nextInt(5) == 0 ? TcpOptions.NONE.withMss(rnd.nextInt(65536)) : TcpOptions.NONE;
                var seg = new TcpSegment(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, seq, ack, flags,
                        rnd.nextInt(65536), rnd.nextInt(65536), o, ByteBuffer.wrap(p));
                h.c.onSegment(seg, h.now);
                switch (rnd.nextInt(12)) {
                    case 0 -> { int n = rnd.nextInt(5000); h.c.write(new byte[n], 0, n, h.now); }
                    case 1 -> h.c.read(new byte[4096], 0, 4096, h.now);
                    case 2 -> h.now += rnd.nextInt(2_000_000_000);
                    case 3 -> h.c.sendUrgent(rnd.nextInt(256), h.now);
                    case 4 -> { if (rnd.nextInt(20) == 0) h.c.shutdownOutput(h.now); }
                    case 5 -> { if (rnd.nextInt(40) == 0) h.c.close(h.now); }
                    case 6 -> h.c.onIcmpError(IcmpErrorKind.values()[rnd.nextInt(IcmpErrorKind.values().length)],
                            rnd.nextInt(2000), h.now);
                    default -> { }
                }
                if (h.c.nextDeadline() <= h.now) h.c.onTimer(h.now);
                h.poll();
                h.drain();
                assertTrue(h.c.bufferMemory() <= 2 * 262_144L + 65_536, "memory");
                assertTrue(h.c.readable() >= 0 && h.c.sendQueue() >= 0, "queues");
            }
        }
    }
}
