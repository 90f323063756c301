package io.usertcp.ip;

import static io.usertcp.ip.IpPackets.A;
import static io.usertcp.ip.IpPackets.B;
import static io.usertcp.ip.IpPackets.fragment;
import static io.usertcp.ip.IpPackets.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4InputTest {
    private final IpStats stats = new IpStats();
    private final Ipv4Input input = new Ipv4Input(a -> a == A, new FragmentReassembler(stats), stats);
    private final List<byte[]> delivered = new ArrayList<>();

    Ipv4InputTest() {
        input.setHandler(Ipv4Header.PROTO_TCP, (ip, buf, off, len, now) -> {
            byte[] b = new byte[len];
            buf.get(off, b);
            delivered.add(b);
            assertEquals(len, ip.payloadLength());
        });
    }

    /** A valid TCP-protocol packet B > A with a 12-byte payload, inside a bigger buffer at offset 3. */
    private static ByteBuffer packet() {
        ByteBuffer b = ByteBuffer.allocate(3 + 32 + 5);
        Ipv4Header.emit(b, 3, 0, 1, 64, Ipv4Header.PROTO_TCP, B, A, 12);
        b.put(23, pattern(12, 1));
        return b;
    }

    private static void refill(ByteBuffer b) {
        Ipv4Header.wrap(b, 3).fillChecksum();
    }

    private void assertDropped(ByteBuffer b, int len, DropReason reason) {
        assertFalse(input.receive(b, 3, len, 0));
        assertEquals(1, stats.drops(reason), stats.toString());
        assertEquals(1, stats.totalDrops(), stats.toString());
        assertTrue(delivered.isEmpty());
    }

    @Test
    void deliversValidDatagram() {
        assertTrue(input.receive(packet(), 3, 32, 0));
        assertEquals(1, delivered.size());
        assertArrayEquals(pattern(12, 1), delivered.get(0));
        assertEquals(1, stats.get(IpStats.Counter.PACKETS_DELIVERED));
    }

    @Test
    void C6_1_truncatedDropped() {
        assertDropped(packet(), 19, DropReason.IP_TRUNCATED);
    }

    @Test
    void C6_1_badVersionDropped() {
        ByteBuffer b = packet();
        b.put(3, (byte) 0x55);
        refill(b);
        assertDropped(b, 32, DropReason.IP_BAD_VERSION);
    }

    @Test
    void C6_1_badIhlDropped() {
        ByteBuffer b = packet();
        b.put(3, (byte) 0x43);
        assertDropped(b, 32, DropReason.IP_BAD_HEADER_LENGTH);
    }

    @Test
    void C6_1_totalLengthLongerThanPacketDropped() {
        assertDropped(packet(), 31, DropReason.IP_BAD_TOTAL_LENGTH);
    }

    @Test
    void C6_1_badHeaderChecksumDropped() {
        ByteBuffer b = packet();
        b.put(3 + Ipv4Header.CHECKSUM, (byte) (b.get(3 + Ipv4Header.CHECKSUM) + 1));
        assertDropped(b, 32, DropReason.IP_BAD_CHECKSUM);
    }

    @ParameterizedTest(name = "source {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "00000000 | unspecified 0.0.0.0",
        "ffffffff | limited broadcast",
        "e0000001 | multicast 224.0.0.1",
        "f0000001 | class E 240.0.0.1",
    })
    void C6_1_invalidSourceDropped(String hexSrc, String why) {
        ByteBuffer b = packet();
        b.putInt(3 + Ipv4Header.SRC, Integer.parseUnsignedInt(hexSrc, 16));
        refill(b);
        assertDropped(b, 32, DropReason.IP_BAD_SOURCE);
    }

    @Test
    void C6_1_notForUsDropped() {
        ByteBuffer b = packet();
        b.putInt(3 + Ipv4Header.DST, 0xC6120009);
        refill(b);
        assertDropped(b, 32, DropReason.IP_NOT_FOR_US);
    }

    @Test
    void unknownProtocolDropped() {
        ByteBuffer b = packet();
        b.put(3 + Ipv4Header.PROTOCOL, (byte) Ipv4Header.PROTO_UDP);
        refill(b);
        assertDropped(b, 32, DropReason.IP_UNKNOWN_PROTOCOL);
    }

    @Test
    void C6_1_ttlZeroAcceptedForLocalDelivery() {
        // RFC 1122 §3.2.1.7: "A host MUST NOT discard a datagram just because it was received with TTL
        // less than 2."
        ByteBuffer b = packet();
        b.put(3 + Ipv4Header.TTL, (byte) 0);
        refill(b);
        assertTrue(input.receive(b, 3, 32, 0));
        assertEquals(1, stats.get(IpStats.Counter.LOW_TTL_ACCEPTED));
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void C6_2_fragmentsReassembledThenDelivered() {
        byte[] d = pattern(100, 3);
        ByteBuffer f1 = fragment(77, d, 0, 64, true);
        ByteBuffer f2 = fragment(77, d, 64, 36, false);
        assertFalse(input.receive(f2, 0, f2.limit(), 0));
        assertTrue(input.receive(f1, 0, f1.limit(), 0));
        assertEquals(1, delivered.size());
        assertArrayEquals(d, delivered.get(0));
    }

    @Test
    void C6_2_fragmentsDroppedAndCountedWithoutReassembler() {
        Ipv4Input noFrag = new Ipv4Input(a -> a == A, null, stats);
        noFrag.setHandler(Ipv4Header.PROTO_TCP, (ip, buf, off, len, now) -> delivered.add(new byte[0]));
        ByteBuffer f1 = fragment(77, pattern(64, 1), 0, 64, true);
        assertFalse(noFrag.receive(f1, 0, f1.limit(), 0));
        assertEquals(1, stats.drops(DropReason.FRAGMENT_BAD));
        assertTrue(delivered.isEmpty());
    }

    @Test
    void neverThrowsOnGarbage() {
        java.util.Random rnd = new java.util.Random(1);
        ByteBuffer b = ByteBuffer.allocate(128);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[rnd.nextInt(128)];
            rnd.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = (byte) 0x45; // get past the version check often
            }
            b.clear();
            b.put(0, junk);
            input.receive(b, 0, junk.length, i);
        }
        assertEquals(20_000, stats.get(IpStats.Counter.PACKETS_RECEIVED));
    }
}
