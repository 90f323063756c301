package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpHeaderTest {
    /** Destination unreachable / fragmentation needed (MTU 1400) quoting a SYN 198.18.0.1:40000 > .2:80. */
    private static final String FRAG_NEEDED = "030456ed00000578"
            + "45000028004240004006ae66c6120001c6120002" + "9c40005001020304";

    @Test
    void deconstructFragmentationNeeded() throws Exception {
        ByteBuffer b = Hex.buf(FRAG_NEEDED);
        IcmpHeader h = IcmpHeader.parse(b, 0, b.limit());
        assertEquals(IcmpHeader.TYPE_DEST_UNREACHABLE, h.type());
        assertEquals(IcmpHeader.CODE_FRAGMENTATION_NEEDED, h.code());
        assertEquals(0x56ed, h.checksum());
        assertEquals(1400, h.nextHopMtu());
        assertTrue(h.isError());
        assertEquals(20, h.quotedHeaderLength());
        assertTrue(h.hasQuotedPorts());
        assertTrue(h.hasQuotedSeq());
        assertEquals(0xC6120001, h.quotedSrc());
        assertEquals(0xC6120002, h.quotedDst());
        assertEquals(Ipv4Header.PROTO_TCP, h.quotedProtocol());
        assertEquals(40000, h.quotedSrcPort());
        assertEquals(80, h.quotedDstPort());
        assertEquals(0x01020304, h.quotedSeq());
    }

    @Test
    void shortOrNonIpv4QuoteHasNoPorts() {
        ByteBuffer b = Hex.buf(FRAG_NEEDED);
        IcmpHeader cut = IcmpHeader.wrap(b, 0, 8 + 20 + 3);
        assertFalse(cut.hasQuotedPorts());
        b.put(8, (byte) 0x65); // quoted version 6
        assertEquals(-1, IcmpHeader.wrap(b, 0, b.limit()).quotedHeaderLength());
        assertFalse(IcmpHeader.wrap(b, 0, b.limit()).hasQuotedPorts());
    }

    @Test
    void truncatedAndBadChecksum() {
        ByteBuffer b = Hex.buf(FRAG_NEEDED);
        assertEquals(DropReason.ICMP_TRUNCATED,
                assertThrows(MalformedPacketException.class, () -> IcmpHeader.parse(b, 0, 7)).reason());
        b.put(6, (byte) 0x06);
        assertEquals(DropReason.ICMP_BAD_CHECKSUM,
                assertThrows(MalformedPacketException.class, () -> IcmpHeader.parse(b, 0, b.limit())).reason());
    }

    @Test
    void fillChecksumMakesItVerify() throws Exception {
        ByteBuffer b = Hex.buf(FRAG_NEEDED);
        b.putShort(6, (short) 1280);
        IcmpHeader.wrap(b, 0, b.limit()).fillChecksum();
        assertEquals(1280, IcmpHeader.parse(b, 0, b.limit()).nextHopMtu());
    }
}
