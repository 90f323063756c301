package io.usertcp.ip;

import static io.usertcp.ip.IpPackets.A;
import static io.usertcp.ip.IpPackets.B;
import static io.usertcp.ip.IpPackets.ROUTER;
import static io.usertcp.ip.IpPackets.buf;
import static io.usertcp.ip.IpPackets.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpTest {
    private final IpStats stats = new IpStats();

    @Test
    void C6_3_echoReplyByteExact() throws Exception {
        ByteBuffer req = buf(IpPackets.ECHO_REQUEST);
        Ipv4Header ip = Ipv4Header.parse(req, 0, req.limit());
        IcmpHeader icmp = IcmpHeader.parse(req, ip.payloadOffset(), ip.payloadLength());
        assertEquals(IcmpHeader.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(1, icmp.sequence());
        ByteBuffer out = ByteBuffer.allocate(100);
        for (int i = 0; i < 100; i++) {
            out.put(i, (byte) 0xA5);
        }
        int n = Icmp.echoReply(ip, icmp, out, 2, new Ipv4Output(stats, 7));
        assertEquals(60, n);
        assertEquals(IpPackets.ECHO_REPLY, hex(out, 2, n));
        assertEquals((byte) 0xA5, out.get(62));
        assertEquals(1, stats.get(IpStats.Counter.PACKETS_SENT));
    }

    @Test
    void C6_5_fragmentationNeededParsed() throws Exception {
        ByteBuffer p = buf(IpPackets.FRAG_NEEDED);
        Ipv4Header ip = Ipv4Header.parse(p, 0, p.limit());
        assertEquals(ROUTER, ip.src());
        IcmpError e = Icmp.parseError(p, ip.payloadOffset(), ip.payloadLength());
        assertEquals(new IcmpError(3, 4, 1400, A, B, Ipv4Header.PROTO_TCP, 40000, 80, 0x01020304), e);
        assertTrue(e.isFragmentationNeeded());
        assertTrue(e.isUnreachable());
    }

    @Test
    void errorBuilderQuotesHeaderAndEightBytes() throws Exception {
        ByteBuffer syn = buf(IpPackets.OUR_SYN);
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = Icmp.error(IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 1400,
                syn, 0, ROUTER, out, 0, new Ipv4Output(stats, 0x99));
        assertEquals(56, n);
        // The ICMP part equals the router's message byte for byte (the IP header differs: we set DF).
        assertEquals(IpPackets.FRAG_NEEDED.substring(40), hex(out, 20, 36));
        Ipv4Header ip = Ipv4Header.parse(out, 0, n);
        assertEquals(ROUTER, ip.src());
        assertEquals(A, ip.dst());
        assertEquals(Ipv4Header.PROTO_ICMP, ip.protocol());
        assertEquals(1400, Icmp.parseError(out, 20, 36).mtu());
    }

    @Test
    void destinationUnreachablePortParsed() throws Exception {
        ByteBuffer syn = buf(IpPackets.OUR_SYN);
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = Icmp.error(3, IcmpHeader.CODE_PORT_UNREACHABLE, 0, syn, 0, B, out, 0, new Ipv4Output(stats, 1));
        IcmpError e = Icmp.parseError(out, 20, n - 20);
        assertEquals(IcmpHeader.CODE_PORT_UNREACHABLE, e.code());
        assertEquals(0, e.mtu());
        assertFalse(e.isFragmentationNeeded());
        assertEquals(40000, e.quotedSrcPort());
    }

    @Test
    void quoteShorterThanHeaderPlus8IsTruncated() {
        ByteBuffer p = buf(IpPackets.FRAG_NEEDED);
        // cut the last quoted byte and fix up the ICMP checksum
        int len = p.limit() - 20 - 1;
        IcmpHeader.wrap(p, 20, len).fillChecksum();
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> Icmp.parseError(p, 20, len));
        assertEquals(DropReason.ICMP_TRUNCATED, e.reason());
    }

    @Test
    void echoRequestIsNotAnError() {
        ByteBuffer req = buf(IpPackets.ECHO_REQUEST);
        assertEquals(DropReason.ICMP_UNSUPPORTED, assertThrows(MalformedPacketException.class,
                () -> Icmp.parseError(req, 20, req.limit() - 20)).reason());
    }

    @Test
    void badIcmpChecksumDropped() {
        ByteBuffer p = buf(IpPackets.FRAG_NEEDED);
        p.put(p.limit() - 1, (byte) 0);
        assertEquals(DropReason.ICMP_BAD_CHECKSUM, assertThrows(MalformedPacketException.class,
                () -> Icmp.parseError(p, 20, p.limit() - 20)).reason());
    }

    @Test
    void noErrorAboutErrorsMulticastOrLaterFragments() throws Exception {
        assertTrue(Icmp.mayAnswerWithError(Ipv4Header.parse(buf(IpPackets.OUR_SYN), 0, 40)));
        assertTrue(Icmp.mayAnswerWithError(Ipv4Header.parse(buf(IpPackets.ECHO_REQUEST), 0, 60)));
        assertFalse(Icmp.mayAnswerWithError(Ipv4Header.parse(buf(IpPackets.FRAG_NEEDED), 0, 56)));
        ByteBuffer frag = IpPackets.fragment(1, new byte[16], 8, 8, false);
        assertFalse(Icmp.mayAnswerWithError(Ipv4Header.parse(frag, 0, frag.limit())));
        ByteBuffer mc = buf(IpPackets.OUR_SYN);
        mc.putInt(Ipv4Header.DST, 0xE0000001);
        Ipv4Header.wrap(mc, 0).fillChecksum();
        assertFalse(Icmp.mayAnswerWithError(Ipv4Header.parse(mc, 0, 40)));
    }
}
