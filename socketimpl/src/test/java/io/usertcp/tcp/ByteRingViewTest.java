package io.usertcp.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ByteRing.view: the send path's zero-copy window on the ring (copy once, into the packet). */
class ByteRingViewTest {

    @Test
    void viewShowsTheBytesInPlaceOrNullWhenTheRangeWraps() {
        ByteRing ring = new ByteRing(4096);
        byte[] data = new byte[4096];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 13);
        long written = 0;
        for (int round = 0; round < 10; round++) {
            ring.put(written, data, 0, 3000);
            long start = written;
            written += 3000;
            for (long off = start; off < written; off += 1000) {
                int len = (int) Math.min(1000, written - off);
                ByteBuffer v = ring.view(off, len);
                int idx = (int) (off & 4095);
                if (idx + len > 4096) {
                    assertNull(v, "wraps at " + off);
                    continue;
                }
                assertEquals(len, v.remaining());
                for (int i = 0; i < len; i++) {
                    assertEquals(data[(int) (off - start) + i], v.get(v.position() + i), "byte " + (off + i));
                }
            }
            ByteBuffer v1 = ring.view(written - 10, 5);
            assertSame(v1, ring.view(written - 5, 5), "one reused view object");
            ring.advanceHead(written);
        }
    }
}
