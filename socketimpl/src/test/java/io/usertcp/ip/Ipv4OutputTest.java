package io.usertcp.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Ipv4OutputTest {
    private final IpStats stats = new IpStats();

    @Test
    void C6_2_headersHaveDfTtl64AndValidChecksum() throws Exception {
        Ipv4Output out = new Ipv4Output(stats, 100);
        ByteBuffer b = ByteBuffer.allocate(40);
        b.put(20, new byte[] {1, 2, 3, 4});
        int n = out.finish(b, 0, Ipv4Header.PROTO_TCP, IpPackets.A, IpPackets.B, 4);
        assertEquals(24, n);
        Ipv4Header h = Ipv4Header.parse(b, 0, n);
        assertTrue(h.dontFragment());
        assertEquals(64, h.ttl());
        assertEquals(100, h.identification());
        assertEquals(24, h.totalLength());
        assertEquals(1, b.get(20), "payload untouched");
        assertEquals(0, b.position());
        assertEquals(1, stats.get(IpStats.Counter.PACKETS_SENT));
    }

    @Test
    void identificationIncrementsAndWraps() {
        Ipv4Output out = new Ipv4Output(stats, 0xFFFE);
        assertEquals(0xFFFE, out.nextId());
        assertEquals(0xFFFF, out.nextId());
        assertEquals(0, out.nextId());
    }

    @Test
    void ttlZeroRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Output(stats, 0, 0));
    }
}
