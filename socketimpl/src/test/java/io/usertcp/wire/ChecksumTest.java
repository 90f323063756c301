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

    /**
     * Property: for random lengths 0..65535 at random offsets, over heap, direct, read-only, sliced
     * (non-zero array offset) and little-endian buffers and byte arrays, the wide sum equals the
     * 16-bit reference, and a multi-range sum split at a random even point equals the one-range sum.
     */
    @Test
    void propertyRandomLengthsAndOffsetsMatchReference() {
        Random r = new Random(7);
        byte[] data = new byte[65535 + 64];
        r.nextBytes(data);
        ByteBuffer heap = ByteBuffer.wrap(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).clear();
        ByteBuffer readOnly = heap.asReadOnlyBuffer();
        ByteBuffer littleDirect = direct.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer sliced = ByteBuffer.wrap(data, 5, data.length - 5).slice(); // arrayOffset 5
        for (int n = 0; n < 400; n++) {
            int len = n < 40 ? n : r.nextInt(65536);
            int off = r.nextInt(64);
            if (n % 7 == 0) {
                java.util.Arrays.fill(data, off, off + len, (byte) 0xFF); // worst case for carries
                direct.put(off, data, off, len);
            }
            int want = naive(data, off, len);
            String at = " off=" + off + " len=" + len;
            assertEquals(want, Checksum.compute(heap, off, len), "heap" + at);
            assertEquals(want, Checksum.compute(direct, off, len), "direct" + at);
            assertEquals(want, Checksum.compute(readOnly, off, len), "read-only" + at);
            assertEquals(want, Checksum.compute(littleDirect, off, len), "LE direct" + at);
            assertEquals(want, Checksum.finish(Checksum.add(0, data, off, len)), "array" + at);
            if (off >= 5) {
                assertEquals(want, Checksum.compute(sliced, off - 5, len), "sliced" + at);
            }
            int split = len == 0 ? 0 : r.nextInt(len + 1) & ~1;
            long two = Checksum.add(Checksum.add(0, direct, off, split), heap, off + split, len - split);
            assertEquals(want, Checksum.finish(two), "split at " + split + at);
        }
    }

    @Test
    void foldHandlesEveryCarry() {
        Random r = new Random(3);
        for (int n = 0; n < 10_000; n++) {
            long acc = n < 4 ? new long[] {0, 0xFFFF, 0x1_0000, -1L >>> 2}[n] : r.nextLong() >>> r.nextInt(40);
            long ref = acc;
            while ((ref >>> 16) != 0) {
                ref = (ref & 0xFFFF) + (ref >>> 16);
            }
            assertEquals((int) ref, Checksum.fold(acc), "acc=" + Long.toHexString(acc));
        }
    }

    @Test
    void rangeOutsideLimitIsRejected() {
        ByteBuffer b = ByteBuffer.allocate(64).limit(40);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> Checksum.add(0, b, 30, 11));
    }
}
