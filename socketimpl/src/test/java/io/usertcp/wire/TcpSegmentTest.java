package io.usertcp.wire;

import static io.usertcp.wire.Packets.IP_HEADER;
import static io.usertcp.wire.Packets.LOCALHOST;
import static io.usertcp.wire.TcpHeader.FLAG_ACK;
import static io.usertcp.wire.TcpHeader.FLAG_FIN;
import static io.usertcp.wire.TcpHeader.FLAG_PSH;
import static io.usertcp.wire.TcpHeader.FLAG_RST;
import static io.usertcp.wire.TcpHeader.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpSegmentTest {
    private static final int SRC = 0xC6120001, DST = 0xC6120002;

    static final TcpSegment SYN_RECORD = TcpSegment.builder().ports(48526, 8080).seq((int) 2200314776L)
            .ack(0).flags(FLAG_SYN).window(65495)
            .options(TcpOptions.NONE.withMss(65495).withSackPermitted(true)
                    .withTimestamps((int) 4211050214L, 0).withWindowScale(10))
            .build();

    private static TcpSegment parseTcp(String ipPacketHex) throws MalformedPacketException {
        ByteBuffer b = Hex.buf(ipPacketHex);
        return TcpSegment.parse(b, IP_HEADER, b.limit() - IP_HEADER, LOCALHOST, LOCALHOST);
    }

    // ---------------------------------------------------------------- golden bytes

    @Test
    void deconstructCapturedSyn() throws Exception {
        ByteBuffer b = Hex.buf(Packets.SYN);
        TcpHeader h = TcpHeader.parse(b, IP_HEADER, b.limit() - IP_HEADER);
        assertEquals(48526, h.srcPort());
        assertEquals(8080, h.dstPort());
        assertEquals(2200314776L, Integer.toUnsignedLong(h.seqNum()));
        assertEquals(0, h.ackNum());
        assertEquals(40, h.headerLength());
        assertEquals(FLAG_SYN, h.flags());
        assertEquals(65495, h.window());
        assertEquals(0x4a3b, h.checksum());
        assertEquals(0, h.urgentPointer());
        assertEquals(0, h.reservedBits());
        assertTrue(h.verifyChecksum(LOCALHOST, LOCALHOST, 40));
    }

    @Test
    void parseCapturedSyn() throws Exception {
        TcpSegment s = parseTcp(Packets.SYN);
        assertEquals(SYN_RECORD, s);
        assertEquals(1, s.seqLength());
        assertEquals("SYN seq=2200314776 win=65495 len=0 <mss 65495,ws 10,sackOK,ts 4211050214 0>",
                s.toString());
    }

    @Test
    void emitSynReproducesCapturedBytes() {
        ByteBuffer out = Hex.prefilled(100);
        int n = SYN_RECORD.emit(out, 20, LOCALHOST, LOCALHOST);
        assertEquals(40, n);
        assertEquals(40, SYN_RECORD.length());
        assertEquals(Packets.SYN.substring(40), Hex.hex(out, 20, 40));
        assertEquals((byte) 0xA5, out.get(19), "wrote before off");
        assertEquals((byte) 0xA5, out.get(60), "wrote past the segment");
        assertEquals(0, out.position());
    }

    @Test
    void parseAndEmitSynAck() throws Exception {
        TcpSegment s = parseTcp(Packets.SYN_ACK);
        assertEquals("SYN,ACK seq=3128610052 ack=2200314777 win=65483 len=0 "
                + "<mss 65495,ws 10,sackOK,ts 681357088 4211050214>", s.toString());
        ByteBuffer out = Hex.prefilled(40);
        s.emit(out, 0, LOCALHOST, LOCALHOST);
        assertEquals(Packets.SYN_ACK.substring(40), Hex.hex(out, 0, 40));
    }

    @Test
    void parseDataPayloadIsZeroCopySlice() throws Exception {
        ByteBuffer b = Hex.buf(Packets.DATA);
        TcpSegment s = TcpSegment.parse(b, IP_HEADER, b.limit() - IP_HEADER, LOCALHOST, LOCALHOST);
        assertEquals(FLAG_PSH | FLAG_ACK, s.flags());
        assertEquals(5, s.payloadLength());
        assertEquals(5, s.seqLength());
        assertEquals(0, s.payload().position());
        assertEquals("hello", new String(s.payloadBytes(), StandardCharsets.US_ASCII));
        b.put(b.limit() - 5, (byte) 'j');
        assertEquals('j', s.payload().get(0), "payload must be a view, not a copy");
        assertTrue(s.options().hasTimestamps());
        assertEquals("PSH,ACK seq=2200314777 ack=3128610053 win=64 len=5 <ts 4211050214 681357088>",
                s.toString());
    }

    @Test
    void emitDataReproducesCapturedBytes() throws Exception {
        TcpSegment s = parseTcp(Packets.DATA);
        TcpSegment rebuilt = s.toBuilder().payload("hello".getBytes(StandardCharsets.US_ASCII)).build();
        assertEquals(s, rebuilt);
        ByteBuffer out = Hex.prefilled(60);
        int n = rebuilt.emit(out, 0, LOCALHOST, LOCALHOST);
        assertEquals(37, n);
        assertEquals(Packets.DATA.substring(40), Hex.hex(out, 0, 37));
        assertEquals((byte) 0xA5, out.get(37));
    }

    @Test
    void finAckSeqLengthCountsFin() throws Exception {
        TcpSegment s = parseTcp(Packets.FIN_ACK);
        assertTrue(s.fin());
        assertTrue(s.hasAck());
        assertEquals(1, s.seqLength());
    }

    @Test
    void builtSegmentRoundTrips() throws Exception {
        TcpSegment s = TcpSegment.builder().ports(1, 65535).seq(-1).ack(0x12345678)
                .flags(FLAG_ACK | FLAG_PSH | TcpHeader.FLAG_URG).window(0).urgentPointer(3)
                .options(TcpOptions.NONE.withTimestamps(-2, 7).withSackBlocks(1, 2, 3, 4, 5, 6))
                .payload(new byte[] {1, 2, 3, 4, 5, 6, 7})
                .build();
        ByteBuffer out = Hex.prefilled(200);
        int n = s.emit(out, 13, SRC, DST);
        assertEquals(s.length(), n);
        assertEquals(0, (s.headerLength() & 3));
        TcpSegment back = TcpSegment.parse(out, 13, n, SRC, DST);
        assertEquals(s, back);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7}, back.payloadBytes());
    }

    @Test
    void defaultsOfBuilder() {
        TcpSegment s = TcpSegment.builder().build();
        assertEquals(65535, s.window());
        assertEquals(TcpOptions.NONE, s.options());
        assertEquals(0, s.payloadLength());
        assertEquals(20, s.headerLength());
        assertEquals("none seq=0 win=65535 len=0", s.toString());
    }

    @Test
    void recordsWithEqualBytesAreEqual() {
        TcpSegment a = TcpSegment.builder().payload(new byte[] {1, 2}).build();
        TcpSegment b = TcpSegment.builder().payload(ByteBuffer.wrap(new byte[] {9, 1, 2}).position(1)).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.toBuilder().payload(new byte[] {1, 3}).build());
    }

    @Test
    void constructorRejectsOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class, () -> TcpSegment.builder().srcPort(65536).build());
        assertThrows(IllegalArgumentException.class, () -> TcpSegment.builder().window(-1).build());
        assertThrows(IllegalArgumentException.class, () -> TcpSegment.builder().flags(0x100).build());
    }

    // ---------------------------------------------------------------- malformed

    private static ByteBuffer synBytes() {
        ByteBuffer b = Hex.buf(Packets.SYN);
        return b.slice(IP_HEADER, b.limit() - IP_HEADER);
    }

    private static DropReason reasonOf(ByteBuffer tcp, int len) {
        return assertThrows(MalformedPacketException.class,
                () -> TcpSegment.parse(tcp, 0, len, LOCALHOST, LOCALHOST)).reason();
    }

    private static void refill(ByteBuffer tcp) {
        TcpHeader.wrap(tcp, 0).fillChecksum(LOCALHOST, LOCALHOST, tcp.limit());
    }

    @Test
    void truncatedBelow20Bytes() {
        ByteBuffer tcp = synBytes();
        for (int len = 0; len < 20; len++) {
            assertEquals(DropReason.TCP_TRUNCATED, reasonOf(tcp, len), "len " + len);
        }
    }

    @Test
    void C7_2_dataOffsetBelowFiveDropped() {
        ByteBuffer tcp = synBytes();
        tcp.put(TcpHeader.DATA_OFFSET, (byte) 0x40);
        refill(tcp);
        assertEquals(DropReason.BAD_TCP_DATA_OFFSET, reasonOf(tcp, tcp.limit()));
    }

    @Test
    void C7_2_dataOffsetBeyondPacketDropped() {
        ByteBuffer tcp = synBytes();
        // header claims 40 bytes but only 36 are there (impossibleLength)
        assertEquals(DropReason.BAD_TCP_DATA_OFFSET, reasonOf(tcp, 36));
        tcp.put(TcpHeader.DATA_OFFSET, (byte) 0xF0);
        refill(tcp);
        assertEquals(DropReason.BAD_TCP_DATA_OFFSET, reasonOf(tcp, tcp.limit()));
    }

    @Test
    void C6_1_badTcpChecksumDropped() {
        ByteBuffer tcp = synBytes();
        tcp.put(39, (byte) (tcp.get(39) ^ 1));
        assertEquals(DropReason.BAD_TCP_CHECKSUM, reasonOf(tcp, tcp.limit()));
    }

    @Test
    void C6_1_checksumCoversPseudoHeader() {
        ByteBuffer tcp = synBytes();
        assertEquals(DropReason.BAD_TCP_CHECKSUM, assertThrows(MalformedPacketException.class,
                () -> TcpSegment.parse(tcp, 0, tcp.limit(), LOCALHOST, LOCALHOST + 1)).reason());
    }

    @Test
    void C7_2_synFinDropped() {
        ByteBuffer tcp = synBytes();
        tcp.put(TcpHeader.FLAGS, (byte) (FLAG_SYN | FLAG_FIN));
        refill(tcp);
        assertEquals(DropReason.BAD_TCP_FLAGS, reasonOf(tcp, tcp.limit()));
    }

    @Test
    void C7_2_synRstDropped() {
        ByteBuffer tcp = synBytes();
        tcp.put(TcpHeader.FLAGS, (byte) (FLAG_SYN | FLAG_RST | FLAG_ACK));
        refill(tcp);
        assertEquals(DropReason.BAD_TCP_FLAGS, reasonOf(tcp, tcp.limit()));
    }

    @Test
    void C7_2_reservedBitsIgnoredButDetectable() throws Exception {
        // RFC 9293 §3.1: reserved bits "must be ignored in received segments"
        ByteBuffer tcp = synBytes();
        tcp.put(TcpHeader.DATA_OFFSET, (byte) 0xA1);
        refill(tcp);
        assertTrue(TcpSegment.hasReservedBits(tcp, 0));
        TcpSegment s = TcpSegment.parse(tcp, 0, tcp.limit(), LOCALHOST, LOCALHOST);
        assertEquals(SYN_RECORD, s);
        assertFalse(TcpSegment.hasReservedBits(synBytes(), 0));
    }

    @Test
    void C7_1_malformedOptionDropsSegment() {
        ByteBuffer tcp = synBytes();
        tcp.put(21, (byte) 0); // MSS option length 0
        refill(tcp);
        assertEquals(DropReason.BAD_TCP_OPTION, reasonOf(tcp, tcp.limit()));
    }

    @Test
    void malformedExceptionHasNoStackTrace() {
        MalformedPacketException e = new MalformedPacketException(DropReason.BAD_TCP_FLAGS);
        assertEquals(0, e.getStackTrace().length);
        assertEquals(DropReason.BAD_TCP_FLAGS, e.reason());
    }
}
