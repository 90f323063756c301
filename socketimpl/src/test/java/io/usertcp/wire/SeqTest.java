package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqTest {
    @Test
    void ordersPlainNumbers() {
        assertTrue(Seq.lt(1, 2));
        assertTrue(Seq.le(2, 2));
        assertTrue(Seq.gt(3, 2));
        assertTrue(Seq.ge(3, 3));
        assertFalse(Seq.lt(2, 2));
        assertFalse(Seq.gt(2, 2));
    }

    @Test
    void ordersAcross2To32Wrap() {
        int before = 0xFFFF_FFF0; // 2^32 - 16
        int after = 0x0000_0010;
        assertTrue(Seq.lt(before, after));
        assertTrue(Seq.gt(after, before));
        assertEquals(32, Seq.diff(after, before));
        assertEquals(-32, Seq.diff(before, after));
        assertEquals(after, Seq.max(before, after));
        assertEquals(before, Seq.min(before, after));
        assertEquals(after, Seq.max(after, before));
    }

    @Test
    void ordersAcross2To31() {
        int a = 0x7FFF_FFF0;
        int b = 0x8000_0010; // signed comparison would say b < a
        assertTrue(Seq.lt(a, b));
        assertTrue(Seq.ge(b, a));
        assertEquals(0x20, Seq.diff(b, a));
    }

    @Test
    void inWindowHandlesWrapAndEdges() {
        int start = 0xFFFF_FF00;
        assertTrue(Seq.inWindow(start, start, 1));
        assertFalse(Seq.inWindow(start, start, 0), "empty window holds nothing");
        assertTrue(Seq.inWindow(0x0000_00FF, start, 0x200));
        assertFalse(Seq.inWindow(0x0000_0100, start, 0x200), "right edge is exclusive");
        assertFalse(Seq.inWindow(start - 1, start, 0x200));
        // size read as unsigned: a window of 2^32-1 holds everything but start-1
        assertTrue(Seq.inWindow(start + 0x7FFF_FFFF, start, -1));
        assertFalse(Seq.inWindow(start - 1, start, -1));
    }

    @Test
    void formatsUnsigned() {
        assertEquals("4294967295", Seq.toString(-1));
    }
}
