package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpOptionsTest {
    private static TcpOptions parse(String hex) throws MalformedPacketException {
        ByteBuffer b = Hex.buf("eeee" + hex); // offset 2 so absolute indexing is exercised
        return TcpOptions.parse(b, 2, b.limit() - 2);
    }

    /** Options that make the segment malformed (RFC 9293 §3.2 MUST-7): dropped, BAD_TCP_OPTION. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "0200                 | MSS with length 0",
        "0201                 | MSS with length 1",
        "fe00                 | unknown kind with length 0",
        "fe01                 | unknown kind with length 1",
        "01010800             | NOPs then timestamps with length 0",
        "02                   | kind byte without a length byte",
        "010102               | NOPs then a kind without length byte",
        "0205ffd7             | MSS length 5 runs past the 4 option bytes",
        "080a00000000         | timestamps cut short by the header end",
        "0303                 | window scale missing its shift byte",
        "050a00000001         | SACK block runs past the header",
        "0204ffd7fe08000000   | good MSS, then unknown option running past the end",
        "ff02ff00             | unknown option then length 0",
        "08080101             | timestamps claiming 8 bytes where 4 remain (gVisor row; gVisor keeps going)",
        "080a000000010000000105 | good timestamps, then SACK kind without length (gVisor keeps the TS)",
        "080a0000000100000001050a000000 | good timestamps, then SACK cut short (gVisor keeps the TS)",
    })
    void C7_1_malformedOptionLengths(String hex, String reason) {
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> parse(hex), reason);
        assertEquals(DropReason.BAD_TCP_OPTION, e.reason(), reason);
    }

    private static TcpOptions assertDoesNotThrow(String hex) {
        try {
            return parse(hex);
        } catch (MalformedPacketException e) {
            throw new AssertionError("unexpected " + e.reason(), e);
        }
    }

    /** Options that are odd but tolerated: the segment is processed with what was understood. */
    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "fe04abcd             | <>                      | unknown kind skipped by its length (MUST-6)",
        "1e0400000204ffd7     | <mss 65495>             | unknown kind 30 (MPTCP) skipped, MSS after it read",
        "0203ff01             | <>                      | MSS with wrong length 3 ignored like Linux",
        "0003030a             | <>                      | EOL ends the list; bytes after it ignored",
        "00000000             | <>                      | all EOL padding",
        "01010101             | <>                      | all NOPs",
        "0303ff               | <ws 14>                 | window scale 255 clamped to 14 (RFC 7323 §2.3)",
        "0303 0f              | <ws 14>                 | window scale 15 clamped to 14",
        "0502                 | <>                      | SACK with no blocks ignored",
        "050b0000000100000002ff | <>                    | SACK with ragged length 11 ignored",
        "0402                 | <sackOK>                | SACK-permitted alone",
        "0403ff               | <>                      | SACK-permitted with wrong length ignored",
        "080a0000000100000002 | <ts 1 2>                | bare timestamps without NOP padding",
        "080affffffff00000000 | <ts 4294967295 0>       | timestamps are unsigned",
        "0204ffd70204002a     | <mss 42>                | duplicate MSS: the last one wins",
        "0101050a0000000a00000014 | <sack 10-20>        | one SACK block",
        "01000808 0101        | <>                      | EOL before a truncated TS: the TS is never read (gVisor row)",
        "0508000000010000000a | <>                      | SACK length 8 (less than one block) ignored (gVisor row)",
        "0511000000010000000a0000000b00000001 | <>      | SACK length 17 ragged, ignored; the byte after it is a NOP",
        "0512000000010000000a0000000b0000000c | <sack 1-10 11-12> | two SACK blocks",
    })
    void C7_1_toleratedOptions(String hex, String want, String reason) {
        assertEquals(want, assertDoesNotThrow(hex.replace(" ", "")).toString(), reason);
    }

    @Test
    void noOptionsIsNone() throws Exception {
        assertSame(TcpOptions.NONE, parse(""));
        assertTrue(TcpOptions.NONE.isEmpty());
        assertEquals(0, TcpOptions.NONE.length());
    }

    @Test
    void fourSackBlocksParsed() throws Exception {
        TcpOptions o = parse("0101 0522 00000001 00000002 00000003 00000004 00000005 00000006 fffffff0 00000010"
                .replace(" ", ""));
        assertEquals(4, o.sackBlockCount());
        assertEquals(TcpOptions.NONE.withSackBlocks(1, 2, 3, 4, 5, 6, -16, 16), o);
    }

    @Test
    void emitLayoutsAreAlignedAndRoundTrip() throws Exception {
        TcpOptions[] cases = {
            TcpOptions.NONE.withMss(1460),
            TcpOptions.NONE.withMss(1460).withWindowScale(7),
            TcpOptions.NONE.withMss(1460).withSackPermitted(true),
            TcpOptions.NONE.withMss(1460).withSackPermitted(true).withTimestamps(1, 2).withWindowScale(0),
            TcpOptions.NONE.withTimestamps(5, 6),
            TcpOptions.NONE.withSackBlocks(1, 2),
            TcpOptions.NONE.withSackBlocks(1, 2, 3, 4, 5, 6, 7, 8),
            TcpOptions.NONE.withTimestamps(5, 6).withSackBlocks(1, 2, 3, 4, 5, 6),
        };
        for (TcpOptions o : cases) {
            ByteBuffer b = Hex.prefilled(60);
            int n = o.emit(b, 4);
            assertEquals(o.length(), n, o.toString());
            assertEquals(0, n % 4, o.toString());
            assertTrue(n <= 40, o.toString());
            assertEquals((byte) 0xA5, b.get(4 + n), "wrote past the options " + o);
            assertEquals(o, TcpOptions.parse(b, 4, n), o.toString());
        }
    }

    @Test
    void emitExactBytes() {
        ByteBuffer b = Hex.prefilled(24);
        TcpOptions.NONE.withMss(1460).withSackPermitted(true).withTimestamps(1, 2).withWindowScale(7)
                .emit(b, 0);
        assertEquals("020405b4" + "0402080a0000000100000002" + "01030307", Hex.hex(b, 0, 20));
        b = Hex.prefilled(8);
        TcpOptions.NONE.withSackPermitted(true).emit(b, 0);
        assertEquals("01010402", Hex.hex(b, 0, 4));
        b = Hex.prefilled(24);
        TcpOptions.NONE.withSackBlocks(10, 20).emit(b, 0);
        assertEquals("0101050a0000000a00000014", Hex.hex(b, 0, 12));
    }

    @Test
    void sackBlocksThatDoNotFitAreLeftOutOldestFirst() throws Exception {
        TcpOptions o = TcpOptions.NONE.withTimestamps(1, 1).withSackBlocks(1, 2, 3, 4, 5, 6, 7, 8);
        assertEquals(12 + 4 + 24, o.length(), "timestamps leave room for 3 blocks");
        ByteBuffer b = ByteBuffer.allocate(40);
        o.emit(b, 0);
        assertEquals(TcpOptions.NONE.withTimestamps(1, 1).withSackBlocks(1, 2, 3, 4, 5, 6),
                TcpOptions.parse(b, 0, 40));
    }

    @Test
    void equalityComparesSackBlocksByContent() {
        TcpOptions a = TcpOptions.NONE.withSackBlocks(1, 2);
        TcpOptions b = TcpOptions.NONE.withSackBlocks(new int[] {1, 2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, TcpOptions.NONE.withSackBlocks(1, 3));
    }

    @Test
    void constructorRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withWindowScale(15));
        assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withMss(70000));
        assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withSackBlocks(1, 2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> TcpOptions.NONE.withSackBlocks(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    }
}
