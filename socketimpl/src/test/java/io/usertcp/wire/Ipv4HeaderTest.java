package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {
    private static DropReason reasonOf(ByteBuffer b, int len) {
        return assertThrows(MalformedPacketException.class, () -> Ipv4Header.parse(b, 0, len)).reason();
    }

    private static void refill(ByteBuffer b) {
        Ipv4Header.wrap(b, 0).fillChecksum();
    }

    @Test
    void deconstructCapturedSyn() throws Exception {
        ByteBuffer b = Hex.buf(Packets.SYN);
        Ipv4Header h = Ipv4Header.parse(b, 0, b.limit());
        assertEquals(4, h.version());
        assertEquals(20, h.headerLength());
        assertEquals(0, h.tos());
        assertEquals(60, h.totalLength());
        assertEquals(40, h.payloadLength());
        assertEquals(20, h.payloadOffset());
        assertEquals(0x96be, h.identification());
        assertTrue(h.dontFragment());
        assertFalse(h.moreFragments());
        assertFalse(h.isFragment());
        assertEquals(0, h.fragmentOffset());
        assertEquals(64, h.ttl());
        assertEquals(Ipv4Header.PROTO_TCP, h.protocol());
        assertEquals(0xa5fb, h.checksum());
        assertEquals(Packets.LOCALHOST, h.src());
        assertEquals(Packets.LOCALHOST, h.dst());
        assertEquals("127.0.0.1", Ipv4Header.addressToString(h.src()));
    }

    @Test
    void emitReproducesCapturedHeader() {
        ByteBuffer b = Hex.prefilled(30);
        int n = Ipv4Header.emit(b, 5, 0, 0x96be, 64, Ipv4Header.PROTO_TCP, Packets.LOCALHOST,
                Packets.LOCALHOST, 40);
        assertEquals(20, n);
        assertEquals(Packets.SYN.substring(0, 40), Hex.hex(b, 5, 20));
        assertEquals((byte) 0xA5, b.get(4));
        assertEquals((byte) 0xA5, b.get(25));
    }

    @Test
    void C6_2_emitSetsDontFragment() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(20);
        Ipv4Header.emit(b, 0, 0, 1, 64, 6, 0xC6120001, 0xC6120002, 0);
        Ipv4Header h = Ipv4Header.parse(b, 0, 20);
        assertTrue(h.dontFragment());
        assertEquals(0xC6120001, h.src());
        assertEquals("198.18.0.2", Ipv4Header.addressToString(h.dst()));
    }

    @Test
    void emitRefusesTtlZero() {
        // RFC 1122 §3.2.1.7: "A host MUST NOT send a datagram with a Time-to-Live (TTL) value of zero."
        assertThrows(IllegalArgumentException.class,
                () -> Ipv4Header.emit(ByteBuffer.allocate(20), 0, 0, 1, 0, 6, 1, 2, 0));
    }

    @Test
    void C6_1_truncatedDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        assertEquals(DropReason.IP_TRUNCATED, reasonOf(b, 19));
        assertEquals(DropReason.IP_TRUNCATED, reasonOf(b, 0));
    }

    @Test
    void C6_1_badVersionDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        b.put(0, (byte) 0x65);
        refill(b);
        assertEquals(DropReason.IP_BAD_VERSION, reasonOf(b, b.limit()));
    }

    @Test
    void C6_1_ihlBelowFiveDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        b.put(0, (byte) 0x44);
        assertEquals(DropReason.IP_BAD_HEADER_LENGTH, reasonOf(b, b.limit()));
    }

    @Test
    void C6_1_ihlBeyondPacketDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        assertEquals(DropReason.IP_BAD_HEADER_LENGTH, assertThrows(MalformedPacketException.class,
                () -> {
                    b.put(0, (byte) 0x4F); // 60-byte header
                    Ipv4Header.parse(b, 0, 40);
                }).reason());
    }

    @Test
    void C6_1_totalLengthBeyondPacketDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        assertEquals(DropReason.IP_BAD_TOTAL_LENGTH, reasonOf(b, 59), "total 60, received 59");
    }

    @Test
    void C6_1_totalLengthBelowHeaderDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        b.putShort(2, (short) 19);
        refill(b);
        assertEquals(DropReason.IP_BAD_TOTAL_LENGTH, reasonOf(b, b.limit()));
    }

    @Test
    void trailingLinkPaddingIgnored() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(70);
        b.put(0, Hex.bytes(Packets.SYN));
        Ipv4Header h = Ipv4Header.parse(b, 0, 70);
        assertEquals(60, h.totalLength());
    }

    @Test
    void C6_1_badHeaderChecksumDropped() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        b.put(8, (byte) 63); // TTL changed without fixing the checksum
        assertEquals(DropReason.IP_BAD_CHECKSUM, reasonOf(b, b.limit()));
    }

    @Test
    void headerWithOptionsAccepted() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24);
        Ipv4Header.emit(b, 0, 0, 7, 64, 6, 1, 2, 0);
        b.put(0, (byte) 0x46);
        b.putShort(2, (short) 24);
        b.putInt(20, 0x01010100); // NOP NOP NOP EOL
        refill(b);
        Ipv4Header h = Ipv4Header.parse(b, 0, 24);
        assertEquals(24, h.headerLength());
        assertEquals(0, h.payloadLength());
    }

    @Test
    void fragmentFields() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(20);
        Ipv4Header.emit(b, 0, 0, 7, 64, 6, 1, 2, 0);
        b.putShort(6, (short) (Ipv4Header.FLAG_MF | 185)); // offset 1480 bytes
        refill(b);
        Ipv4Header h = Ipv4Header.parse(b, 0, 20);
        assertTrue(h.moreFragments());
        assertFalse(h.dontFragment());
        assertTrue(h.isFragment());
        assertEquals(1480, h.fragmentOffset());
    }
}
