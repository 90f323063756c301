package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutates the captured packets (bit flips, byte stores, truncation) and feeds them to the parsers:
 * the only exception allowed out is {@link MalformedPacketException} (CONFORMANCE C7.1, C7.2). The TCP
 * checksum is fixed after mutation half of the time, so the option and flag checks are reached too.
 */
class WireFuzzTest {
    private static final String[] SEEDS = {Packets.SYN, Packets.SYN_ACK, Packets.DATA, Packets.FIN_ACK};

    @Test
    void C7_1_mutatedPacketsOnlyEverThrowMalformed() {
        Random rnd = new Random(7);
        Map<DropReason, Integer> reasons = new EnumMap<>(DropReason.class);
        int accepted = 0;
        int rounds = 100_000;
        for (int i = 0; i < rounds; i++) {
            byte[] p = Hex.bytes(SEEDS[rnd.nextInt(SEEDS.length)]);
            int mutations = 1 + rnd.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = rnd.nextInt(p.length);
                if (rnd.nextBoolean()) {
                    p[at] ^= (byte) (1 << rnd.nextInt(8));
                } else {
                    p[at] = (byte) rnd.nextInt(256);
                }
            }
            int len = rnd.nextInt(8) == 0 ? rnd.nextInt(p.length + 1) : p.length;
            ByteBuffer b = ByteBuffer.wrap(p, 0, len).slice();
            try {
                Ipv4Header ip = Ipv4Header.parse(b, 0, len);
                ip.toString();
            } catch (MalformedPacketException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            }
            int tcpLen = Math.max(0, len - 20);
            ByteBuffer tcp = b.slice(Math.min(20, len), tcpLen);
            if (rnd.nextBoolean() && tcpLen >= 20) {
                TcpHeader.wrap(tcp, 0).fillChecksum(Packets.LOCALHOST, Packets.LOCALHOST, tcpLen);
            }
            try {
                TcpSegment s = TcpSegment.parse(tcp, 0, tcpLen, Packets.LOCALHOST, Packets.LOCALHOST);
                s.toString();
                accepted++;
            } catch (MalformedPacketException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            }
        }
        assertTrue(accepted > 1000, "some mutations must still parse: " + accepted);
        assertTrue(reasons.containsKey(DropReason.BAD_TCP_CHECKSUM), reasons.toString());
        assertTrue(reasons.containsKey(DropReason.BAD_TCP_OPTION), reasons.toString());
        assertTrue(reasons.containsKey(DropReason.BAD_TCP_FLAGS), reasons.toString());
        assertTrue(reasons.containsKey(DropReason.BAD_TCP_DATA_OFFSET), reasons.toString());
        assertTrue(reasons.containsKey(DropReason.IP_BAD_CHECKSUM), reasons.toString());
    }

    @Test
    void parsedThenEmittedSegmentsRoundTrip() throws Exception {
        for (String seed : SEEDS) {
            ByteBuffer b = Hex.buf(seed);
            TcpSegment s = TcpSegment.parse(b, 20, b.limit() - 20, Packets.LOCALHOST, Packets.LOCALHOST);
            ByteBuffer out = ByteBuffer.allocate(s.length());
            s.emit(out, 0, Packets.LOCALHOST, Packets.LOCALHOST);
            assertEquals(seed.substring(40), Hex.hex(out, 0, s.length()));
        }
    }
}
