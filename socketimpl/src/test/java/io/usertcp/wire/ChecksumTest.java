package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    /** Straightforward 16-bit-at-a-time RFC 1071 sum, the reference. */
    static int naive(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    @Test
    void rfc1071Section3Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (folded); checksum is its complement
        ByteBuffer b = Hex.buf("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.fold(Checksum.add(0, b, 0, 8)));
        assertEquals(0x220d, Checksum.compute(b, 0, 8));
    }

    @Test
    void knownIpv4HeaderChecksum() {
        // A widely quoted example header; its checksum field is b861.
        ByteBuffer b = Hex.buf("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksum.compute(b, 0, 20));
        b.putShort(10, (short) 0xb861);
        assertTrue(Checksum.verifies(Checksum.add(0, b, 0, 20)));
    }

    @Test
    void matchesNaiveSumForEveryLengthAndOffset() {
        Random r = new Random(42);
        byte[] data = new byte[300];
        r.nextBytes(data);
        ByteBuffer heap = ByteBuffer.wrap(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).clear();
        ByteBuffer little = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; len < 280; len++) {
                int want = naive(data, off, len);
                assertEquals(want, Checksum.compute(heap, off, len), "heap off=" + off + " len=" + len);
                assertEquals(want, Checksum.compute(direct, off, len), "direct off=" + off + " len=" + len);
                assertEquals(want, Checksum.compute(little, off, len), "LE off=" + off + " len=" + len);
            }
        }
    }

    @Test
    void allOnesDataSumsCorrectly() {
        byte[] data = new byte[65535];
        java.util.Arrays.fill(data, (byte) 0xFF);
        assertEquals(naive(data, 0, data.length), Checksum.compute(ByteBuffer.wrap(data), 0, data.length));
    }

    @Test
    void doesNotMovePositionOrLimit() {
        ByteBuffer b = ByteBuffer.allocate(64).position(3).limit(40);
        Checksum.compute(b, 0, 40);
        assertEquals(3, b.position());
        assertEquals(40, b.limit());
    }

    @Test
    void pseudoHeaderEqualsSummingItsBytes() {
        ByteBuffer ph = Hex.buf("c6120001 c6120002 0006 0028");
        assertEquals(Checksum.fold(Checksum.add(0, ph, 0, 12)),
                Checksum.fold(Checksum.pseudoHeader(0xC6120001, 0xC6120002, 6, 40)));
    }
}
