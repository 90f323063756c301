package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 7323 §7.1 / RFC 6191 §2: our TSval clock is secret but shared by every connection between the
 * same two addresses, so a new connection's SYN carries a TSval newer than the last one's, and a peer
 * holding the 4-tuple in TIME-WAIT (Linux does, for connections it closed first) accepts it. With a
 * per-connection offset half of those SYNs looked older and were refused (found by the connection-rate
 * benchmark once the ephemeral ports wrapped: 20 connections in 8 s instead of ~3,000/s).
 */
class TimestampOffsetTest {
    private static final long T0 = 1_000_000_000_000L;
    private final IsnGenerator isn = new IsnGenerator(0x0123456789ABCDEFL, 0x0FEDCBA987654321L);

    private int synTsVal(int localPort, int remoteIp, long now) {
        TcpConnection c = new TcpConnection(localPort, TcpConfig.DEFAULT,
                new ConnectionKey(0xC6120002, localPort, remoteIp, 5001), (x, from, to, cause) -> { }, isn);
        c.connect(now);
        List<TcpSegment> out = new ArrayList<>();
        c.poll(now, (from, seg) -> out.add(seg));
        assertEquals(1, out.size());
        assertTrue(out.get(0).syn() && out.get(0).options().hasTimestamps(), out.get(0).toString());
        return out.get(0).options().tsVal();
    }

    @Test
    void successiveConnectionsToOneHostCarryGrowingTsVal() {
        int remote = 0xC6120001;
        int first = synTsVal(40000, remote, T0);
        for (int i = 1; i <= 200; i++) {
            int later = synTsVal(40000 + i, remote, T0 + i * 5_000_000L); // 5 ms apart, other ports
            assertEquals(first + 5 * i, later, "TSval of connection " + i + " continues the same clock");
        }
        // The very same 4-tuple again (what TIME-WAIT reuse sees): newer, never older.
        assertTrue(synTsVal(40000, remote, T0 + 2_000_000_000L) - first > 0);
    }

    @Test
    void otherHostsGetOtherSecretOffsets() {
        assertNotEquals(synTsVal(40000, 0xC6120001, T0), synTsVal(40000, 0xC6120003, T0),
                "the offset depends on the address pair (it does not leak one clock to every host)");
    }
}
